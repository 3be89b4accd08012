import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { detectFormat } from './import/detect';
import { TRACE_FORMAT } from './parse';
import { TraceEventSchema } from './schema';

/** Enough of a file's start to see its header and the twenty lines the log detector samples. */
const HEAD_BYTES = 64 * 1024;

function head(path: string): string {
  // Non-blocking, then checked: a path swapped for a FIFO after it was checked is refused, not waited on.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path}: is not a regular file`);
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function isTraceLine(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && 'format' in value)
      return value.format === TRACE_FORMAT;
    return TraceEventSchema.safeParse(value).success;
  } catch {
    return false;
  }
}

/**
 * Whether a file is an XPC Lab trace or a Mac's log, from its first lines: a
 * trace starts with its header (or an event); anything else must be a log
 * style the importer reads, or this throws UnknownLogFormatError naming the
 * file and the lines it looked at. Read before anything is shown, so a file
 * that is neither is refused while the current session goes on.
 */
export function recordingKind(path: string): 'trace' | 'log' {
  const text = head(path).replace(/^\uFEFF/, '');
  const first = text.split('\n', 1)[0]?.trim() ?? '';
  if (first && isTraceLine(first)) return 'trace';
  detectFormat(text, path);
  return 'log';
}

/** Throws UnknownLogFormatError, naming the file, unless its first lines are in a log style the importer reads. */
export function checkLogFormat(path: string): void {
  detectFormat(head(path), path);
}
