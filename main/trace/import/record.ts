/** One log message as a style parser reads it, before anything XPC-specific is looked at. */

export type LogFormat = 'default' | 'compact' | 'syslog' | 'json' | 'ndjson' | 'console-copy';

export type LogLevel = 'Default' | 'Info' | 'Debug' | 'Error' | 'Fault';

export interface LogRecord {
  /** 1-based line number in the text; for `--style json`, the 1-based index of the record in the array. */
  line: number;
  /** Milliseconds since the epoch, or null when the timestamp could not be read. */
  t: number | null;
  level: LogLevel;
  process: string;
  /** Null when the style does not carry one (Console copy without a PID column). */
  pid: number | null;
  /** Empty when the style does not show it. */
  subsystem: string;
  category: string;
  message: string;
  /** Only `--style json`/`ndjson` carry the user id. */
  uid?: number;
}

/** What a style parser reports for one line: a record, or nothing to use (header, continuation, activity row). */
export type LineResult = LogRecord | null;

export interface Warning {
  line: number;
  message: string;
}

const LEVELS: Readonly<Record<string, LogLevel>> = {
  default: 'Default',
  notice: 'Default',
  df: 'Default',
  info: 'Info',
  i: 'Info',
  debug: 'Debug',
  db: 'Debug',
  error: 'Error',
  e: 'Error',
  fault: 'Fault',
  f: 'Fault',
};

/**
 * The os_log type of a row, from its Type column (`Default`), compact code
 * (`Df`, XPC-MODEL §7.4) or Console's lower-case word. Null for rows that are
 * not log messages (activities, signposts, state events).
 */
export function levelOf(word: string): LogLevel | null {
  return LEVELS[word.trim().toLowerCase()] ?? null;
}

/**
 * The `(sender image) [subsystem:category] ` decorations that the default,
 * compact and syslog styles put before the message. A sender image has no `/`
 * or brackets, which keeps launchd's own `(gui/501/label [pid])` prefix in the
 * message (XPC-MODEL §7.1).
 */
const DECORATION = /^(?:\(([^()/[\]]+)\) )?(?:\[([^\][:\s]+):([^\]]*)\] )?/;

export function splitDecorations(rest: string): { subsystem: string; category: string; message: string } {
  const m = DECORATION.exec(rest);
  const subsystem = m?.[2] ?? '';
  const category = m?.[3] ?? '';
  return { subsystem, category, message: rest.slice(m?.[0].length ?? 0) };
}
