/**
 * Tokens of the filter language. Positions are 0-based offsets into the
 * source, so an error can point at the character that broke it.
 */
export type TokenType =
  | 'word'
  | 'string'
  | 'number'
  | 'time'
  | 'op'
  | 'and'
  | 'or'
  | 'not'
  | 'in'
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'end';

export interface Token {
  type: TokenType;
  /** The text as typed (a string token without its quotes, unescaped). */
  text: string;
  start: number;
  end: number;
  /** For a number: its value and unit, e.g. 50 and 'ms'. */
  value?: number;
  unit?: string;
}

export type Comparison = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains' | 'matches';

export class FilterError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly end = pos + 1,
  ) {
    super(message);
  }
}

const SYMBOLS: [string, TokenType, string?][] = [
  ['&&', 'and'],
  ['||', 'or'],
  ['==', 'op', '=='],
  ['!=', 'op', '!='],
  ['>=', 'op', '>='],
  ['<=', 'op', '<='],
  ['>', 'op', '>'],
  ['<', 'op', '<'],
  ['~', 'op', 'matches'],
  ['!', 'not'],
  ['(', 'lparen'],
  [')', 'rparen'],
  ['{', 'lbrace'],
  ['}', 'rbrace'],
  [',', 'comma'],
];

const KEYWORDS: Record<string, [TokenType, string?]> = {
  and: ['and'],
  or: ['or'],
  not: ['not'],
  in: ['in'],
  contains: ['op', 'contains'],
  matches: ['op', 'matches'],
  eq: ['op', '=='],
  ne: ['op', '!='],
};

/** Words run over the characters of service names, labels, domains and pointers. */
const WORD = /[A-Za-z0-9_.\-/$[\]@:]/;
const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)([A-Za-z]*)$/;
const TIME = /^\d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

function readString(src: string, start: number): Token {
  const quote = src[start];
  let out = '';
  let i = start + 1;
  while (i < src.length && src[i] !== quote) {
    if (src[i] === '\\' && i + 1 < src.length) i++;
    out += src[i];
    i++;
  }
  if (i >= src.length) throw new FilterError(`unterminated string: add a closing ${quote}`, start, i);
  return { type: 'string', text: out, start, end: i + 1 };
}

function classifyWord(text: string, start: number, end: number): Token {
  const keyword = KEYWORDS[text.toLowerCase()];
  if (keyword) return { type: keyword[0], text: keyword[1] ?? text.toLowerCase(), start, end };
  if (TIME.test(text)) return { type: 'time', text, start, end };
  const n = /^0x/i.test(text) ? null : NUMBER.exec(text);
  if (n) return { type: 'number', text, start, end, value: Number(n[1]), unit: (n[2] ?? '').toLowerCase() };
  return { type: 'word', text, start, end };
}

/** Splits a filter into tokens; throws FilterError at the first character that cannot start one. */
export function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const t = readString(src, i);
      tokens.push(t);
      i = t.end;
      continue;
    }
    const symbol = SYMBOLS.find(([s]) => src.startsWith(s, i));
    if (symbol) {
      const [s, type, text] = symbol;
      tokens.push({ type, text: text ?? s, start: i, end: i + s.length });
      i += s.length;
      continue;
    }
    if (c === '=') throw new FilterError("use '==' to compare", i);
    if (!WORD.test(c)) throw new FilterError(`unexpected '${c}'`, i);
    const start = i;
    while (i < src.length && WORD.test(src[i] as string)) i++;
    tokens.push(classifyWord(src.slice(start, i), start, i));
  }
  tokens.push({ type: 'end', text: '', start: src.length, end: src.length });
  return tokens;
}
