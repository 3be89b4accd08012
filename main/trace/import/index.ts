import type { TraceEvent } from '../schema';
import { Converter } from './convert';
import { detectFormat } from './detect';
import { type ReadOptions, readLog } from './read';
import type { LineResult, LogFormat, Warning } from './record';
import { type ImportSummary, summarize as summarizeEvents } from './summary';

/**
 * Importing a Mac's logs (`log show` in any style, Console.app "Copy") as
 * XPC Lab trace events. Pure: takes text, so the renderer can import a dropped
 * file with the same code the CLI uses.
 */

export { UnknownLogFormatError } from './detect';
export type { LogFormat } from './record';
export type { ImportSummary } from './summary';

export interface ImportOptions extends ReadOptions {
  /** Where the text came from (a file name); named in errors and kept on the result. */
  source?: string;
}

export interface ImportResult {
  format: LogFormat;
  /** Schema version 1, `seq` ascending from 0. */
  events: TraceEvent[];
  /** Non-empty lines, or records of a `--style json` array. */
  linesRead: number;
  /** Lines recognised as libxpc or launchd lines; each one produced a `log` event. */
  linesUsed: number;
  /** linesRead − linesUsed: headers, other subsystems, activity rows, unreadable lines. */
  skipped: number;
  /** `line` is 1-based (a record index for json); 0 for a warning about the whole log. */
  warnings: Warning[];
  source?: string;
}

/** Which style the text is in; throws UnknownLogFormatError naming the lines it looked at. */
export function detectLogFormat(text: string): LogFormat {
  return detectFormat(text);
}

function styleWarnings(format: LogFormat, converter: Converter): void {
  if (format === 'compact') {
    converter.warn(0, 'compact timestamps carry no UTC offset: they are read as UTC');
  }
}

export function importLog(text: string, options: ImportOptions = {}): ImportResult {
  const format = detectFormat(text, options.source);
  const converter = new Converter();
  styleWarnings(format, converter);
  let linesRead = 0;
  let linesUsed = 0;
  const visit = (record: LineResult) => {
    linesRead++;
    if (record && converter.add(record)) linesUsed++;
  };
  readLog(text, format, options, visit, (w) => converter.warn(w.line, w.message));
  return {
    format,
    events: converter.events,
    linesRead,
    linesUsed,
    skipped: linesRead - linesUsed,
    warnings: converter.allWarnings(),
    ...(options.source === undefined ? {} : { source: options.source }),
  };
}

export function summarize(result: ImportResult): ImportSummary {
  return summarizeEvents(result);
}
