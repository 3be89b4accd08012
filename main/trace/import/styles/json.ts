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

export interface JsonArrayRead {
  items: unknown[];
  /** Set when the array was cut short (e.g. `log show` interrupted) and only the complete records were read. */
  truncated: boolean;
}

/** Parses the array; salvages the complete records of a cut-short one; throws SyntaxError if nothing can be read. */
export function readJsonArray(text: string): JsonArrayRead {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return { items: value, truncated: false };
    throw new SyntaxError('the JSON text is not an array');
  } catch (err) {
    const lastClose = text.lastIndexOf('}');
    if (lastClose < 0) throw err;
    const value: unknown = JSON.parse(`${text.slice(0, lastClose + 1)}]`);
    if (!Array.isArray(value)) throw err;
    return { items: value, truncated: true };
  }
}
