import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { messagesToCsv, redactTrace } from '../trace/export/csv';
import { toPerfetto } from '../trace/export/perfetto';
import { fsErrorInfo } from '../trace/fs-error';
import { SummaryCounter, UnknownLogFormatError } from '../trace/import';
import { importLogFile, LogReadError } from '../trace/import/file';
import { readTrace } from '../trace/reader';
import { SCHEMA_VERSION } from '../trace/schema';

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

class TraceWriteError extends Error {
  constructor(path: string, cause: unknown) {
    super(`cannot write ${path}: ${fsErrorInfo(cause).words}`, { cause });
    this.name = 'TraceWriteError';
  }
}

/** Writes an imported trace as NDJSON in large sync writes; the file appears under its name only once complete. */
class NdjsonFileWriter {
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

/** `xpc-lab import <file> [--trace out.ndjson] [--summary]`: streams the log; holds neither its text nor its events. */
export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { trace: { type: 'string' }, summary: { type: 'boolean' }, date: { type: 'string' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) {
    say('xpc-lab import: name a log file (log show output, --style json/ndjson, or Console.app Copy)');
    return 2;
  }
  const counter = new SummaryCounter();
  let writer: NdjsonFileWriter | undefined;
  try {
    writer = values.trace
      ? new NdjsonFileWriter(values.trace, {
          format: 'xpc-lab-trace',
          v: SCHEMA_VERSION,
          created: new Date().toISOString(),
          host: 'import',
          source: file,
        })
      : undefined;
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    say(`xpc-lab import: ${error.message}`);
    return 1;
  }
  const out = writer;
  try {
    const result = await importLogFile(
      file,
      (event) => {
        counter.add(event);
        out?.line(event);
      },
      values.date ? { date: values.date } : {},
    );
    out?.commit();
    for (const w of result.warnings.slice(0, 20)) say(`${file}:${w.line}: ${w.message}`);
    if (values.summary || !values.trace)
      process.stdout.write(`${JSON.stringify(counter.summary(result), null, 2)}\n`);
    if (values.trace)
      say(
        `xpc-lab import: ${result.eventCount} events from ${result.linesUsed} of ${result.linesRead} lines (${result.format}) → ${values.trace}`,
      );
    return 0;
  } catch (error) {
    out?.discard();
    if (
      error instanceof UnknownLogFormatError ||
      error instanceof LogReadError ||
      error instanceof TraceWriteError
    ) {
      say(`xpc-lab import: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** `xpc-lab export <trace.ndjson> [--perfetto out.json] [--csv out.csv] [--redact] [--redact-keys] [--redact-paths]` */
export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      perfetto: { type: 'string' },
      csv: { type: 'string' },
      redact: { type: 'boolean' },
      'redact-keys': { type: 'boolean' },
      'redact-paths': { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file || (!values.perfetto && !values.csv)) {
    say(
      'xpc-lab export: usage: export <trace.ndjson> [--perfetto out.json] [--csv out.csv] [--redact] [--redact-keys] [--redact-paths]',
    );
    return 2;
  }
  const trace = await readTrace(file);
  for (const p of trace.problems.slice(0, 20)) say(`${file}: ${p.message}`);
  // Keys and paths are hidden only with the payloads: either flag implies --redact.
  const more = { keys: values['redact-keys'] ?? false, paths: values['redact-paths'] ?? false };
  const redact = (values.redact ?? false) || more.keys || more.paths;
  const events = redact ? redactTrace(trace.events, more) : trace.events;
  if (values.perfetto) {
    writeFileSync(values.perfetto, JSON.stringify(toPerfetto(events)));
    say(
      `xpc-lab export: ${events.length} events → ${values.perfetto} (open it in ui.perfetto.dev or chrome://tracing)`,
    );
  }
  if (values.csv) {
    writeFileSync(values.csv, messagesToCsv(events, { redact }));
    say(`xpc-lab export: message list → ${values.csv}`);
  }
  return 0;
}
