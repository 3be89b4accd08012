/**
 * Writes binary plists object by object, references and all, so a test can
 * make shapes no plist writer would: an object referred to twice, a cycle, a
 * table that claims more objects than it holds. Inputs made here are written
 * by the tests themselves, not taken from a public source.
 */
export type RawObject =
  | { ascii: string }
  | { int: number }
  | { array: number[] }
  | { dict: [key: number, value: number][] };

function marker(type: number, size: number): number[] {
  if (size < 15) return [(type << 4) | size];
  return [
    (type << 4) | 0x0f,
    0x12,
    (size >>> 24) & 0xff,
    (size >>> 16) & 0xff,
    (size >>> 8) & 0xff,
    size & 0xff,
  ];
}

/** A bplist00 file with 1-byte references (at most 256 objects) and 4-byte offsets. */
export function writeBplist(objects: RawObject[], top = 0, trailer: { count?: number } = {}): Uint8Array {
  const bytes: number[] = [...Buffer.from('bplist00', 'latin1')];
  const offsets: number[] = [];
  for (const o of objects) {
    offsets.push(bytes.length);
    if ('ascii' in o) bytes.push(...marker(5, o.ascii.length), ...Buffer.from(o.ascii, 'latin1'));
    else if ('int' in o) bytes.push(0x10, o.int & 0xff);
    else if ('array' in o) bytes.push(...marker(0xa, o.array.length), ...o.array);
    else bytes.push(...marker(0xd, o.dict.length), ...o.dict.map(([k]) => k), ...o.dict.map(([, v]) => v));
  }
  const table = bytes.length;
  for (const off of offsets)
    bytes.push((off >>> 24) & 0xff, (off >>> 16) & 0xff, (off >>> 8) & 0xff, off & 0xff);
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return [...b];
  };
  bytes.push(0, 0, 0, 0, 0, 0, 4, 1, ...u64(trailer.count ?? objects.length), ...u64(top), ...u64(table));
  return Uint8Array.from(bytes);
}

/** Object i is an array holding object i+1 twice, n deep, ending in a string: 2^n values from a few bytes. */
export function doublingBomb(n: number): Uint8Array {
  const objects: RawObject[] = [];
  for (let i = 0; i < n; i++) objects.push({ array: [i + 1, i + 1] });
  objects.push({ ascii: 'x' });
  return writeBplist(objects);
}
