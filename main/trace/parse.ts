import type { z } from 'zod';
import {
  SCHEMA_VERSION,
  type TraceEvent,
  TraceEventSchema,
  type TraceHeader,
  TraceHeaderSchema,
} from './schema';

/**
 * Reading NDJSON trace text, line by line. Pure: no file system, so the
 * renderer can load a dropped file with the same rules the CLI uses.
 */

export const TRACE_FORMAT = 'xpc-lab-trace';

export interface TraceProblem {
  /** 1-based line number in the file. */
  line: number;
  /** Plain words, starting with "line N:" so it can be shown on its own. */
  message: string;
}

export interface TraceParseResult {
  header: TraceHeader | null;
  events: TraceEvent[];
  problems: TraceProblem[];
}

/** A broken file should not turn into a million-entry problem list. */
const MAX_PROBLEMS = 200;
const MAX_ISSUES_PER_LINE = 3;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return typeof value;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || 'the event';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** One zod issue in words a user can act on, e.g. `"size" must be at least 0 (found -1)`. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path);
  const found = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_union':
      if (issue.path.at(-1) === 'kind') {
        return found === undefined ? 'the "kind" field is missing' : `unknown event kind ${preview(found)}`;
      }
      return `"${where}" has an unexpected shape`;
    case 'invalid_type':
      if (found === undefined) return `"${where}" is missing (expected ${issue.expected})`;
      return `"${where}" should be ${issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}, not ${kindOfValue(found)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `"${where}" should be ${preview(issue.values[0])}, not ${preview(found)}`
        : `"${where}" should be one of ${issue.values.map((v) => preview(v)).join(', ')}, not ${preview(found)}`;
    case 'too_small':
      return `"${where}" must be at least ${String(issue.minimum)} (found ${preview(found)})`;
    case 'too_big':
      return `"${where}" must be at most ${String(issue.maximum)} (found ${preview(found)})`;
    default:
      return `"${where}": ${issue.message}`;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const shown = issues.slice(0, MAX_ISSUES_PER_LINE).map((issue) => describeIssue(issue, input));
  const more = issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

function newerVersion(obj: JsonObject): number | null {
  return typeof obj.v === 'number' && obj.v > SCHEMA_VERSION ? obj.v : null;
}

/**
 * Consumes a trace one line at a time. Shared by the streaming file reader and
 * `parseTraceText`, so both report the same problems in the same words.
 */
export class TraceLineParser {
  header: TraceHeader | null = null;
  readonly problems: TraceProblem[] = [];
  eventCount = 0;
  private contentLines = 0;
  private omittedProblems = 0;
  private firstOmittedLine = 0;
  private skippedNewer = 0;
  private firstSkippedNewerLine = 0;
  private newestSkippedVersion = 0;

  constructor(private readonly onEvent: (event: TraceEvent) => void) {}

  /**
   * `complete` is false only for the last line of a file that does not end in
   * a newline: the usual sign of a recording cut off mid-write.
   */
  line(raw: string, lineNo: number, complete = true): void {
    const text = (lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
    if (text.trim() === '') return;
    const first = this.contentLines++ === 0;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.problem(lineNo, this.jsonProblem(err, complete));
      return;
    }
    if (isObject(value) && 'format' in value) {
      this.headerLine(value, lineNo, first);
      return;
    }
    if (first) this.problem(lineNo, 'no trace header; reading the lines as events anyway');
    this.eventLine(value, lineNo);
  }

  /** Adds the summaries that can only be written once the whole file has been seen. */
  finish(): void {
    if (this.contentLines === 0) this.push({ line: 1, message: 'line 1: the file is empty' });
    if (this.skippedNewer > 0) {
      this.push({
        line: this.firstSkippedNewerLine,
        message:
          `line ${this.firstSkippedNewerLine}: ${this.skippedNewer} event${this.skippedNewer === 1 ? '' : 's'} ` +
          `of schema version ${this.newestSkippedVersion} could not be read by this version of XPC Lab and ` +
          `${this.skippedNewer === 1 ? 'was' : 'were'} skipped`,
      });
    }
    if (this.omittedProblems > 0) {
      this.push({
        line: this.firstOmittedLine,
        message: `line ${this.firstOmittedLine}: ${this.omittedProblems} more problem${this.omittedProblems === 1 ? '' : 's'} from here on ${this.omittedProblems === 1 ? 'is' : 'are'} not listed`,
      });
    }
  }

  private jsonProblem(err: unknown, complete: boolean): string {
    const detail = err instanceof Error ? err.message : String(err);
    if (!complete) return `the last line is incomplete (the recording was probably cut off): ${detail}`;
    return `not valid JSON: ${detail}`;
  }

  private headerLine(obj: JsonObject, lineNo: number, first: boolean): void {
    if (!first) {
      this.problem(
        lineNo,
        'a second trace header in the middle of the file (were two traces joined?); reading on',
      );
      return;
    }
    if (obj.format !== TRACE_FORMAT) {
      this.problem(
        lineNo,
        `not an XPC Lab trace (format ${preview(obj.format)}); trying to read the lines as events`,
      );
      return;
    }
    const v = newerVersion(obj);
    if (v !== null) {
      this.problem(
        lineNo,
        `this trace uses schema version ${v}; XPC Lab reads up to version ${SCHEMA_VERSION} — events it cannot read are skipped`,
      );
    }
    const parsed = TraceHeaderSchema.safeParse(obj);
    if (parsed.success) this.header = parsed.data;
    else if (v === null)
      this.problem(lineNo, `the trace header is malformed: ${describeIssues(parsed.error.issues, obj)}`);
  }

  private eventLine(value: unknown, lineNo: number): void {
    if (!isObject(value)) {
      this.problem(lineNo, `expected an event object, found ${kindOfValue(value)}`);
      return;
    }
    const v = newerVersion(value);
    if (v !== null) {
      this.newerEventLine(value, v, lineNo);
      return;
    }
    const parsed = TraceEventSchema.safeParse(value);
    if (parsed.success) {
      this.accept(parsed.data);
      return;
    }
    const knownKind =
      typeof value.kind === 'string' && parsed.error.issues.every((i) => i.code !== 'invalid_union');
    const prefix = knownKind ? `${value.kind} event: ` : '';
    this.problem(lineNo, `${prefix}${describeIssues(parsed.error.issues, value)}`);
  }

  /**
   * A newer writer may have added fields or kinds. Events whose shape this
   * version still understands are kept (unknown fields are dropped); the rest
   * are counted and summarised once instead of flooding the problem list.
   */
  private newerEventLine(obj: JsonObject, v: number, lineNo: number): void {
    const parsed = TraceEventSchema.safeParse({ ...obj, v: SCHEMA_VERSION });
    if (parsed.success) {
      this.accept(parsed.data);
      return;
    }
    if (this.skippedNewer === 0) this.firstSkippedNewerLine = lineNo;
    this.skippedNewer++;
    this.newestSkippedVersion = Math.max(this.newestSkippedVersion, v);
  }

  private accept(event: TraceEvent): void {
    this.eventCount++;
    this.onEvent(event);
  }

  private problem(line: number, words: string): void {
    if (this.problems.length >= MAX_PROBLEMS) {
      if (this.omittedProblems === 0) this.firstOmittedLine = line;
      this.omittedProblems++;
      return;
    }
    this.push({ line, message: `line ${line}: ${words}` });
  }

  private push(problem: TraceProblem): void {
    this.problems.push(problem);
  }
}

/** Parses a whole trace held in memory (a file dropped on the renderer, a test fixture). */
export function parseTraceText(text: string): TraceParseResult {
  const events: TraceEvent[] = [];
  const parser = new TraceLineParser((event) => events.push(event));
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  for (let i = 0; i < lines.length; i++) {
    const last = i === lines.length - 1;
    parser.line(lines[i]!, i + 1, !last || endsWithNewline);
  }
  parser.finish();
  return { header: parser.header, events, problems: parser.problems };
}
