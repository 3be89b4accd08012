import { RequirementSyntaxError } from './requirement-syntax-error';

export type Punctuation = '!' | '(' | ')' | '[' | ']' | '=' | '<' | '>' | '<=' | '>=' | '*' | '~';

export type Token =
  | { kind: 'word'; value: string; start: number }
  | { kind: 'string'; value: string; start: number }
  | { kind: 'hash'; value: string; start: number }
  | { kind: 'punct'; value: Punctuation; start: number }
  | { kind: 'end'; start: number };

const HASH_DIGITS = 40;

// XPC-MODEL §6.1: bare strings are letters, digits and '.'; '-' and '_' are
// also accepted so that bundle ids and entitlement keys need no quotes.
const BARE = /[A-Za-z0-9._-]/;
const HEX = /^[0-9A-Fa-f]+$/;
// '~' is the contains operator `codesign -d -r-` prints for a substring match.
const SINGLE: ReadonlySet<string> = new Set(['!', '(', ')', '[', ']', '=', '<', '>', '*', '~']);

export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of input';
    case 'string':
      return `"${token.value}"`;
    case 'hash':
      return `H"${token.value}"`;
    default:
      return `'${token.value}'`;
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = skipBlank(text, 0);
  while (at < text.length) {
    const token = readToken(text, at);
    tokens.push(token.token);
    at = skipBlank(text, token.next);
  }
  tokens.push({ kind: 'end', start: text.length });
  return tokens;
}

/** Skips whitespace and XPC-MODEL §6.1 `/* … *\/` comments. */
function skipBlank(text: string, from: number): number {
  let at = from;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (!text.startsWith('/*', at)) return at;
    const close = text.indexOf('*/', at + 2);
    if (close < 0) throw new RequirementSyntaxError(text.length, "'*/' to close the comment", 'end of input');
    at = close + 2;
  }
}

interface Read {
  token: Token;
  next: number;
}

function readToken(text: string, at: number): Read {
  const char = text[at]!;
  if (char === 'H' && text[at + 1] === '"') return readHash(text, at);
  if (char === '"') return readQuoted(text, at);
  if (BARE.test(char)) return readBare(text, at);
  if ((char === '<' || char === '>') && text[at + 1] === '=') {
    return { token: { kind: 'punct', value: `${char}=`, start: at }, next: at + 2 };
  }
  if (SINGLE.has(char))
    return { token: { kind: 'punct', value: char as Punctuation, start: at }, next: at + 1 };
  throw new RequirementSyntaxError(at, 'a keyword, string, operator or parenthesis', `'${char}'`);
}

function readBare(text: string, start: number): Read {
  let at = start;
  while (at < text.length && BARE.test(text[at]!)) at++;
  return { token: { kind: 'word', value: text.slice(start, at), start }, next: at };
}

/** A backslash escapes the next character, whatever it is. */
function readQuoted(text: string, start: number): Read {
  let value = '';
  let at = start + 1;
  while (at < text.length && text[at] !== '"') {
    if (text[at] === '\\') at++;
    if (at < text.length) value += text[at];
    at++;
  }
  if (at >= text.length) {
    throw new RequirementSyntaxError(
      text.length,
      `'"' to close the string opened at position ${start}`,
      'end of input',
    );
  }
  return { token: { kind: 'string', value, start }, next: at + 1 };
}

/** XPC-MODEL §6.1: hashConstant := 'H"' 40-hex '"'. */
function readHash(text: string, start: number): Read {
  const open = start + 2;
  const close = text.indexOf('"', open);
  if (close < 0) {
    throw new RequirementSyntaxError(
      text.length,
      `'"' to close the hash constant opened at position ${start}`,
      'end of input',
    );
  }
  const digits = text.slice(open, close);
  if (digits.length !== HASH_DIGITS || !HEX.test(digits)) {
    throw new RequirementSyntaxError(open, `${HASH_DIGITS} hex digits in the hash constant`, `"${digits}"`);
  }
  return { token: { kind: 'hash', value: digits.toLowerCase(), start }, next: close + 1 };
}
