import type { TraceEvent } from '../schema';
import { Converter } from './convert';
import { detectFormat, SAMPLE_LINES } from './detect';
import { type LogReader, logReader, type ReadOptions } from './read';
import type { LineResult, LogFormat, Warning } from './record';
import { looksLikeJsonArray } from './styles/json';

export interface LogImportOptions extends ReadOptions {
  /** Where the text comes from (a file name); named in errors and kept on the result. */
  source?: string;
}

/** What an import found, without its events: those went to `onEvent` as they were made. */
export interface LogImportStats {
  format: LogFormat;
  /** Events handed to `onEvent`: schema version 1, `seq` ascending from 0. */
  eventCount: number;
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

/**
 * Past this much text without SAMPLE_LINES lines, the format is decided on
 * what has arrived, so a log of a few enormous lines is not held whole.
 */
const DETECT_MAX_CHARS = 1024 * 1024;

function sampleComplete(head: string): boolean {
  if (head.length >= DETECT_MAX_CHARS || looksLikeJsonArray(head)) return true;
  let lines = 0;
  let start = 0;
  for (let nl = head.indexOf('\n'); nl !== -1; nl = head.indexOf('\n', start)) {
    if (head.slice(start, nl).trim() !== '') lines++;
    if (lines >= SAMPLE_LINES) return true;
    start = nl + 1;
  }
  return false;
}

/**
 * Imports a Mac's log as its text arrives, in pieces split anywhere: the
 * format is decided on the first SAMPLE_LINES non-empty lines, then each line
 * (or JSON record) is parsed, converted and its events handed to `onEvent`
 * without being kept. Memory holds one piece, the open connections and a
 * second of log time at most; never the log or its events.
 */
export class LogImporter {
  private head = '';
  private started = false;
  private reader: LogReader | null = null;
  private detected: LogFormat | null = null;
  private readonly converter: Converter;
  private linesRead = 0;
  private linesUsed = 0;

  constructor(
    onEvent: (event: TraceEvent) => void,
    private readonly options: LogImportOptions = {},
  ) {
    this.converter = new Converter(onEvent);
  }

  /** The format, once enough text has arrived to tell. */
  get format(): LogFormat | null {
    return this.detected;
  }

  /** Throws UnknownLogFormatError (naming the source) once the sampled lines match no style. */
  push(text: string): void {
    if (!this.started) {
      this.started = true;
      // readFileSync keeps a byte-order mark that TextDecoder drops; either way it is not part of the log.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.reader) {
      this.reader.push(text);
      return;
    }
    this.head += text;
    if (sampleComplete(this.head)) this.begin();
  }

  /** Reads what is left and hands on the last events; the stats are the whole import's. */
  end(): LogImportStats {
    if (!this.reader) this.begin();
    this.reader?.end();
    this.converter.finish();
    const format = this.detected as LogFormat;
    return {
      format,
      eventCount: this.converter.eventCount,
      linesRead: this.linesRead,
      linesUsed: this.linesUsed,
      skipped: this.linesRead - this.linesUsed,
      warnings: this.converter.allWarnings(),
      ...(this.options.source === undefined ? {} : { source: this.options.source }),
    };
  }

  private begin(): void {
    const format = detectFormat(this.head, this.options.source);
    this.detected = format;
    const converter = this.converter;
    if (format === 'compact') {
      converter.warn(0, 'compact timestamps carry no UTC offset: they are read as UTC');
    }
    const visit = (record: LineResult) => {
      this.linesRead++;
      if (record && converter.add(record)) this.linesUsed++;
    };
    this.reader = logReader(format, this.options, visit, (w) => converter.warn(w.line, w.message));
    const head = this.head;
    this.head = '';
    this.reader.push(head);
  }
}
