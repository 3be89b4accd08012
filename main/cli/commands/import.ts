import { type ImportSummary, SummaryCounter } from '../../trace/import';
import { FORMAT_NAMES } from '../../trace/import/detect';
import { importLogFile } from '../../trace/import/file';
import { SCHEMA_VERSION } from '../../trace/schema';
import { type CliCommand, EXIT, printJson, say } from '../command';
import { NdjsonFileWriter } from '../ndjson-file';
import { bytesProgress, progressLine } from '../progress';

interface ImportOptions {
  trace?: string;
  summary?: boolean;
  date?: string;
  json?: boolean;
}

const n = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

function byKey(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length ? ` (${entries.map(([k, v]) => `${v} × ${k}`).join(', ')})` : '';
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** What a person reads after an import: the log's style, what was used, and the XPC story in counts. */
export function humanSummary(file: string, events: number, s: ImportSummary): string {
  return [
    `${file}: ${FORMAT_NAMES[s.format]} style, ${n(s.linesUsed, 'line')} of ${s.linesRead.toLocaleString('en-US')} about XPC or launchd, ${n(events, 'event')}`,
    `  processes        ${s.processes}`,
    `  connections      ${s.connectionsActivated} activated, ${n(s.listeners, 'listener')}`,
    `  invalidations    ${total(s.invalidationsByReason)}${byKey(s.invalidationsByReason)}`,
    `  interruptions    ${s.interruptions}`,
    `  lookup failures  ${total(s.lookupFailuresByError)}${byKey(s.lookupFailuresByError)}`,
  ].join('\n');
}

/** `xpc-lab import <log>`: streams a Mac's log through the importer; holds neither its text nor its events. */
export const importCommand: CliCommand = {
  name: 'import',
  summary:
    "turn a Mac's log (log show output, --style json/ndjson, Console copy) into a trace; print what it holds",
  define(command) {
    command
      .argument('<log>', "the Mac's log file")
      .option('--trace <file>', 'write the events as an NDJSON trace (serve --trace and export read it)')
      .option('--summary', 'print the summary also when writing --trace')
      .option('--date <YYYY-MM-DD>', 'the date for styles whose lines carry only a time')
      .option('--json', 'print the summary as JSON');
  },
  examples: [
    'xpc-lab import customer-log.txt',
    'xpc-lab import customer-log.txt --trace customer.ndjson',
    'xpc-lab import customer-log.txt --json',
  ],
  json: '{ "source", "format": "default"|"compact"|"syslog"|"json"|"ndjson"|"console-copy", "events", "linesRead", "linesUsed", "processes", "connectionsActivated", "listeners", "invalidationsByReason": { reason: count }, "interruptions", "lookupFailuresByError": { "errno: error": count }, "trace"?: path }',
  async run([file], options) {
    const opts = options as ImportOptions;
    const counter = new SummaryCounter();
    const writer = opts.trace
      ? new NdjsonFileWriter(opts.trace, {
          format: 'xpc-lab-trace',
          v: SCHEMA_VERSION,
          created: new Date().toISOString(),
          host: 'import',
          source: file,
        })
      : undefined;
    const progress = progressLine();
    try {
      const result = await importLogFile(
        file!,
        (event) => {
          counter.add(event);
          writer?.line(event);
        },
        {
          ...(opts.date ? { date: opts.date } : {}),
          onProgress: (done, all) => progress.update(bytesProgress(`importing ${file}`, done, all)),
        },
      );
      writer?.commit();
      progress.done();
      for (const w of result.warnings.slice(0, 20)) say(`${file}:${w.line}: ${w.message}`);
      const summary = counter.summary(result);
      if (opts.json) {
        printJson({
          source: file,
          events: result.eventCount,
          ...summary,
          ...(opts.trace ? { trace: opts.trace } : {}),
        });
      } else if (opts.summary || !opts.trace) {
        process.stdout.write(`${humanSummary(file!, result.eventCount, summary)}\n`);
      }
      if (opts.trace && !opts.json)
        say(
          `xpc-lab import: ${result.eventCount} events from ${result.linesUsed} of ${result.linesRead} lines (${result.format}) → ${opts.trace}`,
        );
      return EXIT.ok;
    } catch (error) {
      progress.done();
      writer?.discard();
      throw error;
    }
  },
};
