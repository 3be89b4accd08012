import { type Comparison, FilterError, lex, type Token } from './lexer';

/** The syntax tree of a filter expression. Every node keeps its source span for error messages. */
export type Node =
  | { type: 'or' | 'and'; left: Node; right: Node }
  | { type: 'not'; operand: Node }
  | { type: 'exists'; field: Token }
  | { type: 'compare'; field: Token; op: Comparison; opToken: Token; value: Token }
  | { type: 'in'; field: Token; values: Token[] }
  /** A bare word or quoted text that names no field: found in any text field, as a search box would. */
  | { type: 'text'; token: Token };

const VALUE_TYPES = new Set(['word', 'string', 'number', 'time']);

function describe(t: Token): string {
  return t.type === 'end' ? 'the end' : `'${t.text}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private get peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  parse(): Node {
    const node = this.or();
    const t = this.peek;
    if (t.type === 'rparen') throw new FilterError("unmatched ')'", t.start);
    if (t.type !== 'end')
      throw new FilterError(`expected '&&' or '||' before ${describe(t)}`, t.start, t.end);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.peek.type === 'or') {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peek.type === 'and') {
      this.next();
      left = { type: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek.type === 'not') {
      this.next();
      return { type: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t.type === 'lparen') {
      const inner = this.or();
      const close = this.next();
      if (close.type !== 'rparen')
        throw new FilterError(`expected ')' but found ${describe(close)}`, close.start);
      return inner;
    }
    if (t.type === 'string' && this.peek.type !== 'op' && this.peek.type !== 'in')
      return { type: 'text', token: t };
    if (t.type !== 'word') {
      const where = t.type === 'end' ? 'the filter ends' : `found ${describe(t)}`;
      throw new FilterError(`expected a field name such as service or size, but ${where}`, t.start, t.end);
    }
    return this.test(t);
  }

  private test(field: Token): Node {
    const op = this.peek;
    if (op.type === 'in') {
      this.next();
      return { type: 'in', field, values: this.set() };
    }
    if (op.type !== 'op') return { type: 'exists', field };
    this.next();
    let value = this.next();
    // `10 ms`, or `10 parsecs`: a word right after a number is read as its unit, so a wrong unit is named as such.
    const after = this.tokens[this.i + 1]?.type;
    if (
      value.type === 'number' &&
      !value.unit &&
      this.peek.type === 'word' &&
      /^[a-zµ]+$/i.test(this.peek.text) &&
      after !== 'op' &&
      after !== 'in'
    ) {
      const unit = this.next();
      value = { ...value, unit: unit.text, end: unit.end };
    }
    if (!VALUE_TYPES.has(value.type))
      throw new FilterError(
        `expected a value after '${op.text}' but found ${describe(value)}`,
        value.start,
        value.end,
      );
    return { type: 'compare', field, op: op.text as Comparison, opToken: op, value };
  }

  private set(): Token[] {
    const open = this.next();
    if (open.type !== 'lbrace') throw new FilterError(`expected '{' after 'in'`, open.start);
    const values: Token[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === 'rbrace') break;
      if (t.type === 'comma') continue;
      if (!VALUE_TYPES.has(t.type))
        throw new FilterError(`expected a value or '}' but found ${describe(t)}`, t.start, t.end);
      values.push(t);
    }
    if (values.length === 0) throw new FilterError('an empty set matches nothing', open.start);
    return values;
  }
}

/** Parses a filter expression; throws FilterError with the position of the first problem. */
export function parse(src: string): Node {
  return new Parser(lex(src)).parse();
}
