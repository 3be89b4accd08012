import type { TraceEvent } from '../schema';
import { detectFormat } from './detect';
import type { LogFormat } from './record';
import { LogImporter, type LogImportOptions, type LogImportStats } from './stream';
import { type ImportSummary, summarize as summarizeEvents } from './summary';

/**
 * Importing a Mac's logs (`log show` in any style, Console.app "Copy") as
 * XPC Lab trace events. Pure: it takes text, in one piece (`importLog`) or as
 * it arrives (`LogImporter`), so the renderer can import a dropped file with
 * the same code the CLI uses; `./file` streams a file from disk.
 */

export { UnknownLogFormatError } from './detect';
export type { LogFormat } from './record';
export type { LogImportOptions, LogImportStats } from './stream';
export { LogImporter } from './stream';
export type { ImportSummary } from './summary';
export { SummaryCounter } from './summary';

export interface ImportOptions extends LogImportOptions {
  /** Called as the text is read, with the fraction done; ends at 1. */
  onProgress?: (fraction: number) => void;
}

export interface ImportResult extends LogImportStats {
  /** Schema version 1, `seq` ascending from 0. */
  events: TraceEvent[];
}

/** How much text `importLog` hands the importer at a time: the unit of its progress. */
const TEXT_PIECE = 64 * 1024;

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Which style the text is in; throws UnknownLogFormatError naming the lines it looked at. */
export function detectLogFormat(text: string): LogFormat {
  return detectFormat(text);
}

/**
 * Imports a whole log held as text, keeping its events: for tests and small
 * inputs. It feeds the text through the same streaming importer as a file.
 */
export function importLog(text: string, options: ImportOptions = {}): ImportResult {
  const { onProgress, ...rest } = options;
  const events: TraceEvent[] = [];
  const importer = new LogImporter((e) => events.push(e), rest);
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + TEXT_PIECE, text.length);
    // Keep a surrogate pair in one piece.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
    importer.push(text.slice(at, end));
    at = end;
    onProgress?.(at / text.length);
  }
  return { ...importer.end(), events };
}

/** The summary counts of an import whose events were kept; a streamed import uses SummaryCounter. */
export function summarize(result: ImportResult): ImportSummary {
  return summarizeEvents(result);
}
