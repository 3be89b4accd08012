import { type LineResult, levelOf } from '../record';
import { parseStamp } from '../time';

/**
 * `log show --style json` (one pretty-printed array) and `--style ndjson`
 * (one object per line). Field names from XPC-MODEL §7.4.
 */

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** One `log show` JSON object as a record; null for non-log events (activities, signposts, loss, timesync). */
export function recordFromJson(value: unknown, lineNo: number): LineResult {
  if (!isObject(value) || typeof value.eventMessage !== 'string') return null;
  if (value.eventType !== undefined && value.eventType !== 'logEvent') return null;
  const level = levelOf(str(value.messageType) || 'Default');
  if (!level) return null;
  const uid = int(value.userID);
  return {
    line: lineNo,
    t: parseStamp(str(value.timestamp))?.t ?? null,
    level,
    process: basename(str(value.processImagePath)),
    pid: int(value.processID),
    subsystem: str(value.subsystem),
    category: str(value.category),
    message: value.eventMessage,
    ...(uid === null ? {} : { uid }),
  };
}

/** A line that is a JSON object with at least one of the §7.4 fields. */
export function matchesNdjson(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return false;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isObject(value) && ('eventMessage' in value || 'timestamp' in value);
  } catch {
    return false;
  }
}

export function parseNdjsonLine(line: string, lineNo: number): LineResult {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    return recordFromJson(JSON.parse(trimmed), lineNo);
  } catch {
    return null;
  }
}

/** The text starts a JSON array (`[` then `{` or `]`). */
export function looksLikeJsonArray(text: string): boolean {
  return /^\s*\[\s*[{\]]/.test(text);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === NEWLINE || c === 0x0d || c === 0x09;
}

type SplitState = 'before' | 'between' | 'value' | 'after';

export interface JsonArrayEnd {
  /** The array was cut short (e.g. `log show` interrupted): only its complete records were read. */
  truncated: boolean;
  /** 1-based text line of the first non-blank text after the closing `]`, if there is any. */
  trailingLine?: number;
}

/**
 * Cuts the records out of a `--style json` array as its text arrives, so the
 * array is never held whole: it follows nesting, strings and escapes, and
 * hands each top-level element's text on as soon as it is complete. Only the
 * record being read is kept between pieces.
 */
export class JsonArraySplitter {
  private state: SplitState = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current element is a number or literal: it ends at a comma, `]` or blank. */
  private scalar = false;
  private carry = '';
  private line = 1;
  private recordLine = 1;
  private records = 0;
  private trailingLine: number | undefined;

  /** `index` is the record's 1-based place in the array, `line` the text line it starts on. */
  constructor(private readonly onRecord: (text: string, index: number, line: number) => void) {}

  push(text: string): void {
    let start = this.state === 'value' ? 0 : -1;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) this.line++;
      if (this.state === 'value') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) {
            this.inString = false;
            if (this.depth === 0) this.complete(text, start, i + 1);
          }
        } else if (this.scalar) {
          if (c === COMMA || c === CLOSE_BRACKET || isSpace(c)) {
            this.complete(text, start, i);
            if (c === NEWLINE) this.line--;
            i--;
          }
        } else if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (--this.depth === 0) this.complete(text, start, i + 1);
        }
      } else if (this.state === 'between') {
        if (c === CLOSE_BRACKET) this.state = 'after';
        else if (c !== COMMA && !isSpace(c)) {
          this.state = 'value';
          start = i;
          this.recordLine = this.line;
          this.inString = c === QUOTE;
          this.scalar = !this.inString && c !== OPEN_BRACE && c !== OPEN_BRACKET;
          this.depth = this.inString || this.scalar ? 0 : 1;
        }
      } else if (this.state === 'before') {
        if (c === OPEN_BRACKET) this.state = 'between';
      } else if (!isSpace(c) && this.trailingLine === undefined) {
        this.trailingLine = this.line;
      }
    }
    if (this.state === 'value') this.carry += text.slice(start);
  }

  end(): JsonArrayEnd {
    const truncated = this.state !== 'after';
    this.carry = '';
    return { truncated, ...(this.trailingLine === undefined ? {} : { trailingLine: this.trailingLine }) };
  }

  private complete(text: string, start: number, end: number): void {
    const record = this.carry === '' ? text.slice(start, end) : this.carry + text.slice(start, end);
    this.carry = '';
    this.state = 'between';
    this.onRecord(record, ++this.records, this.recordLine);
  }

  /** Complete records handed on so far. */
  get count(): number {
    return this.records;
  }
}
