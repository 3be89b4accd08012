import { LineSplitter } from '../lines';
import { mayBeXpc, mentionsXpc } from './body';
import type { LineResult, LogRecord, Warning } from './record';
import { JsonArraySplitter, recordFromJson } from './styles/json';
import { parseTextLine } from './styles/text';
import {
  CsvRows,
  isCsvHeader,
  isUnifiedLogObject,
  recordFromCsvRow,
  recordFromUnifiedJson,
} from './styles/unifiedlog';
import { parseAnchorDate } from './time';

export interface ReadOptions {
  /** `YYYY-MM-DD`: the day times of day (Console copy) and year-less dates (system.log) are placed on. */
  date?: string;
}

/** Called once per non-empty line (or JSON record), with what was read from it: a record, or null for a line with no XPC body. */
export type Visit = (result: LineResult, lineNo: number) => void;

/** Where the text goes as it arrives: lines, or records of a json array. */
export interface LogReader {
  push(text: string): void;
  end(): void;
}

const DAY = 86_400_000;
const NON_BLANK = /\S/;
/** How many lines that mention xpc or launchd a refusal quotes. */
export const QUOTED_LINES = 5;

/** What a reader saw besides its records: for the refusal of a log with no XPC line in it. */
export interface ReaderNotes {
  /** The first lines that mention xpc or launchd. */
  mentions: string[];
  /** The first non-empty lines. */
  first: string[];
}

function jsonObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Reads a log line by line, whatever its layout: an ndjson object from `log
 * show`/`log stream` or unifiedlog_iterator, a CSV row after
 * unifiedlog_iterator's header, or text with a libxpc or launchd body
 * anywhere in it. A line none of whose words could start such a body is
 * passed over before any parsing.
 */
class TextReader implements LogReader {
  private readonly splitter: LineSplitter;
  private csv: CsvRows | null = null;
  private seen = 0;
  private readonly anchor: number;
  private lastTimeOfDay: number | null = null;
  private dayShift = 0;
  private warnedUnanchored = false;

  constructor(
    private readonly options: ReadOptions,
    private readonly visit: Visit,
    private readonly warn: (w: Warning) => void,
    private readonly notes: ReaderNotes,
  ) {
    this.anchor = options.date ? parseAnchorDate(options.date) : 0;
    this.splitter = new LineSplitter((raw, lineNo) => this.line(raw, lineNo));
  }

  push(text: string): void {
    this.splitter.push(text);
  }

  end(): void {
    this.splitter.end();
  }

  private line(raw: string, lineNo: number): void {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (this.csv) {
      const done = this.csv.line(line, lineNo);
      if (done) this.visit(this.placed(recordFromCsvRow(done.row, done.line)), done.line);
      return;
    }
    if (!NON_BLANK.test(line)) return;
    if (this.seen++ === 0 && isCsvHeader(line)) {
      this.csv = new CsvRows();
      this.visit(null, lineNo);
      return;
    }
    if (this.notes.first.length < QUOTED_LINES) this.notes.first.push(line);
    if (this.notes.mentions.length < QUOTED_LINES && mentionsXpc(line)) this.notes.mentions.push(line);
    if (!mayBeXpc(line)) {
      this.visit(null, lineNo);
      return;
    }
    this.visit(this.placed(this.read(line, lineNo)), lineNo);
  }

  private read(line: string, lineNo: number): LineResult {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('{')) {
      const value = jsonObject(trimmed);
      if (value) {
        if (isUnifiedLogObject(value)) return recordFromUnifiedJson(value, lineNo);
        if ('eventMessage' in value) return recordFromJson(value, lineNo);
        return null;
      }
    }
    return parseTextLine(line, lineNo, { anchor: this.anchor });
  }

  /** A time of day earlier than the one before by over 12 h is read as the next day. */
  private placed(record: LineResult): LineResult {
    if (!record) return record;
    const unanchored = record.timeOfDay || record.layout === 'bsd-syslog';
    if (unanchored && !this.options.date && !this.warnedUnanchored) {
      this.warnedUnanchored = true;
      this.warn({
        line: 0,
        message:
          record.layout === 'bsd-syslog'
            ? 'system.log lines carry no year: they are placed in 1970 (pass a date to anchor them)'
            : 'Console copy rows carry only a time of day: they are placed on 1970-01-01 (pass a date to anchor them)',
      });
    }
    if (!record.timeOfDay || record.t === null) return record;
    let t = record.t + this.dayShift;
    if (this.lastTimeOfDay !== null && t < this.lastTimeOfDay - DAY / 2) {
      this.dayShift += DAY;
      t += DAY;
    }
    this.lastTimeOfDay = t;
    return { ...record, t } satisfies LogRecord;
  }
}

function jsonReader(visit: Visit, warn: (w: Warning) => void): LogReader {
  const splitter = new JsonArraySplitter((text, index, line) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      warn({ line: index, message: `record ${index} (text line ${line}) is not valid JSON: ${why}` });
      visit(null, index);
      return;
    }
    visit(recordFromJson(value, index), index);
  });
  return {
    push: (text) => splitter.push(text),
    end() {
      const { truncated, trailingLine } = splitter.end();
      if (truncated)
        warn({
          line: splitter.count,
          message: 'the JSON array is cut short: read up to its last complete record',
        });
      if (trailingLine !== undefined)
        warn({
          line: 0,
          message: `text line ${trailingLine}: text after the JSON array's closing ] is ignored`,
        });
    },
  };
}

/**
 * Reads a log as its text arrives, one visit per non-empty line or JSON
 * record; line numbers are 1-based text lines, or record indexes for a json
 * array (`log show --style json`).
 */
export function logReader(
  jsonArray: boolean,
  options: ReadOptions,
  visit: Visit,
  warn: (w: Warning) => void,
  notes: ReaderNotes,
): LogReader {
  return jsonArray ? jsonReader(visit, warn) : new TextReader(options, visit, warn, notes);
}
