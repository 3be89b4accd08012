import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fsErrorInfo } from './fs-error';
import { TraceLineParser, type TraceParseResult, type TraceProblem } from './parse';
import type { TraceEvent, TraceHeader } from './schema';

export type { TraceParseResult, TraceProblem } from './parse';

export interface StreamTraceOptions {
  /** Called once before reading and after every chunk; `bytesRead` ends equal to `totalBytes`. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Read size; large enough to keep syscalls rare, small enough for smooth progress. */
  chunkBytes?: number;
}

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
export class TraceReadError extends Error {
  readonly code: string | undefined;
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const info = fsErrorInfo(cause);
    super(`cannot read trace ${path}: ${info.words}`, { cause });
    this.name = 'TraceReadError';
    this.code = info.code;
    this.path = path;
  }
}

const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Reads a trace without keeping its events: each valid event goes to `onEvent`
 * and is then forgotten, so a multi-gigabyte recording needs only one chunk of
 * memory. Bad lines become problems and reading goes on.
 */
export async function streamTrace(
  path: string,
  onEvent: (event: TraceEvent) => void,
  opts: StreamTraceOptions = {},
): Promise<StreamTraceResult> {
  const totalBytes = await fileSize(path);
  const parser = new TraceLineParser(onEvent);
  opts.onProgress?.(0, totalBytes);
  let bytesRead = 0;
  try {
    bytesRead = await feedLines(path, parser, totalBytes, opts);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new TraceReadError(path, err);
  }
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

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return info.size;
  } catch (err) {
    throw new TraceReadError(path, err);
  }
}

/** Splits the byte stream into lines itself (not readline) so it knows whether the file ends mid-line. */
async function feedLines(
  path: string,
  parser: TraceLineParser,
  totalBytes: number,
  opts: StreamTraceOptions,
): Promise<number> {
  const stream = createReadStream(path, {
    highWaterMark: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // A multi-byte character may straddle two chunks; the streaming decoder holds the partial bytes.
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let lineNo = 0;
  let bytesRead = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    carry += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = carry.indexOf('\n'); nl !== -1; nl = carry.indexOf('\n', start)) {
      parser.line(carry.slice(start, nl), ++lineNo);
      start = nl + 1;
    }
    carry = carry.slice(start);
    // A file still being recorded can grow while it is read.
    opts.onProgress?.(bytesRead, Math.max(totalBytes, bytesRead));
  }
  carry += decoder.decode();
  if (carry !== '') parser.line(carry, ++lineNo, false);
  return bytesRead;
}
