import { SignatureError } from './errors';

/**
 * Decompiles a compiled requirement (blob magic 0xfade0c00, expression form)
 * into the requirement language the way `codesign -d -r-` prints it
 * (XPC-MODEL §6.1, §10.5). Spacing, quoting, parentheses and the
 * `/* exists *\/` comment follow Security framework's requirement dumper.
 */
export const REQUIREMENT_MAGIC = 0xfade0c00;

// Security framework, requirement.h: ExprOp and MatchOperation.
const op = {
  false: 0,
  true: 1,
  ident: 2,
  appleAnchor: 3,
  anchorHash: 4,
  infoKey: 5,
  and: 6,
  or: 7,
  cdhash: 8,
  not: 9,
  infoKeyField: 10,
  certField: 11,
  trustedCert: 12,
  trustedCerts: 13,
  certGeneric: 14,
  appleGenericAnchor: 15,
  entitlementField: 16,
  certPolicy: 17,
  namedAnchor: 18,
  namedCode: 19,
  platform: 20,
  notarized: 21,
  certFieldDate: 22,
  legacyDevId: 23,
} as const;
const OP_FLAG_MASK = 0xff000000;
const OP_GENERIC_FALSE = 0x80000000;
const OP_GENERIC_SKIP = 0x40000000;

// Syntax levels: a sub-expression is parenthesised when its operator binds looser than its context.
const SL_PRIMARY = 0;
const SL_AND = 1;
const SL_OR = 2;
const SL_TOP = 3;

/** Words the dumper quotes even when they are plain alphanumerics, so the text parses back. */
const KEYWORDS = new Set([
  'guest',
  'host',
  'designated',
  'library',
  'plugin',
  'or',
  'and',
  'always',
  'true',
  'never',
  'false',
  'identifier',
  'cdhash',
  'platform',
  'notarized',
  'legacy',
  'anchor',
  'apple',
  'generic',
  'certificate',
  'cert',
  'trusted',
  'info',
  'entitlement',
  'exists',
  'absent',
  'leaf',
  'root',
  'timestamp',
]);

/** Nesting deeper than this is refused rather than risking the stack on hostile input. */
const MAX_DEPTH = 256;

