import type { LogFormat } from './record';
import { matchesCompact } from './styles/compact';
import { matchesConsoleCopy } from './styles/console-copy';
import { matchesDefault } from './styles/default';
import { looksLikeJsonArray, matchesNdjson } from './styles/json';
import { matchesSyslog } from './styles/syslog';

export const FORMAT_NAMES: Readonly<Record<LogFormat, string>> = {
  default: 'log show default',
  compact: 'compact',
  syslog: 'syslog',
  json: 'json',
  ndjson: 'ndjson',
  'console-copy': 'Console copy',
};

/** How many non-empty lines detection looks at: enough to get past `log show`'s "Filtering…" preamble. */
export const SAMPLE_LINES = 20;

/** Line styles in the order ties are broken: the stricter row shapes first. */
const LINE_STYLES: readonly [Exclude<LogFormat, 'json'>, (line: string) => boolean][] = [
  ['default', matchesDefault],
  ['compact', matchesCompact],
  ['syslog', matchesSyslog],
  ['ndjson', matchesNdjson],
  ['console-copy', matchesConsoleCopy],
];

function linesWord(n: number): string {
  if (n === 1) return 'the only non-empty line matches';
  return n < SAMPLE_LINES ? `all ${n} non-empty lines match` : `the first ${n} non-empty lines match`;
}

/** What a line is, in words that say nothing of what it holds. */
function lineKind(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks binary data
  const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(line);
  return `${binary ? 'binary data' : 'text'}, ${line.length} character${line.length === 1 ? '' : 's'} long`;
}

export class UnknownLogFormatError extends Error {
  /** The lines that were looked at. */
  readonly sample: readonly string[];

  constructor(sample: readonly string[], source?: string) {
    const names = Object.values(FORMAT_NAMES).join(', ');
    const what =
      sample.length === 0
        ? 'the log has no non-empty lines'
        : `${linesWord(sample.length)} none of: ${names}`;
    // Described by its kind, never quoted: the file may be anyone's (a password file, an environment).
    const first = sample[0] === undefined ? '' : ` (the first line is ${lineKind(sample[0])})`;
    super(`${source ? `${source}: ` : ''}${what}${first}`);
    this.name = 'UnknownLogFormatError';
    this.sample = sample;
  }
}

function sampleLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < SAMPLE_LINES && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (line.trim() !== '') out.push(line);
    start = end + 1;
  }
  return out;
}

/** The style most of the sampled lines match; throws UnknownLogFormatError when none matches any. */
export function detectFormat(text: string, source?: string): LogFormat {
  if (looksLikeJsonArray(text)) return 'json';
  const sample = sampleLines(text);
  let best: LogFormat | null = null;
  let bestCount = 0;
  for (const [format, matches] of LINE_STYLES) {
    const count = sample.filter(matches).length;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  if (!best) throw new UnknownLogFormatError(sample, source);
  return best;
}
