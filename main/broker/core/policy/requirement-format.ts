import type { CertificateField, CertificatePosition, MatchSuffix, Requirement } from './requirement-types';

/**
 * A compiled requirement as text, in the style `codesign -d -r-` prints
 * (XPC-MODEL §6.1): `and` binds tighter than `or`, parentheses only where
 * needed, `exists` shown as the comment the dumper writes.
 */
export function formatRequirement(requirement: Requirement): string {
  return format(requirement, 3);
}

const PRIMARY = 0;
const AND = 1;
const OR = 2;

function format(r: Requirement, level: number): string {
  switch (r.kind) {
    case 'and':
    case 'or': {
      const own = r.kind === 'and' ? AND : OR;
      const text = `${format(r.left, own)} ${r.kind} ${format(r.right, own)}`;
      return level < own ? `(${text})` : text;
    }
    case 'not':
      return `! ${format(r.operand, PRIMARY)}`;
    case 'constant':
      return r.value ? 'always' : 'never';
    case 'anchorApple':
      return 'anchor apple';
    case 'anchorAppleGeneric':
      return 'anchor apple generic';
    case 'certificateTrusted':
      return `certificate ${position(r.position)} trusted`;
    case 'certificateHash':
      return `certificate ${position(r.position)} = H"${r.hash}"`;
    case 'certificateField':
      return `certificate ${position(r.position)}[${field(r.field)}]${match(r.match)}`;
    case 'identifier':
      return `identifier ${quote(r.value)}`;
    case 'cdhash':
      return `cdhash H"${r.hash}"`;
    case 'info':
      return `info[${key(r.key)}]${match(r.match)}`;
    case 'entitlement':
      return `entitlement[${key(r.key)}]${match(r.match)}`;
    case 'notarized':
      return 'notarized';
    case 'platform':
      return `platform = ${r.value}`;
  }
}

export function position(p: CertificatePosition): string {
  if (p === 0) return 'leaf';
  if (p === -1) return 'root';
  return String(p);
}

export function field(f: CertificateField): string {
  return f.kind === 'subject' ? `subject.${f.key}` : `${f.kind}.${f.oid}`;
}

function match(m: MatchSuffix): string {
  switch (m.op) {
    case 'exists':
      return ' /* exists */';
    case 'absent':
      return ' absent';
    case '=':
      switch (m.mode) {
        case 'equal':
          return ` = ${quote(m.value)}`;
        case 'beginsWith':
          return ` = ${quote(m.value)}*`;
        case 'endsWith':
          return ` = *${quote(m.value)}`;
        case 'contains':
          return ` ~ ${quote(m.value)}`;
      }
      break;
    default:
      return ` ${m.op} ${quote(m.value)}`;
  }
}

const BARE = /^[A-Za-z][A-Za-z0-9]*$/;
const BARE_KEY = /^[A-Za-z][A-Za-z0-9.]*$/;

function quote(value: string): string {
  return BARE.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function key(value: string): string {
  return BARE_KEY.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
