import { FileReadError } from './fs-error';
import { LineSplitter, resumeOffset } from './lines';
import { TraceLineParser, type TraceParseResult, type TraceProblem } from './parse';
import type { TraceEvent, TraceHeader } from './schema';
import { streamTextFile, type TextFileOptions } from './text-file';

export type { TraceParseResult, TraceProblem } from './parse';

export type StreamTraceOptions = TextFileOptions;

export interface ReadTraceOptions extends StreamTraceOptions {
  onEvent?: (event: TraceEvent) => void;
}

export interface StreamTraceResult {
  header: TraceHeader | null;
  problems: TraceProblem[];
  eventCount: number;
  bytesRead: number;
}

/** A trace file that could not be opened or read at all (as opposed to a bad line in it). */
export class TraceReadError extends FileReadError {
  constructor(path: string, cause: unknown) {
    super('trace', path, cause);
    this.name = 'TraceReadError';
  }
}

/**
 * Reads a trace without keeping its events: each valid event goes to `onEvent`
 * and is then forgotten, so a multi-gigabyte recording needs only one chunk of
 * memory. Bad lines become problems and reading goes on.
 *
 * `onEvent` also gets where a later re-read (`start`) can begin and still find
 * that event. Read from a `start` inside the file, the partial line it lands in
 * is skipped, and so is the header check.
 */
export async function streamTrace(
  path: string,
  onEvent: (event: TraceEvent, resumeAt: number) => void,
  opts: StreamTraceOptions = {},
): Promise<StreamTraceResult> {
  let resumeAt = 0;
  const parser = new TraceLineParser((event) => onEvent(event, resumeAt));
  const skipFirst = (opts.start ?? 0) > 0;
  // The splitter, not readline, so the parser knows whether the file ends mid-line.
  const lines = new LineSplitter((line, lineNo, complete, chunkStart) => {
    if (skipFirst && lineNo === 1) return;
    resumeAt = resumeOffset(chunkStart);
    parser.line(line, lineNo, complete);
  });
  let bytesRead = 0;
  try {
    ({ bytesRead } = await streamTextFile(path, (text, chunkStart) => lines.push(text, chunkStart), opts));
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new TraceReadError(path, err);
  }
  lines.end();
  parser.finish();
  return { header: parser.header, problems: parser.problems, eventCount: parser.eventCount, bytesRead };
}

/** Reads a whole trace into memory: the shape `parseTraceText` returns, from a file. */
export async function readTrace(path: string, opts: ReadTraceOptions = {}): Promise<TraceParseResult> {
  const events: TraceEvent[] = [];
  const { onEvent, ...rest } = opts;
  const result = await streamTrace(
    path,
    (event) => {
      events.push(event);
      onEvent?.(event);
    },
    rest,
  );
  return { header: result.header, events, problems: result.problems };
}
