import type { LogFormat } from './record';

export const FORMAT_NAMES: Readonly<Record<LogFormat, string>> = {
  default: 'log show default',
  compact: 'compact',
  syslog: 'syslog',
  json: 'json',
  ndjson: 'ndjson',
  'console-copy': 'Console copy',
  'launchd-log': 'launchd.log',
  'bsd-syslog': 'system.log',
  'console-1011': 'OS X 10.11 Console',
  'third-party': 'third-party prefix',
  'unifiedlog-jsonl': 'unifiedlog_iterator JSONL',
  'unifiedlog-csv': 'unifiedlog_iterator CSV',
  text: 'text',
};

/**
 * A log none of whose lines is a libxpc or launchd line (XPC-MODEL §7.2, §7.3,
 * §10.3). It quotes the first lines that mention xpc or launchd, so the user
 * can report a layout the importer does not read, or else the first lines.
 */
/** What a line is, in words that say nothing of what it holds. */
function lineKind(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks binary data
  const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(line);
  return `${binary ? 'binary data' : 'text'}, ${line.length} character${line.length === 1 ? '' : 's'} long`;
}

export class UnknownLogFormatError extends Error {
  /** The lines quoted: those that mention xpc or launchd. */
  readonly sample: readonly string[];

  constructor(
    readonly linesRead: number,
    mentions: readonly string[],
    first: readonly string[],
    source?: string,
  ) {
    const where = source ? `${source}: ` : '';
    let what: string;
    if (linesRead === 0) what = 'the log has no non-empty lines';
    else {
      const count = linesRead === 1 ? 'its only line is' : `none of its ${linesRead} lines is`;
      const head = `${count} ${linesRead === 1 ? 'not ' : ''}a libxpc or launchd line (XPC-MODEL §7.2, §7.3, §10.3)`;
      if (mentions.length > 0) {
        // Lines that mention xpc or launchd are what a user reports a new layout with.
        const lines = mentions
          .map((l) => `  ${JSON.stringify(l.length > 200 ? `${l.slice(0, 200)}…` : l)}`)
          .join('\n');
        what = `${head}; lines that mention xpc or launchd:\n${lines}`;
      } else {
        // Described by its kind, never quoted: a file that is no log may be anyone's (a password file, an environment).
        const kind = first[0] === undefined ? '' : `; the first line is ${lineKind(first[0])}`;
        what = `${head}; no line mentions xpc or launchd${kind}`;
      }
    }
    super(`${where}${what}`);
    this.name = 'UnknownLogFormatError';
    this.sample = mentions;
  }
}
