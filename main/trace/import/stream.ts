import type { TraceEvent } from '../schema';
import { Converter } from './convert';
import { UnknownLogFormatError } from './detect';
import { type LogReader, logReader, type ReaderNotes, type ReadOptions } from './read';
import type { LineResult, LogFormat, Warning } from './record';
import { looksLikeJsonArray } from './styles/json';

export interface LogImportOptions extends ReadOptions {
  /** Where the text comes from (a file name); named in errors and kept on the result. */
  source?: string;
}

/** What an import found, without its events: those went to `onEvent` as they were made. */
export interface LogImportStats {
  /** The layout most of the used lines were in. */
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

/** Enough of the start to tell a `--style json` array from lines. */
const HEAD_CHARS = 64;

/**
 * Imports a Mac's log as its text arrives, in pieces split anywhere. Every
 * line is looked at on its own (XPC-MODEL §10.6): a line whose message is a
 * libxpc or launchd body is an XPC line whatever its layout, and its events
 * go to `onEvent` without being kept. Memory holds one piece, the open
 * connections and a second of log time at most; never the log or its events.
 * `end` throws UnknownLogFormatError when no line at all was an XPC line.
 */
export class LogImporter {
  private head = '';
  private started = false;
  private reader: LogReader | null = null;
  private jsonArray = false;
  private readonly converter: Converter;
  private linesRead = 0;
  private linesUsed = 0;
  private readonly layouts = new Map<LogFormat, number>();
  private readonly notes: ReaderNotes = { mentions: [], first: [] };
  private warnedCompact = false;

  constructor(
    onEvent: (event: TraceEvent) => void,
    private readonly options: LogImportOptions = {},
  ) {
    this.converter = new Converter(onEvent);
  }

  /** The layout most used lines so far were in; null before the first XPC line. */
  get format(): LogFormat | null {
    if (this.jsonArray) return 'json';
    let best: LogFormat | null = null;
    let most = 0;
    for (const [layout, n] of this.layouts) {
      // Lines in no known layout name the log only when nothing else does.
      if (n > most || (best === 'text' && layout !== 'text' && n === most)) {
        best = layout;
        most = n;
      }
    }
    return best;
  }

  /** Lines recognised so far. */
  get used(): number {
    return this.linesUsed;
  }

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
    const start = this.head.trimStart();
    // A `[` may open a json array: wait for what follows it.
    if (start.length >= HEAD_CHARS || (start !== '' && (start[0] !== '[' || /^\[\s*\S/.test(start))))
      this.begin();
  }

  /** Reads what is left and hands on the last events; the stats are the whole import's. */
  end(): LogImportStats {
    if (!this.reader) this.begin();
    this.reader?.end();
    this.converter.finish();
    if (this.linesUsed === 0) {
      throw new UnknownLogFormatError(
        this.linesRead,
        this.notes.mentions,
        this.notes.first,
        this.options.source,
      );
    }
    return {
      format: this.format ?? 'text',
      eventCount: this.converter.eventCount,
      linesRead: this.linesRead,
      linesUsed: this.linesUsed,
      skipped: this.linesRead - this.linesUsed,
      warnings: this.converter.allWarnings(),
      ...(this.options.source === undefined ? {} : { source: this.options.source }),
    };
  }

  private begin(): void {
    this.jsonArray = looksLikeJsonArray(this.head);
    const converter = this.converter;
    const visit = (record: LineResult) => {
      this.linesRead++;
      if (!record || !converter.add(record)) return;
      this.linesUsed++;
      const layout = this.jsonArray ? 'json' : (record.layout ?? 'ndjson');
      this.layouts.set(layout, (this.layouts.get(layout) ?? 0) + 1);
      if (layout === 'compact' && !this.warnedCompact) {
        this.warnedCompact = true;
        converter.warn(0, 'compact timestamps carry no UTC offset: they are read as UTC');
      }
    };
    this.reader = logReader(
      this.jsonArray,
      this.options,
      visit,
      (w) => converter.warn(w.line, w.message),
      this.notes,
    );
    const head = this.head;
    this.head = '';
    this.reader.push(head);
  }
}
