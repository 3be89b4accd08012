import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TraceEvent } from '../schema';
import { LogImporter, type LogImportOptions, type LogImportStats } from './stream';

/**
 * A Mac's log read as it is written: `log stream … | xpc-lab serve --log -`
 * (standard input), or a file another program keeps appending to
 * (`--follow`). Each piece is imported as it arrives, so the console shows
 * events while the Mac still writes them.
 */

export interface LiveLogOptions extends LogImportOptions {
  /** Stops reading; what has arrived is imported and the stats returned. */
  signal?: AbortSignal;
}

/**
 * Imports a log from a stream of bytes as they arrive (standard input, a
 * pipe). Resolves with the stats when the stream ends or `signal` aborts;
 * rejects with UnknownLogFormatError when the stream ended with no XPC line.
 */
export async function importLogStream(
  input: AsyncIterable<Uint8Array | string>,
  onEvent: (event: TraceEvent) => void,
  options: LiveLogOptions = {},
): Promise<LogImportStats> {
  const { signal, ...rest } = options;
  const importer = new LogImporter(onEvent, rest);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input) {
    importer.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (signal?.aborted) break;
  }
  importer.push(decoder.decode());
  return importer.end();
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** How often the file's size is looked at once its end is reached. */
  pollMs?: number;
  chunkBytes?: number;
}

/**
 * The bytes of a file as they are written, like `tail -f` from its start:
 * read to the end, then wait for it to grow. A file cut shorter (rotated or
 * truncated) is read again from its start. Ends only when `signal` aborts.
 */
export async function* followFile(path: string, options: FollowOptions = {}): AsyncGenerator<Uint8Array> {
  const { signal, pollMs = 200, chunkBytes = 256 * 1024 } = options;
  const fd = openSync(path, 'r');
  try {
    let offset = 0;
    const buf = Buffer.alloc(chunkBytes);
    while (!signal?.aborted) {
      const n = readSync(fd, buf, 0, chunkBytes, offset);
      if (n > 0) {
        offset += n;
        yield Buffer.from(buf.subarray(0, n));
        continue;
      }
      if (statSync(path).size < offset) offset = 0;
      await sleep(pollMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  } finally {
    closeSync(fd);
  }
}
