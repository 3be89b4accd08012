import { describe, expect, it } from 'vitest';
import { requirementText } from '../../main/signing';

/** Builds a compiled requirement (0xfade0c00, expression form) from opcodes, strings and OIDs. */
type Part = number | string | { oid: number[] } | { bytes: number[] };
function blob(...parts: Part[]): Uint8Array {
  const bytes: number[] = [];
  const u32 = (n: number) => bytes.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  const data = (b: number[]) => {
    u32(b.length);
    bytes.push(...b);
    while (bytes.length % 4) bytes.push(0);
  };
  for (const part of parts) {
    if (typeof part === 'number') u32(part);
    else if (typeof part === 'string') data([...new TextEncoder().encode(part)]);
    else if ('oid' in part) data(part.oid);
    else data(part.bytes);
  }
  const out = new Uint8Array(12 + bytes.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xfade0c00);
  v.setUint32(4, out.length);
  v.setUint32(8, 1);
  out.set(bytes, 12);
  return out;
}

const AND = 6;
const OR = 7;
const NOT = 9;
const IDENT = 2;
const APPLE_GENERIC = 15;
const CERT_GENERIC = 14;
const CERT_FIELD = 11;
const ENTITLEMENT = 16;
const INFO = 10;
const ANCHOR_HASH = 4;
// 1.2.840.113635.100.6.1.9 in DER content octets.
const MAS = { oid: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x01, 0x09] };
const DEVID_CA = { oid: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x02, 0x06] };
const DEVID_LEAF = { oid: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x01, 0x0d] };

const text = (b: Uint8Array) => requirementText('app', 'designated requirement', b);

describe('decompiling a compiled requirement the way codesign -d -r- prints it', () => {
  it("prints Xcode's Mac-App-Store-or-Developer-ID designated requirement with its parentheses", () => {
    const b = blob(
      AND,
      AND,
      APPLE_GENERIC,
      IDENT,
      'com.example.App',
      OR,
      CERT_GENERIC,
      0,
      MAS,
      0,
      AND,
      AND,
      CERT_GENERIC,
      1,
      DEVID_CA,
      0,
      CERT_GENERIC,
      0,
      DEVID_LEAF,
      0,
      CERT_FIELD,
      0,
      'subject.OU',
      1,
      'ABCDE12345',
    );
    expect(text(b)).toBe(
      'anchor apple generic and identifier "com.example.App" and (certificate leaf[field.1.2.840.113635.100.6.1.9] /* exists */ or certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ABCDE12345)',
    );
  });

  it('quotes values that start with a digit, contain spaces or are keywords; leaves plain words bare', () => {
    expect(text(blob(CERT_FIELD, 0, 'subject.CN', 1, 'Apple Development: Jane Doe (ABCDE12345)'))).toBe(
      'certificate leaf[subject.CN] = "Apple Development: Jane Doe (ABCDE12345)"',
    );
    expect(text(blob(IDENT, 'helper'))).toBe('identifier helper');
    expect(text(blob(IDENT, 'anchor'))).toBe('identifier "anchor"');
    expect(text(blob(IDENT, '9lives'))).toBe('identifier "9lives"');
    expect(text(blob(IDENT, 'say "hi"'))).toBe('identifier "say \\"hi\\""');
    expect(text(blob(IDENT, { bytes: [0x01, 0xff] }))).toBe('identifier 0x01ff');
  });

  it('prints absent, prefix and suffix matches, negation and the root slot', () => {
    expect(text(blob(ENTITLEMENT, 'com.apple.security.get-task-allow', 14))).toBe(
      'entitlement["com.apple.security.get-task-allow"] absent ',
    );
    expect(text(blob(INFO, 'CFBundleVersion', 8, '2.0'))).toBe('info[CFBundleVersion] >= "2.0"');
    expect(text(blob(CERT_FIELD, 0, 'subject.CN', 3, 'Developer ID'))).toBe(
      'certificate leaf[subject.CN] = "Developer ID"*',
    );
    expect(text(blob(NOT, OR, IDENT, 'a', IDENT, 'b'))).toBe('! (identifier a or identifier b)');
    const hash = { bytes: Array.from({ length: 20 }, (_, i) => i) };
    expect(text(blob(ANCHOR_HASH, -1 >>> 0, hash))).toBe(
      'certificate root = H"000102030405060708090a0b0c0d0e0f10111213"',
    );
  });

  it('refuses a truncated requirement with a message naming it', () => {
    const b = blob(AND, IDENT, 'a');
    expect(() => text(b)).toThrow(
      /^app: designated requirement ends inside an opcode or operand at byte \d+$/,
    );
    const lying = blob(IDENT, 'a');
    new DataView(lying.buffer).setUint32(12, 2);
    new DataView(lying.buffer).setUint32(16, 4000);
    expect(() => text(lying)).toThrow(/data of 4000 bytes at byte 16 runs past the end of the requirement/);
  });
});
