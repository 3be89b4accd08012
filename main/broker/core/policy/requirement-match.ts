import type { ComparisonOperator, EqualityMode, MatchSuffix } from './requirement-types';

/** Looks up an own key only, so `info[constructor]` does not find Object.prototype. */
export function lookup(dictionary: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return dictionary && Object.hasOwn(dictionary, key) ? dictionary[key] : undefined;
}

/** XPC-MODEL §6.1 matchSuffix applied to a value from info, entitlements or a certificate. */
export function satisfiesMatch(candidate: unknown, match: MatchSuffix): boolean {
  // XPC-MODEL §10.5: `absent` holds exactly when the key is missing.
  if (match.op === 'absent') return candidate === undefined || candidate === null;
  if (candidate === undefined || candidate === null) return false;
  // [I] XPC Lab's own decision: an array matches when any element does.
  if (Array.isArray(candidate)) return candidate.some((item) => satisfiesMatch(item, match));
  // [I] XPC Lab's own decision: boolean false does not count as existing.
  if (match.op === 'exists') return candidate !== false;
  const text = scalarText(candidate);
  if (text === undefined) return false;
  if (match.op === '=') return equals(text, match.mode, match.value);
  return compares(text, match.op, match.value);
}

// [I] XPC Lab's own decision: numbers and booleans compare by their text, so
// `entitlement[k] = true` holds for a boolean true.
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function equals(text: string, mode: EqualityMode, value: string): boolean {
  switch (mode) {
    case 'equal':
      return text === value;
    case 'beginsWith':
      return text.startsWith(value);
    case 'endsWith':
      return text.endsWith(value);
    case 'contains':
      return text.includes(value);
  }
}

function compares(text: string, op: ComparisonOperator, value: string): boolean {
  const order = compareNumerically(text, value);
  switch (op) {
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

const CHUNKS = /\d+|\D+/g;

// [I] XPC Lab's own decision: runs of digits compare by value, so a bundle
// version "10.2" is greater than "9.9".
export function compareNumerically(a: string, b: string): number {
  const left = a.match(CHUNKS) ?? [];
  const right = b.match(CHUNKS) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareChunks(left[i]!, right[i]!);
    if (order !== 0) return order;
  }
  return Math.sign(left.length - right.length);
}

function compareChunks(a: string, b: string): number {
  if (isDigits(a) && isDigits(b)) {
    const x = a.replace(/^0+/, '');
    const y = b.replace(/^0+/, '');
    if (x.length !== y.length) return Math.sign(x.length - y.length);
    return compareText(x, y);
  }
  return compareText(a, b);
}

function isDigits(text: string): boolean {
  return /^\d/.test(text);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
