import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { TRACE_FORMAT, TraceLineParser } from './parse';
import { type TraceEvent, TraceEventSchema } from './schema';

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a trace's events from a byte offset on, until `onEvent` returns false
 * or the file ends. The offset may fall inside a line: that partial line is
 * skipped, so the first event handed over is the first whole line after it.
 * Returns whether the reading was stopped by `onEvent` (rather than the file's end).
 */
export async function readTraceFrom(
  path: string,
  startByte: number,
  onEvent: (event: TraceEvent) => boolean,
): Promise<boolean> {
  let stopped = false;
  const parser = new TraceLineParser((event) => {
    if (!stopped && !onEvent(event)) stopped = true;
  });
  const stream = createReadStream(path, { start: startByte, highWaterMark: CHUNK_BYTES });
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let skipping = startByte > 0;
  let lineNo = 0;
  // Breaking out of the loop destroys the stream: a scrub reads no more than it needs.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    carry += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = carry.indexOf('\n'); nl !== -1 && !stopped; nl = carry.indexOf('\n', start)) {
      if (skipping) skipping = false;
      else parser.line(carry.slice(start, nl), ++lineNo);
      start = nl + 1;
    }
    carry = carry.slice(start);
    if (stopped) return true;
  }
  carry += decoder.decode();
  if (carry !== '' && !skipping) parser.line(carry, ++lineNo, false);
  return stopped;
}

/**
 * Whether a file is an XPC Lab trace (a header, or an event on its first line),
 * as opposed to a log that was converted while it loaded: only a trace can be
 * re-read from an offset.
 */
export async function isTraceFile(path: string): Promise<boolean> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await file.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
  const first =
    text
      .replace(/^\uFEFF/, '')
      .split('\n', 1)[0]
      ?.trim() ?? '';
  try {
    const value: unknown = JSON.parse(first);
    if (typeof value === 'object' && value !== null && 'format' in value)
      return value.format === TRACE_FORMAT;
    return TraceEventSchema.safeParse(value).success;
  } catch {
    return false;
  }
}
