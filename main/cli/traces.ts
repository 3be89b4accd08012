import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { messagesToCsv, redactTrace } from '../trace/export/csv';
import { toPerfetto } from '../trace/export/perfetto';
import { importLog, summarize, UnknownLogFormatError } from '../trace/import';
import { readTrace } from '../trace/reader';
import { SCHEMA_VERSION, type TraceEvent } from '../trace/schema';

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function toNdjson(events: readonly TraceEvent[], source: string): string {
  const header = {
    format: 'xpc-lab-trace',
    v: SCHEMA_VERSION,
    created: new Date().toISOString(),
    host: 'import',
    source,
  };
  return `${[header, ...events].map((e) => JSON.stringify(e)).join('\n')}\n`;
}

/** `xpc-lab import <file> [--trace out.ndjson] [--summary]` */
export function importCommand(args: string[]): number {
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    say(`xpc-lab import: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return 1;
  }
  try {
    const result = importLog(text, { source: file, ...(values.date ? { date: values.date } : {}) });
    for (const w of result.warnings.slice(0, 20)) say(`${file}:${w.line}: ${w.message}`);
    if (values.trace) writeFileSync(values.trace, toNdjson(result.events, file));
    if (values.summary || !values.trace)
      process.stdout.write(`${JSON.stringify(summarize(result), null, 2)}\n`);
    if (values.trace)
      say(
        `xpc-lab import: ${result.events.length} events from ${result.linesUsed} of ${result.linesRead} lines (${result.format}) → ${values.trace}`,
      );
    return 0;
  } catch (error) {
    if (error instanceof UnknownLogFormatError) {
      say(`xpc-lab import: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** `xpc-lab export <trace.ndjson> [--perfetto out.json] [--csv out.csv] [--redact]` */
export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { perfetto: { type: 'string' }, csv: { type: 'string' }, redact: { type: 'boolean' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file || (!values.perfetto && !values.csv)) {
    say('xpc-lab export: usage: export <trace.ndjson> [--perfetto out.json] [--csv out.csv] [--redact]');
    return 2;
  }
  const trace = await readTrace(file);
  for (const p of trace.problems.slice(0, 20)) say(`${file}: ${p.message}`);
  const events = values.redact ? redactTrace(trace.events) : trace.events;
  if (values.perfetto) {
    writeFileSync(values.perfetto, JSON.stringify(toPerfetto(events)));
    say(
      `xpc-lab export: ${events.length} events → ${values.perfetto} (open it in ui.perfetto.dev or chrome://tracing)`,
    );
  }
  if (values.csv) {
    writeFileSync(values.csv, messagesToCsv(events, { redact: values.redact ?? false }));
    say(`xpc-lab export: message list → ${values.csv}`);
  }
  return 0;
}
