/**
 * Bounds for a binary plist, checked before the plist package expands it.
 *
 * A binary plist is a table of objects that refer to each other by index, so a
 * few hundred bytes can describe a tree of billions of values (each object
 * referring to the next one twice doubles it), or a cycle that never ends.
 * The plist package follows references as it meets them; this walks the
 * same structure once, without building anything, and refuses a file whose
 * expansion would exceed the limits below. A file that passes can be handed
 * to the package: every reference it follows has been bounds-checked here.
 */
export interface PlistLimits {
  /** Objects in the file's object table. */
  objects: number;
  /** Nesting of arrays and dictionaries, after references are followed. */
  depth: number;
  /** Values in the expanded tree (a value referred to twice counts twice). */
  values: number;
  /** Bytes of strings and data in the expanded tree. */
  bytes: number;
}

/** Far above any Info.plist, launchd job or entitlements file; far below what would hurt the host. */
export const PLIST_LIMITS: Readonly<PlistLimits> = {
  objects: 200_000,
  depth: 128,
  values: 1_000_000,
  bytes: 32 * 1024 * 1024,
};

interface Entry {
  /** Where its content starts. */
  at: number;
  type: number;
  size: number;
}

const TRAILER = 32;
const HEADER = 8;

/** What is wrong with this binary plist's structure, or undefined when the plist package may read it. */
export function binaryPlistProblem(data: Uint8Array, limits: PlistLimits = PLIST_LIMITS): string | undefined {
  const len = data.byteLength;
  if (len < HEADER + TRAILER + 1)
    return `${len} bytes is too short for a binary plist (header, one object, trailer)`;
  const view = new DataView(data.buffer, data.byteOffset, len);
  const trailer = len - TRAILER;
  const uint = (at: number, size: number): number => {
    if (at < 0 || at + size > len) return Number.NaN;
    switch (size) {
      case 1:
        return view.getUint8(at);
      case 2:
        return view.getUint16(at);
      case 4:
        return view.getUint32(at);
      case 8:
        return view.getUint32(at) * 0x1_0000_0000 + view.getUint32(at + 4);
      default:
        return Number.NaN;
    }
  };
  const offsetSize = view.getUint8(trailer + 6);
  const refSize = view.getUint8(trailer + 7);
  if (![1, 2, 4, 8].includes(offsetSize))
    return `the trailer gives offsets of ${offsetSize} bytes (1, 2, 4 or 8)`;
  if (![1, 2, 4, 8].includes(refSize))
    return `the trailer gives references of ${refSize} bytes (1, 2, 4 or 8)`;
  const count = uint(trailer + 8, 8);
  const top = uint(trailer + 16, 8);
  const table = uint(trailer + 24, 8);
  if (count === 0) return 'the trailer says the file holds no objects';
  if (count > limits.objects)
    return `the trailer says the file holds ${count} objects; XPC Lab reads at most ${limits.objects}`;
  if (top >= count) return `the top object is #${top}, but the file holds ${count} objects`;
  if (table < HEADER || table + count * offsetSize > trailer) return 'the offset table lies outside the file';

  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const offset = uint(table + i * offsetSize, offsetSize);
    if (!(offset >= HEADER && offset < table)) return `object #${i} starts outside the object area`;
    const entry = readEntry(view, offset, table, refSize, uint);
    if (typeof entry === 'string') return `object #${i} ${entry}`;
    entries.push(entry);
  }

  const refs = (e: Entry): number => (e.type === 0xa ? e.size : e.type === 0xd ? 2 * e.size : 0);
  const leafBytes = (e: Entry): number =>
    e.type === 4 || e.type === 5 ? e.size : e.type === 6 ? 2 * e.size : 0;
  for (const [i, e] of entries.entries()) {
    for (let k = 0; k < refs(e); k++) {
      const ref = uint(e.at + k * refSize, refSize);
      if (ref >= count) return `object #${i} refers to object #${ref}, but the file holds ${count} objects`;
      if (e.type === 0xd && k < e.size) {
        const key = entries[ref];
        if (!key || (key.type !== 5 && key.type !== 6))
          return `object #${i} is a dictionary with a key that is not a string`;
        if (key.size === 9 && keyText(view, key) === '__proto__')
          return `object #${i} is a dictionary with a key named __proto__, which XPC Lab refuses`;
      }
    }
  }

  // Post-order walk from the top object: each object's expanded values, bytes and depth, once each.
  const values = new Float64Array(count);
  const bytes = new Float64Array(count);
  const depth = new Float64Array(count);
  const state = new Uint8Array(count); // 0 unseen, 1 on the path, 2 done
  const stack: { node: number; next: number }[] = [{ node: top, next: 0 }];
  state[top] = 1;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { node: number; next: number };
    const e = entries[frame.node] as Entry;
    if (frame.next < refs(e)) {
      const child = uint(e.at + frame.next * refSize, refSize);
      frame.next++;
      if (state[child] === 1) return `object #${frame.node} contains itself (a reference cycle)`;
      if (state[child] === 0) {
        if (stack.length >= limits.depth) return `values are nested more than ${limits.depth} deep`;
        state[child] = 1;
        stack.push({ node: child, next: 0 });
      }
      continue;
    }
    let v = 1;
    let b = leafBytes(e);
    let d = 0;
    for (let k = 0; k < refs(e); k++) {
      const child = uint(e.at + k * refSize, refSize);
      v += values[child] as number;
      b += bytes[child] as number;
      d = Math.max(d, depth[child] as number);
    }
    d += refs(e) > 0 ? 1 : 0;
    if (v > limits.values)
      return `its objects refer to each other so often that reading it would make more than ${limits.values} values`;
    if (b > limits.bytes)
      return `its objects refer to each other so often that reading it would make more than ${limits.bytes} bytes of strings and data`;
    if (d > limits.depth) return `values are nested more than ${limits.depth} deep`;
    values[frame.node] = v;
    bytes[frame.node] = b;
    depth[frame.node] = d;
    state[frame.node] = 2;
    stack.pop();
  }
  return undefined;
}

