import { type LineResult, type LogLevel, levelOf } from '../record';
import { parseStamp, parseTimeOfDay } from '../time';

/**
 * Console.app "Copy": one tab-separated row per message, columns as shown,
 * e.g. `default\t14:13:25.812156+0400\tCoder Desktop\t[0x154f2d5b0] invalidated because …`
 * (XPC-MODEL §7.4, CODER-121). Type, time and process come first and the
 * message last; optional columns between them are told apart by content:
 * digits are a PID, the first other one the subsystem, the next the category.
 */

const TIME = /^(?:\d{4}-\d{2}-\d{2} )?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\s*(?:Z|[+-]\d{2}:?\d{2})?$/;

function typeOf(field: string | undefined): LogLevel | null {
  return field === undefined ? null : levelOf(field);
}

export function matchesConsoleCopy(line: string): boolean {
  const fields = line.split('\t');
  return fields.length >= 4 && typeOf(fields[0]) !== null && TIME.test(fields[1]!.trim());
}

interface Middle {
  pid: number | null;
  subsystem: string;
  category: string;
}

function readMiddle(fields: string[]): Middle {
  const out: Middle = { pid: null, subsystem: '', category: '' };
  let named = 0;
  for (const raw of fields) {
    const field = raw.trim();
    if (/^\d+$/.test(field)) out.pid = Number(field);
    else if (named++ === 0) out.subsystem = field;
    else if (named === 2) out.category = field;
  }
  return out;
}

export interface ConsoleClock {
  /** Epoch ms of the UTC midnight the times of day are placed on. */
  anchor: number;
  /** The last time read, to notice the clock passing midnight. */
  last: number | null;
}

const DAY = 86_400_000;

/** A time of day earlier than the previous one by over 12 h is read as the next day. */
function timeOf(text: string, clock: ConsoleClock): number | null {
  const full = parseStamp(text);
  if (full) return full.t;
  const parsed = parseTimeOfDay(text, clock.anchor);
  if (!parsed) return null;
  let t = parsed.t;
  if (clock.last !== null && t < clock.last - DAY / 2) {
    clock.anchor += DAY;
    t += DAY;
  }
  clock.last = t;
  return t;
}

export function parseConsoleCopyLine(line: string, lineNo: number, clock: ConsoleClock): LineResult {
  const fields = line.split('\t');
  const level = typeOf(fields[0]);
  if (fields.length < 4 || !level) return null;
  const middle = readMiddle(fields.slice(3, -1));
  return {
    line: lineNo,
    t: timeOf(fields[1]!, clock),
    level,
    process: fields[2]!.trim(),
    message: fields.at(-1)!,
    ...middle,
  };
}
