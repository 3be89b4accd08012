/** One log message as a style parser reads it, before anything XPC-specific is looked at. */

export type LogFormat =
  | 'default'
  | 'compact'
  | 'syslog'
  | 'json'
  | 'ndjson'
  | 'console-copy'
  | 'launchd-log'
  | 'bsd-syslog'
  | 'console-1011'
  | 'third-party'
  | 'unifiedlog-jsonl'
  | 'unifiedlog-csv'
  /** Lines in no known layout, read for their XPC bodies. */
  | 'text';

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
  /** The layout the line was read in. */
  layout?: LogFormat;
  /** Only a time of day was shown (Console copy): `t` is on the anchor day. */
  timeOfDay?: boolean;
}

/** What a style parser reports for one line: a record, or nothing to use (header, continuation, activity row). */
export type LineResult = LogRecord | null;

export interface Warning {
  line: number;
  message: string;
  /** The time of the line the warning is about; none for a warning about the whole log. */
  t?: number;
}

/** Type words as `log` prints them, compact codes (XPC-MODEL §7.4), and Console's column in the languages it ships (§10.6). */
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
  // German
  standard: 'Default',
  informationen: 'Info',
  fehler: 'Error',
  // French
  'par défaut': 'Default',
  défaut: 'Default',
  information: 'Info',
  débogage: 'Debug',
  erreur: 'Error',
  erreur_grave: 'Fault',
  // Spanish, Italian, Portuguese
  'por omisión': 'Default',
  predeterminado: 'Default',
  predefinito: 'Default',
  padrão: 'Default',
  depuración: 'Debug',
  errore: 'Error',
  erro: 'Error',
  // Japanese, Chinese, Korean
  デフォルト: 'Default',
  情報: 'Info',
  デバッグ: 'Debug',
  エラー: 'Error',
  障害: 'Fault',
  默认: 'Default',
  預設: 'Default',
  信息: 'Info',
  调试: 'Debug',
  错误: 'Error',
  故障: 'Fault',
  기본: 'Default',
  정보: 'Info',
  디버그: 'Debug',
  오류: 'Error',
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
const DECORATION = /^(?:\(([^()/[\]]+)\) )?(?:\[([^\][:\s]*\.[^\][:\s]*):([^\]]*)\] )?/;

export function splitDecorations(rest: string): { subsystem: string; category: string; message: string } {
  const m = DECORATION.exec(rest);
  const subsystem = m?.[2] ?? '';
  const category = m?.[3] ?? '';
  return { subsystem, category, message: rest.slice(m?.[0].length ?? 0) };
}
