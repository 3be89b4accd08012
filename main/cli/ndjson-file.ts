import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsErrorInfo } from '../trace/fs-error';

export class TraceWriteError extends Error {
  constructor(path: string, cause: unknown) {
    super(`cannot write ${path}: ${fsErrorInfo(cause).words}`, { cause });
    this.name = 'TraceWriteError';
  }
}

/** Writes an imported trace as NDJSON in large sync writes; the file appears under its name only once complete. */
export class NdjsonFileWriter {
  private readonly partial: string;
  private readonly fd: number;
  private buffered: string[] = [];
  private bufferedChars = 0;

  constructor(
    private readonly path: string,
    header: object,
  ) {
    this.partial = join(dirname(path), `.${basename(path)}.partial`);
    try {
      this.fd = openSync(this.partial, 'w');
    } catch (error) {
      throw new TraceWriteError(path, error);
    }
    this.line(header);
  }

  line(value: object): void {
    const text = JSON.stringify(value);
    this.buffered.push(text);
    this.bufferedChars += text.length + 1;
    if (this.bufferedChars >= WRITE_CHARS) this.flush();
  }

  commit(): void {
    this.flush();
    try {
      closeSync(this.fd);
      renameSync(this.partial, this.path);
    } catch (error) {
      throw new TraceWriteError(this.path, error);
    }
  }

  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by a failed commit; the partial file is removed either way.
    }
    rmSync(this.partial, { force: true });
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    try {
      writeSync(this.fd, `${this.buffered.join('\n')}\n`);
    } catch (error) {
      throw new TraceWriteError(this.path, error);
    }
    this.buffered = [];
    this.bufferedChars = 0;
  }
}

const WRITE_CHARS = 1024 * 1024;