function keyText(view: DataView, key: Entry): string {
  let s = '';
  for (let i = 0; i < key.size; i++)
    s += String.fromCharCode(key.type === 5 ? view.getUint8(key.at + i) : view.getUint16(key.at + 2 * i));
  return s;
}

/** One object's marker and size, with its content checked to lie inside the object area. */
function readEntry(
  view: DataView,
  offset: number,
  end: number,
  refSize: number,
  uint: (at: number, size: number) => number,
): Entry | string {
  const marker = view.getUint8(offset);
  const type = marker >> 4;
  let size = marker & 0x0f;
  let at = offset + 1;
  if (type !== 0 && type !== 8 && size === 0x0f) {
    if (at >= end) return 'has a size marker past the end of the object area';
    const ext = view.getUint8(at);
    if (ext >> 4 !== 1 || (ext & 0x0f) > 3) return 'has a malformed size';
    const n = 1 << (ext & 0x0f);
    size = uint(at + 1, n);
    at += 1 + n;
    if (!Number.isSafeInteger(size)) return 'has a size past the end of the file';
  }
  let length: number;
  switch (type) {
    case 0x0:
      if (marker !== 0x00 && marker !== 0x08 && marker !== 0x09)
        return `has an unknown marker 0x${marker.toString(16)}`;
      length = 0;
      break;
    case 0x1:
      if (size > 3) return 'is an integer wider than 8 bytes';
      length = 1 << size;
      break;
    case 0x2:
      if (size !== 2 && size !== 3) return 'is a real that is neither 4 nor 8 bytes';
      length = 1 << size;
      break;
    case 0x3:
      length = 8;
      break;
    case 0x4:
    case 0x5:
      length = size;
      break;
    case 0x6:
      length = 2 * size;
      break;
    case 0x8:
      if (![1, 2, 4, 8].includes(size + 1)) return 'is a UID of an unreadable width';
      length = size + 1;
      break;
    case 0xa:
      length = size * refSize;
      break;
    case 0xd:
      length = 2 * size * refSize;
      break;
    default:
      return `has an unknown type 0x${type.toString(16)}`;
  }
  if (at + length > end) return 'runs past the end of the object area';
  return { at, type, size };
}
