import type { LineResult, LogFormat, Warning } from './record';
import { parseCompactLine } from './styles/compact';
import { type ConsoleClock, parseConsoleCopyLine } from './styles/console-copy';
import { parseDefaultLine } from './styles/default';
import { parseNdjsonLine, readJsonArray, recordFromJson } from './styles/json';
import { parseSyslogLine } from './styles/syslog';
import { parseAnchorDate } from './time';

export interface ReadOptions {
  /** `YYYY-MM-DD`: the day Console copy times of day are placed on; the other styles carry their own date. */
  date?: string;
  onProgress?: (fraction: number) => void;
}

/** Called once per non-empty line (or JSON record), with what the style parser made of it. */
export type Visit = (result: LineResult, lineNo: number) => void;

/** How often progress is reported, in lines. */
const PROGRESS_EVERY = 4096;

type LineParser = (line: string, lineNo: number) => LineResult;

function lineParser(
  format: Exclude<LogFormat, 'json'>,
  options: ReadOptions,
  warn: (w: Warning) => void,
): LineParser {
  switch (format) {
    case 'default':
      return parseDefaultLine;
    case 'compact':
      return parseCompactLine;
    case 'syslog':
      return parseSyslogLine;
    case 'ndjson':
      return parseNdjsonLine;
    case 'console-copy': {
      const clock: ConsoleClock = { anchor: options.date ? parseAnchorDate(options.date) : 0, last: null };
      if (!options.date) {
        warn({
          line: 0,
          message:
            'Console copy rows carry only a time of day: they are placed on 1970-01-01 (pass a date to anchor them)',
        });
      }
      return (line, lineNo) => parseConsoleCopyLine(line, lineNo, clock);
    }
  }
}

function readLines(
  text: string,
  parse: LineParser,
  visit: Visit,
  onProgress?: (fraction: number) => void,
): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() !== '') visit(parse(line, i + 1), i + 1);
    if (onProgress && i % PROGRESS_EVERY === PROGRESS_EVERY - 1) onProgress(i / lines.length);
  }
}

function readJson(
  text: string,
  visit: Visit,
  warn: (w: Warning) => void,
  onProgress?: (fraction: number) => void,
): void {
  const { items, truncated } = readJsonArray(text);
  if (truncated)
    warn({ line: items.length, message: 'the JSON array is cut short: read up to its last complete record' });
  for (let i = 0; i < items.length; i++) {
    visit(recordFromJson(items[i], i + 1), i + 1);
    if (onProgress && i % PROGRESS_EVERY === PROGRESS_EVERY - 1) onProgress(i / items.length);
  }
}

/** Walks the log in `format`, one visit per non-empty line or JSON record; progress ends at 1. */
export function readLog(
  text: string,
  format: LogFormat,
  options: ReadOptions,
  visit: Visit,
  warn: (w: Warning) => void,
): void {
  if (format === 'json') readJson(text, visit, warn, options.onProgress);
  else readLines(text, lineParser(format, options, warn), visit, options.onProgress);
  options.onProgress?.(1);
}
