import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Writes a cut-signature fixture back out at its original size, with the kept
 * ranges at their offsets and holes elsewhere (a sparse file on disk), so the
 * loader can read it as the executable inside a bundle.
 */
export function materializeSparse(fixture: string, out: string): void {
  const file = readFileSync(fixture);
  const headerLength = file.readUInt32LE(8);
  const header = JSON.parse(file.subarray(12, 12 + headerLength).toString('utf8')) as {
    size: number;
    ranges: [number, number][];
  };
  const fd = openSync(out, 'w', 0o755);
  try {
    ftruncateSync(fd, header.size);
    let at = 12 + headerLength;
    for (const [offset, length] of header.ranges) {
      writeSync(fd, file, at, length, offset);
      at += length;
    }
  } finally {
    closeSync(fd);
  }
}
