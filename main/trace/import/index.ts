import type { TraceEvent } from '../schema';
import type { LogFormat } from './record';
import { LogImporter, type LogImportOptions, type LogImportStats } from './stream';
import { type ImportSummary, summarize as summarizeEvents } from './summary';

/**
 * Importing a Mac's logs (`log show`/`log stream` in any style, Console.app
 * "Copy", launchd.log, system.log, unifiedlog_iterator output, or any text
 * holding libxpc and launchd message bodies) as
 * XPC Lab trace events. Pure: it takes text, in one piece (`importLog`) or as
 * it arrives (`LogImporter`), so the renderer can import a dropped file with
 * the same code the CLI uses; `./file` streams a file from disk.
 */

import { UnknownLogFormatError } from './detect';

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

/**
 * The layout most of the text's XPC lines are in. Throws UnknownLogFormatError
 * when none of its lines is a libxpc or launchd line; when `whole` is false
 * (the text is only the start of a file) it returns null instead, as the rest
 * may hold one.
 */
export function detectLogFormat(text: string, source?: string, whole = true): LogFormat | null {
  const importer = new LogImporter(() => {}, source === undefined ? {} : { source });
  importer.push(text);
  try {
    return importer.end().format;
  } catch (err) {
    if (!whole && err instanceof UnknownLogFormatError) return null;
    throw err;
  }
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
