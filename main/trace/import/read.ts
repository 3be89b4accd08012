import { LineSplitter } from '../lines';
import type { LineResult, LogFormat, Warning } from './record';
import { parseCompactLine } from './styles/compact';
import { type ConsoleClock, parseConsoleCopyLine } from './styles/console-copy';
import { parseDefaultLine } from './styles/default';
import { JsonArraySplitter, parseNdjsonLine, recordFromJson } from './styles/json';
import { parseSyslogLine } from './styles/syslog';
import { parseAnchorDate } from './time';

export interface ReadOptions {
  /** `YYYY-MM-DD`: the day Console copy times of day are placed on; the other styles carry their own date. */
  date?: string;
}

/** Called once per non-empty line (or JSON record), with what the style parser made of it. */
export type Visit = (result: LineResult, lineNo: number) => void;

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

/** Where a style's text goes as it arrives: lines for the line styles, records for a json array. */
export interface LogReader {
  push(text: string): void;
  end(): void;
}

function lineReader(parse: LineParser, visit: Visit): LogReader {
  return new LineSplitter((raw, lineNo) => {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') visit(parse(line, lineNo), lineNo);
  });
}

function jsonReader(visit: Visit, warn: (w: Warning) => void): LogReader {
  const splitter = new JsonArraySplitter((text, index, line) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      warn({ line: index, message: `record ${index} (text line ${line}) is not valid JSON: ${why}` });
      visit(null, index);
      return;
    }
    visit(recordFromJson(value, index), index);
  });
  return {
    push: (text) => splitter.push(text),
    end() {
      const { truncated, trailingLine } = splitter.end();
      if (truncated)
        warn({
          line: splitter.count,
          message: 'the JSON array is cut short: read up to its last complete record',
        });
      if (trailingLine !== undefined)
        warn({
          line: 0,
          message: `text line ${trailingLine}: text after the JSON array's closing ] is ignored`,
        });
    },
  };
}

/**
 * Reads a log in `format` as its text arrives, one visit per non-empty line
 * or JSON record; line numbers are 1-based text lines, or record indexes for
 * a json array.
 */
export function logReader(
  format: LogFormat,
  options: ReadOptions,
  visit: Visit,
  warn: (w: Warning) => void,
): LogReader {
  return format === 'json' ? jsonReader(visit, warn) : lineReader(lineParser(format, options, warn), visit);
}
