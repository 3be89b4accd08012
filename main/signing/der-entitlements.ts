import { SignatureError } from './errors';

/**
 * DER entitlements (blob 0xfade7172): `[APPLICATION 16] { INTEGER 1,
 * [CONTEXT 16] { SEQUENCE { UTF8String key, value } … } }`, values being
 * BOOLEAN, INTEGER, UTF8String, SEQUENCE (array) or [CONTEXT 16] (dictionary).
 * This is Apple's own small encoding of a property list, so it is read here
 * with bounded TLV parsing rather than through an X.509 schema.
 */
interface Tlv {
  tag: number;
  constructed: boolean;
  cls: number;
  value: Uint8Array;
  end: number;
}

const MAX_DEPTH = 64;

function readTlv(bytes: Uint8Array, at: number, fail: (what: string) => never): Tlv {
  if (at + 2 > bytes.length) fail(`ends inside a tag at byte ${at}`);
  const first = bytes[at]!;
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  let p = at + 1;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      if (p >= bytes.length || i > 4) fail(`has a bad long-form tag at byte ${at}`);
      const b = bytes[p++]!;
      tag = (tag << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
  }
  if (p >= bytes.length) fail(`ends before a length at byte ${p}`);
  let length = bytes[p++]!;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || p + count > bytes.length) fail(`has a bad length at byte ${p - 1}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[p++]!;
  }
  if (p + length > bytes.length) fail(`has a value of ${length} bytes at byte ${p} that runs past the end`);
  return { tag, constructed, cls, value: bytes.subarray(p, p + length), end: p + length };
}

function children(bytes: Uint8Array, fail: (what: string) => never): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < bytes.length; ) {
    const tlv = readTlv(bytes, at, fail);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

function value(tlv: Tlv, depth: number, fail: (what: string) => never): unknown {
  if (depth > MAX_DEPTH) fail(`nests deeper than ${MAX_DEPTH} levels`);
  if (tlv.cls === 2 && tlv.tag === 16) return dictionary(tlv.value, depth + 1, fail);
  if (tlv.cls !== 0) fail(`has an unexpected tag class ${tlv.cls} tag ${tlv.tag}`);
  switch (tlv.tag) {
    case 1:
      return tlv.value.length === 1 && tlv.value[0] !== 0;
    case 2: {
      let n = 0n;
      for (const b of tlv.value) n = (n << 8n) | BigInt(b);
      if (tlv.value.length > 0 && tlv.value[0]! & 0x80) n -= 1n << BigInt(tlv.value.length * 8);
      return Number(n);
    }
    case 12:
      return new TextDecoder().decode(tlv.value);
    case 16:
      return children(tlv.value, fail).map((child) => value(child, depth + 1, fail));
    default:
      return fail(`has an unsupported value type (tag ${tlv.tag})`);
  }
}

function dictionary(
  bytes: Uint8Array,
  depth: number,
  fail: (what: string) => never,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of children(bytes, fail)) {
    const [key, item, ...rest] = children(entry.value, fail);
    if (entry.tag !== 16 || !key || !item || rest.length > 0 || key.tag !== 12) {
      fail('has a dictionary entry that is not a (UTF8String key, value) pair');
    }
    out[new TextDecoder().decode(key.value)] = value(item, depth, fail);
  }
  return out;
}

export function readDerEntitlements(file: string, where: string, der: Uint8Array): Record<string, unknown> {
  const fail = (what: string): never => {
    throw new SignatureError(file, `${where}: DER entitlements ${what}`);
  };
  const top = readTlv(der, 0, fail);
  if (top.cls !== 1 || top.tag !== 16) fail('do not start with [APPLICATION 16]');
  const [version, dict] = children(top.value, fail);
  if (version?.tag !== 2 || dict?.cls !== 2 || dict.tag !== 16) {
    return fail('are not { INTEGER version, [CONTEXT 16] dictionary }');
  }
  return dictionary(dict.value, 0, fail);
}