class Reader {
  private at = 12;
  out = '';

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly fail: (what: string) => never,
  ) {}

  u32(): number {
    if (this.at + 4 > this.bytes.length) this.fail(`ends inside an opcode or operand at byte ${this.at}`);
    const value = this.view.getUint32(this.at, false);
    this.at += 4;
    return value;
  }

  i32(): number {
    return this.u32() | 0;
  }

  i64(): bigint {
    if (this.at + 8 > this.bytes.length) this.fail(`ends inside a timestamp at byte ${this.at}`);
    const value = this.view.getBigInt64(this.at, false);
    this.at += 8;
    return value;
  }

  data(): Uint8Array {
    const length = this.u32();
    const padded = length + ((4 - (length % 4)) % 4);
    if (this.at + padded > this.bytes.length) {
      this.fail(`data of ${length} bytes at byte ${this.at - 4} runs past the end of the requirement`);
    }
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += padded;
    return value;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isGraph(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * A string operand: bare when it is alphanumeric (dots allowed in keys), does
 * not start with a digit and is not a keyword; quoted with `\` escapes when
 * printable; `0x…` hex otherwise. Bytes outside ASCII count as binary, as in
 * the C locale codesign prints in.
 */
function dataText(bytes: Uint8Array, dotOkay: boolean): string {
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (isAlnum(c) || (c === 0x2e && dotOkay)) {
      if (i === 0 && isDigit(c)) quoted = true;
    } else if (isGraph(c) || isSpace(c)) {
      quoted = true;
    } else {
      return `0x${hex(bytes)}`;
    }
  }
  const text = Buffer.from(bytes).toString('latin1');
  if (!quoted && !KEYWORDS.has(text)) return text;
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function oidText(bytes: Uint8Array): string {
  const parts: string[] = [];
  let value = 0n;
  let first = true;
  for (const b of bytes) {
    value = (value << 7n) | BigInt(b & 0x7f);
    if (b & 0x80) continue;
    if (first) {
      const head = value < 80n ? value / 40n : 2n;
      parts.push(String(head), String(value - head * 40n));
      first = false;
    } else {
      parts.push(String(value));
    }
    value = 0n;
  }
  return parts.join('.');
}

function certSlot(slot: number): string {
  if (slot === 0) return ' leaf';
  if (slot === -1) return ' root';
  return ` ${slot}`;
}

function matchText(r: Reader): string {
  const m = r.u32();
  switch (m) {
    case 0:
      return ' /* exists */';
    case 1:
      return ` = ${dataText(r.data(), false)}`;
    case 2:
      return ` ~ ${dataText(r.data(), false)}`;
    case 3:
      return ` = ${dataText(r.data(), false)}*`;
    case 4:
      return ` = *${dataText(r.data(), false)}`;
    case 5:
      return ` < ${dataText(r.data(), false)}`;
    case 6:
      return ` > ${dataText(r.data(), false)}`;
    case 7:
      return ` <= ${dataText(r.data(), false)}`;
    case 8:
      return ` >= ${dataText(r.data(), false)}`;
    case 9:
    case 10:
    case 11:
    case 12:
    case 13: {
      const symbol = [' = ', ' < ', ' > ', ' <= ', ' >= '][m - 9];
      // Seconds since 2001-01-01 (CFAbsoluteTime), as CFDate's description shows it.
      const seconds = r.i64();
      const date = new Date(Date.UTC(2001, 0, 1) + Number(seconds) * 1000);
      return `${symbol}<${date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' +0000')}>`;
    }
    case 14:
      return ' absent ';
    default:
      return `MATCH OPCODE ${m} NOT UNDERSTOOD`;
  }
}

function expr(r: Reader, level: number, depth: number, fail: (what: string) => never): string {
  if (depth > MAX_DEPTH) fail(`nests deeper than ${MAX_DEPTH} levels`);
  const raw = r.u32();
  const code = (raw & ~OP_FLAG_MASK) >>> 0;
  switch (code) {
    case op.false:
      return 'never';
    case op.true:
      return 'always';
    case op.ident:
      return `identifier ${dataText(r.data(), false)}`;
    case op.appleAnchor:
      return 'anchor apple';
    case op.appleGenericAnchor:
      return 'anchor apple generic';
    case op.anchorHash:
      return `certificate${certSlot(r.i32())} = H"${hex(r.data())}"`;
    case op.infoKey: {
      const key = dataText(r.data(), true);
      return `info[${key}] = ${dataText(r.data(), false)}`;
    }
    case op.and:
    case op.or: {
      const own = code === op.and ? SL_AND : SL_OR;
      const left = expr(r, own, depth + 1, fail);
      const right = expr(r, own, depth + 1, fail);
      const text = `${left}${code === op.and ? ' and ' : ' or '}${right}`;
      return level < own ? `(${text})` : text;
    }
    case op.not:
      return `! ${expr(r, SL_PRIMARY, depth + 1, fail)}`;
    case op.cdhash:
      return `cdhash H"${hex(r.data())}"`;
    case op.infoKeyField: {
      const key = dataText(r.data(), true);
      return `info[${key}]${matchText(r)}`;
    }
    case op.entitlementField: {
      const key = dataText(r.data(), true);
      return `entitlement[${key}]${matchText(r)}`;
    }
    case op.certField: {
      const slot = certSlot(r.i32());
      const field = dataText(r.data(), true);
      return `certificate${slot}[${field}]${matchText(r)}`;
    }
    case op.certGeneric:
    case op.certPolicy:
    case op.certFieldDate: {
      const slot = certSlot(r.i32());
      const prefix = code === op.certGeneric ? 'field' : code === op.certPolicy ? 'policy' : 'timestamp';
      const oid = oidText(r.data());
      return `certificate${slot}[${prefix}.${oid}]${matchText(r)}`;
    }
    case op.trustedCert:
      return `certificate${certSlot(r.i32())} trusted`;
    case op.trustedCerts:
      return 'anchor trusted';
    case op.namedAnchor:
      return `anchor apple ${dataText(r.data(), false)}`;
    case op.namedCode:
      return `(${dataText(r.data(), false)})`;
    case op.platform:
      return `platform = ${r.i32()}`;
    case op.notarized:
      return 'notarized';
    case op.legacyDevId:
      return 'legacy';
    default:
      if (raw & OP_GENERIC_FALSE) return ` false /* opcode ${code} */`;
      if (raw & OP_GENERIC_SKIP) return ` /* opcode ${code} */`;
      fail(`has an unknown opcode ${raw}`);
  }
}

/**
 * Text of one compiled requirement blob. `where` names it in errors
 * ("designated requirement of arm64"). Throws SignatureError on malformed input.
 */
export function requirementText(file: string, where: string, blob: Uint8Array): string {
  const fail = (what: string): never => {
    throw new SignatureError(file, `${where} ${what}`);
  };
  if (blob.length < 12) fail(`is ${blob.length} bytes, too short for a requirement`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== REQUIREMENT_MAGIC) fail(`has magic 0x${magic.toString(16)}, expected 0xfade0c00`);
  const length = view.getUint32(4, false);
  if (length !== blob.length) fail(`says it is ${length} bytes but its slot holds ${blob.length}`);
  const kind = view.getUint32(8, false);
  if (kind !== 1) fail(`is of kind ${kind}; only the expression form (1) exists`);
  const reader = new Reader(blob, view, fail);
  const text = expr(reader, SL_TOP, 0, fail);
  // The dumper drops one leading space (left by opcodes printed as " false …").
  return text.startsWith(' ') ? text.slice(1) : text;
}

export const REQUIREMENT_TYPE_NAMES: Record<number, string> = {
  1: 'host',
  2: 'guest',
  3: 'designated',
  4: 'library',
  5: 'plugin',
};
