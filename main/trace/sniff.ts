import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { detectLogFormat } from './import';
import { TRACE_FORMAT } from './parse';
import { TraceEventSchema } from './schema';

/** Enough of a file's start to see its header and the twenty lines the log detector samples. */
const HEAD_BYTES = 64 * 1024;

function head(path: string): { text: string; whole: boolean } {
  // Non-blocking, then checked: a path swapped for a FIFO after it was checked is refused, not waited on.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path}: is not a regular file`);
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return { text: buf.subarray(0, n).toString('utf8'), whole: fstatSync(fd).size <= n };
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
 * trace starts with its header (or an event); anything else is a log, and a
 * file small enough to be read whole here with no libxpc or launchd line in
 * it is refused with UnknownLogFormatError naming the file and quoting its
 * lines that mention xpc or launchd. Read before anything is shown, so a file
 * that is neither is refused while the current session goes on.
 */
export function recordingKind(path: string): 'trace' | 'log' {
  const { text: raw, whole } = head(path);
  const text = raw.replace(/^\uFEFF/, '');
  const first = text.split('\n', 1)[0]?.trim() ?? '';
  if (first && isTraceLine(first)) return 'trace';
  detectLogFormat(text, path, whole);
  return 'log';
}

/** Throws UnknownLogFormatError, naming the file, when what can be read of it up front has no XPC line and is all of it. */
export function checkLogFormat(path: string): void {
  const { text, whole } = head(path);
  detectLogFormat(text, path, whole);
}
