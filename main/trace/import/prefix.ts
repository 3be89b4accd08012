import { type LogFormat, type LogLevel, levelOf } from './record';
import { parseLooseStamp, parseStamp, parseTimeOfDay } from './time';

/**
 * What the text before a libxpc or launchd body says: each log layout
 * (XPC-MODEL §7.4, §10.3, §10.6) has an exact reader; a prefix in no known
 * layout is read for whatever time, process, pid and subsystem it shows.
 */
export interface PrefixFields {
  layout: LogFormat;
  /** Epoch ms; null when no time could be read. */
  t: number | null;
  /** The prefix gave only a time of day (Console copy): `t` is on the anchor day. */
  timeOfDay?: boolean;
  level: LogLevel;
  process: string;
  pid: number | null;
  subsystem: string;
  category: string;
}

export interface PrefixContext {
  /** Epoch ms of the UTC midnight times of day and year-less dates are placed on. */
  anchor: number;
}

const STAMP = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?`;
const ZONE = String.raw`[+-]\d{4}`;
/** `(libxpc.dylib) [com.apple.xpc:connection] `: a subsystem is reverse-DNS, which keeps launchd's `[system:]` out. */
const DECOR = String.raw`(?:\([^()]*\):? )?(?:\[([^\][:\s]*\.[^\][:\s]*):([^\]]*)\] )?`;

/** `log show` default: `2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0   51184  0    Codex: (libxpc.dylib) [sub:cat] ` */
const DEFAULT = new RegExp(
  String.raw`^(${STAMP}${ZONE})\s+0x[0-9a-fA-F]+\s+(\S+)\s+0x[0-9a-fA-F]+\s+(\d+)\s+\d+\s+(.*?):? ${DECOR}$`,
);
/** compact: `2026-10-06 00:30:17.053 Df Boardsesh[59466:a4efed] [sub:cat] ` (no UTC offset). */
const COMPACT = new RegExp(String.raw`^(${STAMP})\s+([A-Za-z]{1,2})\s+(.+?)\[(\d+):[0-9a-fA-F]+\] ${DECOR}$`);
/** syslog style: `2023-09-27 22:55:39.622369+0200  localhost proc[41737]: (libxpc.dylib) [sub:cat] `. */
const SYSLOG = new RegExp(String.raw`^(${STAMP}${ZONE})\s+(\S+)\s+(.+?)\[(\d+)\]:? ${DECOR}$`);
/** A third-party layout (§10.6): `2023-10-29 22:10:41.2856 -0700 default 0x15d93a 0x0 openmsx[97700] (libxpc.dylib): `. */
const THIRD_PARTY = new RegExp(
  String.raw`^(${STAMP} ${ZONE})\s+(\w+)\s+0x[0-9a-fA-F]+\s+0x[0-9a-fA-F]+\s+(.+?)\[(\d+)\] ${DECOR}$`,
);
/** BSD syslog / pre-Sierra system.log (§10.3): `Aug  3 21:59:50 host com.apple.xpc.launchd[1] `; the host may be missing. */
const BSD = /^([A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2})(?: (\S+))? ([^\s[]+)\[(\d+)\]:? $/;
/** OS X 10.11 Console (§10.6): `7/29/16 12:02:54.766 PM com.apple.xpc.launchd[1]: `, and its localised forms. */
const CONSOLE_1011 =
  /^(\d{1,4}\/\d{1,2}\/\d{1,4}) (\S*?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?: ?[AaPp][Mm])?) (.+?)\[(\d+)\]:? $/;
/** launchd.log (§10.3): only a time, the writer is launchd. */
const LAUNCHD_LOG = /^(?:[\w.-]+\|)?(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+) $/;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

function fields(
  layout: LogFormat,
  t: number | null,
  process: string,
  pid: number | null,
  more: Partial<PrefixFields> = {},
): PrefixFields {
  return { layout, t, level: 'Default', process, pid, subsystem: '', category: '', ...more };
}

function decor(sub: string | undefined, cat: string | undefined): Partial<PrefixFields> {
  return sub ? { subsystem: sub, category: cat ?? '' } : {};
}

/** `Aug  3 21:59:50` on the anchor's year (the line carries none). */
function bsdTime(text: string, ctx: PrefixContext): number | null {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const month = m ? MONTHS[m[1]!] : undefined;
  if (!m || month === undefined) return null;
  const year = new Date(ctx.anchor).getUTCFullYear();
  return Date.UTC(year, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!);
}

/**
 * `7/29/16` with `12:02:54.766 PM`, or `18/1/18` with `上午10:56:19.925`: the
 * date order follows the locale, so a first number over 31 is a year, over 12
 * a day; otherwise month/day/year as in the US locale.
 */
function consoleTime(date: string, time: string): number | null {
  const [a = 0, b = 0, c = 0] = date.split('/').map(Number);
  let y: number;
  let mo: number;
  let d: number;
  if (a > 31) [y, mo, d] = [a, b, c];
  else if (a > 12) [d, mo, y] = [a, b, c];
  else [mo, d, y] = [a, b, c];
  if (y < 100) y += 2000;
  const tm = /(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(time);
  if (!tm) return null;
  let h = +tm[1]!;
  const pm = /[Pp][Mm]|下午|午後|오후/.test(time);
  const am = /[Aa][Mm]|上午|午前|오전/.test(time);
  if (pm && h < 12) h += 12;
  if (am && h === 12) h = 0;
  const frac = tm[4] ? Number(`0.${tm[4]}`) * 1000 : 0;
  return Date.UTC(y, mo - 1, d, h, +tm[2]!, +tm[3]!) + frac;
}

function exact(prefix: string, ctx: PrefixContext): PrefixFields | null {
  let m = DEFAULT.exec(prefix);
  if (m) {
    return fields('default', parseStamp(m[1]!)?.t ?? null, m[4]!, +m[3]!, {
      level: levelOf(m[2]!) ?? 'Default',
      ...decor(m[5], m[6]),
    });
  }
  m = COMPACT.exec(prefix);
  if (m) {
    return fields('compact', parseStamp(m[1]!)?.t ?? null, m[3]!, +m[4]!, {
      level: levelOf(m[2]!) ?? 'Default',
      ...decor(m[5], m[6]),
    });
  }
  m = SYSLOG.exec(prefix);
  if (m) return fields('syslog', parseStamp(m[1]!)?.t ?? null, m[3]!, +m[4]!, decor(m[5], m[6]));
  m = THIRD_PARTY.exec(prefix);
  if (m) {
    return fields('third-party', parseStamp(m[1]!)?.t ?? null, m[3]!, +m[4]!, {
      level: levelOf(m[2]!) ?? 'Default',
      ...decor(m[5], m[6]),
    });
  }
  m = BSD.exec(prefix);
  if (m) return fields('bsd-syslog', bsdTime(m[1]!, ctx), m[3]!, +m[4]!);
  m = CONSOLE_1011.exec(prefix);
  if (m) return fields('console-1011', consoleTime(m[1]!, m[2]!), m[3]!, +m[4]!);
  m = LAUNCHD_LOG.exec(prefix);
  if (m) return fields('launchd-log', parseStamp(m[1]!)?.t ?? null, 'launchd', 1);
  return null;
}

const TIME_FIELD = /^(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\s*(?:Z|[+-]\d{2}:?\d{2})?$/;
const REVERSE_DNS = /^[a-z][a-z0-9-]*(?:\.[A-Za-z0-9_-]+)+$/;

/**
 * A Console.app copy (XPC-MODEL §10.6): the visible columns in the order
 * shown, tab-separated, or with the tabs turned into runs of spaces on a web
 * page. Columns are told apart by what they hold: a type word in any of
 * Console's languages, a time, digits (PID), hex (TID, activity), a
 * reverse-DNS subsystem and the category after it; the first other column is
 * the process.
 */
function consoleColumns(prefix: string, ctx: PrefixContext): PrefixFields | null {
  const columns = prefix
    .split(/\t| {2,}/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (columns.length < 2) return null;
  let level: LogLevel | null = null;
  let t: number | null = null;
  let timeOfDay = false;
  let pid: number | null = null;
  const names: string[] = [];
  for (const column of columns) {
    const asLevel: LogLevel | null = level === null ? levelOf(column) : null;
    if (asLevel) level = asLevel;
    else if (t === null && TIME_FIELD.test(column)) {
      const full = parseStamp(column);
      t = full ? full.t : (parseTimeOfDay(column, ctx.anchor)?.t ?? null);
      timeOfDay = full === null;
    } else if (/^\d+$/.test(column)) pid ??= Number(column);
    else if (/^0x[0-9a-fA-F]+$/.test(column)) continue;
    else names.push(column);
  }
  if (level === null && t === null) return null;
  let subsystem = '';
  let category = '';
  const xpc = names.findIndex((n) => n === 'com.apple.xpc' || n.startsWith('com.apple.xpc.'));
  const at = xpc >= 0 ? xpc : names.length > 1 ? names.findIndex((n) => REVERSE_DNS.test(n)) : -1;
  if (at >= 0) {
    subsystem = names[at]!;
    names.splice(at, 1);
    if (names.length > 1 && at < names.length && !REVERSE_DNS.test(names[at]!)) {
      category = names[at]!;
      names.splice(at, 1);
    }
  }
  return {
    layout: 'console-copy',
    t,
    ...(timeOfDay ? { timeOfDay } : {}),
    level: level ?? 'Default',
    process: names[0] ?? '',
    pid,
    subsystem,
    category,
  };
}

/** Whatever an unknown prefix shows: a timestamp anywhere, the last `name[pid]`, a `[subsystem:category]`. */
function loose(prefix: string, ctx: PrefixContext): PrefixFields {
  const t = parseLooseStamp(prefix, ctx.anchor);
  let process = '';
  let pid: number | null = null;
  for (const m of prefix.matchAll(/([^\s[\]()]+)\[(\d+)(?::[0-9a-fA-F]+)?\]/g)) {
    process = m[1]!;
    pid = Number(m[2]);
  }
  const d = /\[([^\][:\s]*\.[^\][:\s]*):([^\]]*)\]/.exec(prefix);
  const level = /\b(Default|Info|Debug|Error|Fault)\b/i.exec(prefix);
  return fields('text', t, process, pid, {
    ...(level ? { level: levelOf(level[1]!) ?? 'Default' } : {}),
    ...decor(d?.[1], d?.[2]),
  });
}

/** Reads the text before a body; `prefix` is empty for a body alone on its line. */
export function readPrefix(raw: string, ctx: PrefixContext): PrefixFields {
  // Markdown a pasted line may sit in: inline code quotes, list bullets, block quotes.
  const prefix = raw.replace(/^(?:\s*(?:`+|[*>-] ))+/, '');
  return exact(prefix, ctx) ?? consoleColumns(prefix, ctx) ?? loose(prefix, ctx);
}
