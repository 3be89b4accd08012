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
export class UnknownLogFormatError extends Error {
  /** The lines quoted. */
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
      const quoted = mentions.length > 0 ? mentions : first;
      const label =
        mentions.length > 0
          ? 'lines that mention xpc or launchd'
          : 'no line mentions xpc or launchd; first lines';
      const lines = quoted
        .map((l) => `  ${JSON.stringify(l.length > 200 ? `${l.slice(0, 200)}…` : l)}`)
        .join('\n');
      what = `${count} ${linesRead === 1 ? 'not ' : ''}a libxpc or launchd line (XPC-MODEL §7.2, §7.3, §10.3); ${label}:\n${lines}`;
    }
    super(`${where}${what}`);
    this.name = 'UnknownLogFormatError';
    this.sample = mentions.length > 0 ? mentions : first;
  }
}
