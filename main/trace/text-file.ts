import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface TextFileOptions {
  /** Called once before reading and after every chunk; `bytesRead` ends equal to `totalBytes`. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Read size; large enough to keep syscalls rare, small enough for smooth progress. */
  chunkBytes?: number;
  /** The byte to start reading at (0, the file's start, by default); progress counts from it. */
  start?: number;
}

export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Reads a UTF-8 file in chunks, handing each decoded piece to `onText` with the
 * file offset of the chunk's first byte, and keeping none of them. Errors are
 * the file system's own (the caller names what the file was for); an abort
 * rejects with the signal's reason.
 */
export async function streamTextFile(
  path: string,
  onText: (text: string, chunkStart: number) => void,
  opts: TextFileOptions = {},
): Promise<{ bytesRead: number; totalBytes: number }> {
  const info = await stat(path);
  if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  const start = opts.start ?? 0;
  const totalBytes = Math.max(0, info.size - start);
  opts.onProgress?.(0, totalBytes);
  const stream = createReadStream(path, {
    start,
    highWaterMark: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // A multi-byte character may straddle two chunks; the streaming decoder holds the partial bytes.
  const decoder = new TextDecoder('utf-8');
  let bytesRead = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const chunkStart = start + bytesRead;
    bytesRead += chunk.length;
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') onText(text, chunkStart);
    // A file still being recorded can grow while it is read.
    opts.onProgress?.(bytesRead, Math.max(totalBytes, bytesRead));
  }
  const rest = decoder.decode();
  if (rest !== '') onText(rest, start + bytesRead);
  return { bytesRead, totalBytes: Math.max(totalBytes, bytesRead) };
}
