import { writeFileSync } from 'node:fs';
import { eventsToCsv, messagesToCsv, redactTrace } from '../../trace/export/csv';
import { toPerfetto } from '../../trace/export/perfetto';
import { fsErrorInfo } from '../../trace/fs-error';
import { UnknownLogFormatError } from '../../trace/import';
import { importLogFile } from '../../trace/import/file';
import { streamTrace } from '../../trace/reader';
import type { TraceEvent } from '../../trace/schema';
import { recordingKind } from '../../trace/sniff';
import { type CliCommand, EXIT, InputError, printJson, say } from '../command';
import { bytesProgress, progressLine } from '../progress';

interface ExportOptions {
  perfetto?: string;
  csv?: string;
  rows?: string;
  redact?: boolean;
  redactKeys?: boolean;
  redactPaths?: boolean;
  date?: string;
  json?: boolean;
}

interface Loaded {
  kind: 'trace' | 'log';
  events: TraceEvent[];
  problems: string[];
}

/** A trace or a Mac's log, told apart by content; a log goes through the same importer `import` uses. */
function kindOf(file: string): 'trace' | 'log' {
  try {
    return recordingKind(file);
  } catch (error) {
    if (error instanceof UnknownLogFormatError) throw error;
    throw new InputError(`cannot read ${file}: ${fsErrorInfo(error).words}`, { cause: error });
  }
}

async function load(file: string, date: string | undefined): Promise<Loaded> {
  const kind = kindOf(file);
  const events: TraceEvent[] = [];
  const progress = progressLine();
  const onProgress = (done: number, total: number) =>
    progress.update(bytesProgress(`reading ${file}`, done, total));
  try {
    if (kind === 'log') {
      const result = await importLogFile(file, (e) => events.push(e), {
        onProgress,
        ...(date ? { date } : {}),
      });
      return { kind, events, problems: result.warnings.map((w) => `${file}:${w.line}: ${w.message}`) };
    }
    const result = await streamTrace(file, (e) => events.push(e), { onProgress });
    return { kind, events, problems: result.problems.map((p) => `${file}: ${p.message}`) };
  } finally {
    progress.done();
  }
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${fsErrorInfo(error).words}`, { cause: error });
  }
}

/** `xpc-lab export <trace-or-log>`: Perfetto (Chrome trace JSON) and CSV from a recorded trace or straight from a Mac's log. */
export const exportCommand: CliCommand = {
  name: 'export',
  summary: "write a trace or a Mac's log as Perfetto (Chrome trace JSON) or CSV",
  define(command) {
    command
      .argument('<trace-or-log>', "an XPC Lab trace (.ndjson) or a Mac's log, told apart by content")
      .option('--perfetto <file>', 'write Chrome trace JSON for ui.perfetto.dev or chrome://tracing')
      .option('--csv <file>', 'write CSV rows (see --rows)')
      .option(
        '--rows <what>',
        'CSV rows: "messages" (the message list) or "events" (every event); messages for a trace, events for a log',
      )
      .option('--redact', 'replace message payload values with their types and sizes')
      .option('--redact-keys', 'with the payloads, number message keys (selector names): <key 1>, <key 2>…')
      .option('--redact-paths', 'with the payloads, cut absolute paths to their last part: <path>/name')
      .option('--date <YYYY-MM-DD>', 'for a log whose lines carry only a time: the day it was taken')
      .option('--json', 'print what was written as JSON');
  },
  examples: [
    'xpc-lab export session.ndjson --perfetto session.json --csv messages.csv',
    'xpc-lab export customer-log.txt --perfetto customer.json --csv events.csv',
  ],
  json: '{ "source", "kind": "trace"|"log", "events": count, "problems": count, "outputs": [{ "format": "perfetto", "path", "traceEvents": count } | { "format": "csv", "path", "rows": "messages"|"events", "count" }] }',
  async run([file], options) {
    const opts = options as ExportOptions;
    if (!opts.perfetto && !opts.csv)
      throw new InputError('name an output: --perfetto <file> and/or --csv <file>');
    if (opts.rows !== undefined && opts.rows !== 'messages' && opts.rows !== 'events')
      throw new InputError(`--rows is "messages" or "events", not "${opts.rows}"`);
    const loaded = await load(file!, opts.date);
    for (const p of loaded.problems.slice(0, 20)) say(p);
    // Keys and paths are hidden only with the payloads: either flag implies --redact.
    const more = { keys: opts.redactKeys ?? false, paths: opts.redactPaths ?? false };
    const redact = (opts.redact ?? false) || more.keys || more.paths;
    const events = redact ? redactTrace(loaded.events, more) : loaded.events;
    const outputs: object[] = [];
    if (opts.perfetto) {
      const perfetto = toPerfetto(events);
      write(opts.perfetto, JSON.stringify(perfetto));
      outputs.push({ format: 'perfetto', path: opts.perfetto, traceEvents: perfetto.traceEvents.length });
      if (!opts.json)
        say(
          `xpc-lab export: ${events.length} events → ${opts.perfetto} (open it in ui.perfetto.dev or chrome://tracing)`,
        );
    }
    if (opts.csv) {
      const rows = (opts.rows ?? (loaded.kind === 'log' ? 'events' : 'messages')) as 'messages' | 'events';
      const count = rows === 'events' ? events.length : events.filter((e) => e.kind === 'message').length;
      write(opts.csv, rows === 'events' ? eventsToCsv(events) : messagesToCsv(events, { redact }));
      outputs.push({ format: 'csv', path: opts.csv, rows, count });
      if (!opts.json)
        say(
          `xpc-lab export: ${count} ${rows === 'events' ? 'event' : 'message'} row${count === 1 ? '' : 's'} → ${opts.csv}${rows === 'messages' && count === 0 ? ' (no messages here: --rows events lists every event)' : ''}`,
        );
    }
    if (opts.json)
      printJson({
        source: file,
        kind: loaded.kind,
        events: events.length,
        problems: loaded.problems.length,
        outputs,
      });
    return EXIT.ok;
  },
};
