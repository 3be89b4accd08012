/** Timestamps of the `log show` styles (XPC-MODEL §7.4), to epoch milliseconds. */

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const TIME_OF_DAY = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `+0400`, `-04:00` or `Z` → minutes east of UTC. */
function offsetMinutes(zone: string | undefined): number | null {
  if (!zone) return null;
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/** Fraction digits to ms, exact to the nanosecond: `521570` → 521.57. */
function fractionMs(digits: string | undefined): number {
  return digits ? Number(digits.slice(0, 9).padEnd(9, '0')) / 1e6 : 0;
}

function toEpoch(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string | undefined,
  zone: number,
): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) + fractionMs(frac) - zone * 60_000;
}

export interface ParsedStamp {
  t: number;
  /** False when the text had no UTC offset and UTC was assumed. */
  hasOffset: boolean;
}

/** `2025-08-09 10:11:55.521570-0400` (offset optional: the compact style prints none). */
export function parseStamp(text: string): ParsedStamp | null {
  const m = STAMP.exec(text.trim());
  if (!m) return null;
  const zone = offsetMinutes(m[8]);
  const t = toEpoch(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], zone ?? 0);
  return { t, hasOffset: zone !== null };
}

/** `14:13:25.812156+0400` on the day `anchor` (epoch ms of a UTC midnight). */
export function parseTimeOfDay(text: string, anchor: number): ParsedStamp | null {
  const m = TIME_OF_DAY.exec(text.trim());
  if (!m) return null;
  const zone = offsetMinutes(m[5]);
  const ms = ((+m[1]! * 60 + +m[2]!) * 60 + +m[3]!) * 1000 + fractionMs(m[4]) - (zone ?? 0) * 60_000;
  return { t: anchor + ms, hasOffset: zone !== null };
}

/** `YYYY-MM-DD` → epoch ms of that day's UTC midnight; throws on anything else. */
export function parseAnchorDate(date: string): number {
  const m = DATE.exec(date.trim());
  const t = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) : Number.NaN;
  if (!m || Number.isNaN(t) || new Date(t).getUTCDate() !== +m[3]!) {
    throw new RangeError(`date must be a calendar day as YYYY-MM-DD, not "${date}"`);
  }
  return t;
}

const LOOSE_STAMP =
  /(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?:\s?(Z|[+-]\d{2}:?\d{2})(?![\d:]))?/;
const LOOSE_BSD =
  /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})\b/;
const MONTH_NAMES = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/** A timestamp anywhere in `text`: ISO-like with an optional offset, or syslog's `Aug  3 21:59:50` on the anchor's year. */
export function parseLooseStamp(text: string, anchor = 0): number | null {
  const iso = LOOSE_STAMP.exec(text);
  if (iso) return parseStamp(`${iso[1]}${iso[2] ?? ''}`)?.t ?? null;
  const bsd = LOOSE_BSD.exec(text);
  if (!bsd) return null;
  const year = new Date(anchor).getUTCFullYear();
  return Date.UTC(year, MONTH_NAMES.indexOf(bsd[1]!) / 3, +bsd[2]!, +bsd[3]!, +bsd[4]!, +bsd[5]!);
}
