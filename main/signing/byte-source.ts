import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SignatureError } from './errors';

/**
 * Random access to the bytes of a Mach-O file. Every read is bounds-checked
 * against the file's size; `what` names the structure being read, for the error.
 */
export interface ByteSource {
  /** Shown in errors: the path, or the fixture's name. */
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number, what: string): Uint8Array;
}

function checkRange(source: ByteSource, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new SignatureError(source.name, `${what}: invalid range (offset ${offset}, length ${length})`);
  }
  if (offset + length > source.size) {
    throw new SignatureError(
      source.name,
      `${what} runs past the end of the file (bytes ${offset}–${offset + length} of ${source.size})`,
    );
  }
}

export function bufferSource(name: string, bytes: Uint8Array): ByteSource {
  const source: ByteSource = {
    name,
    size: bytes.length,
    read(offset, length, what) {
      checkRange(source, offset, length, what);
      return bytes.subarray(offset, offset + length);
    },
  };
  return source;
}

/** Reads a file in place, so a large executable is never loaded whole. */
export function withFileSource<T>(path: string, use: (source: ByteSource) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new SignatureError(path, `cannot be opened: ${(error as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const source: ByteSource = {
      name: path,
      size,
      read(offset, length, what) {
        checkRange(source, offset, length, what);
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const n = readSync(fd, out, done, length - done, offset + done);
          if (n === 0) throw new SignatureError(path, `${what}: file ended while reading`);
          done += n;
        }
        return out;
      },
    };
    return use(source);
  } finally {
    closeSync(fd);
  }
}

/**
 * The cut-signature fixture format: the byte ranges of a real binary that hold
 * its headers and signature, at their original offsets. Layout:
 * "XPCLSPRS" (8 bytes), u32le header length, UTF-8 JSON header
 * `{ size, ranges: [[offset, length], …] }`, then the ranges' bytes in order.
 * A read outside the kept ranges is an error, so a test can never pass by
 * reading bytes the fixture does not hold.
 */
export const SPARSE_MAGIC = 'XPCLSPRS';

export function sparseSource(name: string, file: Uint8Array): ByteSource {
  const text = new TextDecoder();
  if (file.length < 12 || text.decode(file.subarray(0, 8)) !== SPARSE_MAGIC) {
    throw new SignatureError(name, `not a cut-signature fixture (no ${SPARSE_MAGIC} magic)`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > file.length) throw new SignatureError(name, 'fixture header runs past the end');
  let header: { size: number; ranges: [number, number][] };
  try {
    header = JSON.parse(text.decode(file.subarray(12, 12 + headerLength)));
  } catch (error) {
    throw new SignatureError(name, `fixture header is not JSON: ${(error as Error).message}`);
  }
  const pieces: { offset: number; bytes: Uint8Array }[] = [];
  let at = 12 + headerLength;
  for (const [offset, length] of header.ranges) {
    if (at + length > file.length) throw new SignatureError(name, 'fixture data ends early');
    pieces.push({ offset, bytes: file.subarray(at, at + length) });
    at += length;
  }
  const source: ByteSource = {
    name,
    size: header.size,
    read(offset, length, what) {
      checkRange(source, offset, length, what);
      const piece = pieces.find((p) => offset >= p.offset && offset + length <= p.offset + p.bytes.length);
      if (!piece)
        throw new SignatureError(
          name,
          `${what}: bytes ${offset}–${offset + length} were not kept in the fixture`,
        );
      return piece.bytes.subarray(offset - piece.offset, offset - piece.offset + length);
    },
  };
  return source;
}
