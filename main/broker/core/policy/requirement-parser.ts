import { describeToken, type Punctuation, type Token, tokenize } from './requirement-lexer';
import { RequirementSyntaxError } from './requirement-syntax-error';
import type {
  CertificateField,
  CertificatePosition,
  ComparisonOperator,
  EqualityMode,
  MatchSuffix,
  Requirement,
  SubjectKey,
} from './requirement-types';

// [I] XPC Lab's own decision: the connectives cannot be bare strings, so
// `identifier and` is an error rather than the identifier "and".
const RESERVED: ReadonlySet<string> = new Set(['and', 'or']);
const SUBJECT_KEYS: ReadonlySet<string> = new Set(['CN', 'C', 'D', 'L', 'O', 'OU', 'STREET', 'ST', 'email']);
const COMPARISONS: ReadonlySet<string> = new Set(['<', '>', '<=', '>=']);
const OID = /^\d+(\.\d+)+$/;
const INTEGER = /^-?\d+$/;
const NATURAL = /^\d+$/;

const PRIMARY_EXPECTED =
  "a requirement (anchor, certificate, identifier, cdhash, info, entitlement, notarized, platform, '!' or '(')";
const FIELD_EXPECTED = 'subject.<CN|C|D|L|O|OU|STREET|ST|email>, field.<OID> or extension.<OID>';

/** Compiles an XPC-MODEL §6.1 requirement string; throws RequirementSyntaxError (-67052). */
export function parseRequirement(text: string): Requirement {
  const parser = new Parser(tokenize(text));
  const requirement = parser.expression();
  parser.expectEnd();
  return requirement;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  /** XPC-MODEL §6.1: precedence ! > and > or, both connectives left-associative. */
  expression(): Requirement {
    let left = this.conjunction();
    while (this.acceptWord('or')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  expectEnd(): void {
    if (this.peek().kind !== 'end') this.fail("'and', 'or' or end of input");
  }

  private conjunction(): Requirement {
    let left = this.unary();
    while (this.acceptWord('and')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Requirement {
    if (this.acceptPunct('!')) return { kind: 'not', operand: this.unary() };
    return this.primary();
  }

  private primary(): Requirement {
    const token = this.peek();
    if (token.kind === 'punct' && token.value === '(') return this.parenthesised(token.start);
    if (token.kind !== 'word') return this.fail(PRIMARY_EXPECTED);
    this.index++;
    switch (token.value) {
      case 'anchor':
        return this.anchor();
      case 'certificate':
      case 'cert':
        return this.certificate();
      case 'always':
      case 'true':
        return { kind: 'constant', value: true };
      case 'never':
      case 'false':
        return { kind: 'constant', value: false };
      case 'identifier':
        return this.identifier();
      case 'cdhash':
        return { kind: 'cdhash', hash: this.hash('a hash constant H"…" after \'cdhash\'') };
      case 'info':
      case 'entitlement':
        return { kind: token.value, key: this.bracketedKey(token.value), match: this.matchSuffix() };
      case 'notarized':
        return { kind: 'notarized' };
      case 'platform':
        return this.platform();
      default:
        this.index--;
        return this.fail(PRIMARY_EXPECTED);
    }
  }

  private parenthesised(open: number): Requirement {
    this.index++;
    const inner = this.expression();
    this.expectPunct(')', `'and', 'or' or ')' to close the parenthesis opened at position ${open}`);
    return inner;
  }

  /** `anchor trusted` and `anchor H"…"` are `certificate anchor …` (Apple REQLANG). */
  private anchor(): Requirement {
    if (this.acceptWord('apple')) {
      return this.acceptWord('generic') ? { kind: 'anchorAppleGeneric' } : { kind: 'anchorApple' };
    }
    if (this.acceptWord('trusted')) return { kind: 'certificateTrusted', position: -1 };
    if (this.peek().kind === 'hash') return { kind: 'certificateHash', position: -1, hash: this.hash('') };
    return this.fail("'apple', 'apple generic', 'trusted' or a hash constant H\"…\" after 'anchor'");
  }

  private certificate(): Requirement {
    const position = this.position();
    if (this.acceptWord('trusted')) return { kind: 'certificateTrusted', position };
    if (this.acceptPunct('=')) {
      return { kind: 'certificateHash', position, hash: this.hash('a hash constant H"…" after \'=\'') };
    }
    if (this.acceptPunct('[')) {
      const field = this.certificateField();
      this.expectPunct(']', "']' after the certificate field");
      return { kind: 'certificateField', position, field, match: this.matchSuffix() };
    }
    return this.fail("'trusted', '=' or '[' after the certificate position");
  }

  /** XPC-MODEL §6.1: leaf = 0, root/anchor = -1, negatives count from the anchor end. */
  private position(): CertificatePosition {
    const token = this.peek();
    const expected = "a certificate position (leaf, root, anchor or an integer) after 'certificate'";
    if (token.kind !== 'word') return this.fail(expected);
    if (token.value === 'leaf') return this.advance(0);
    if (token.value === 'root' || token.value === 'anchor') return this.advance(-1);
    if (INTEGER.test(token.value)) return this.advance(Number.parseInt(token.value, 10));
    return this.fail(expected);
  }

  private certificateField(): CertificateField {
    const token = this.peek();
    if (token.kind !== 'word' && token.kind !== 'string') return this.fail(FIELD_EXPECTED);
    const field = toCertificateField(token.value);
    if (!field) return this.fail(FIELD_EXPECTED);
    return this.advance(field);
  }

  /** XPC-MODEL §6.1: `identifier ["="] string`, an exact match with no wildcards. */
  private identifier(): Requirement {
    const expected = this.acceptPunct('=') ? "a string after 'identifier ='" : "a string after 'identifier'";
    return { kind: 'identifier', value: this.string(expected) };
  }

  private platform(): Requirement {
    this.expectPunct('=', "'=' after 'platform'");
    const token = this.peek();
    if (token.kind !== 'word' || !NATURAL.test(token.value))
      return this.fail("an integer after 'platform ='");
    return { kind: 'platform', value: this.advance(Number.parseInt(token.value, 10)) };
  }

  private bracketedKey(keyword: string): string {
    this.expectPunct('[', `'[' after '${keyword}'`);
    const key = this.string(`a key after '${keyword}['`);
    this.expectPunct(']', `']' after the ${keyword} key`);
    return key;
  }

  /** XPC-MODEL §6.1 matchSuffix, and §10.5 `absent`; an empty suffix means `exists` (Apple REQLANG). */
  private matchSuffix(): MatchSuffix {
    if (this.acceptWord('exists')) return { op: 'exists' };
    if (this.acceptWord('absent')) return { op: 'absent' };
    if (this.acceptPunct('=')) return this.equality();
    if (this.acceptPunct('~')) return { op: '=', mode: 'contains', value: this.string("a string after '~'") };
    const token = this.peek();
    if (token.kind === 'punct' && COMPARISONS.has(token.value)) return this.comparison(token.value);
    return { op: 'exists' };
  }

  /** XPC-MODEL §6.1: wildcards are `*` tokens, so a `*` inside quotes is literal. */
  private equality(): MatchSuffix {
    const leading = this.acceptPunct('*');
    const value = this.string("a string after '='");
    const trailing = this.acceptPunct('*');
    return { op: '=', mode: equalityMode(leading, trailing), value };
  }

  // [I] XPC Lab's own decision, after Apple's grammar: wildcards go only with '='.
  private comparison(op: Punctuation): MatchSuffix {
    this.index++;
    const hint = this.isPunct('*') ? " (wildcards go only with '=')" : '';
    return { op: op as ComparisonOperator, value: this.string(`a string after '${op}'${hint}`) };
  }

  private string(expected: string): string {
    const token = this.peek();
    if (token.kind === 'string') return this.advance(token.value);
    if (token.kind === 'word' && !RESERVED.has(token.value)) return this.advance(token.value);
    return this.fail(expected);
  }

  private hash(expected: string): string {
    const token = this.peek();
    if (token.kind !== 'hash') return this.fail(expected);
    return this.advance(token.value);
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance<T>(result: T): T {
    this.index++;
    return result;
  }

  private isPunct(value: Punctuation): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.value === value;
  }

  private acceptPunct(value: Punctuation): boolean {
    return this.isPunct(value) ? this.advance(true) : false;
  }

  private acceptWord(value: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value === value ? this.advance(true) : false;
  }

  private expectPunct(value: Punctuation, expected: string): void {
    if (!this.acceptPunct(value)) this.fail(expected);
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw new RequirementSyntaxError(token.start, expected, describeToken(token));
  }
}

function toCertificateField(text: string): CertificateField | undefined {
  const dot = text.indexOf('.');
  if (dot < 0) return undefined;
  const kind = text.slice(0, dot);
  const rest = text.slice(dot + 1);
  if (kind === 'subject' && SUBJECT_KEYS.has(rest)) return { kind: 'subject', key: rest as SubjectKey };
  if ((kind === 'field' || kind === 'extension') && OID.test(rest)) return { kind, oid: rest };
  return undefined;
}

function equalityMode(leading: boolean, trailing: boolean): EqualityMode {
  if (leading && trailing) return 'contains';
  if (leading) return 'endsWith';
  return trailing ? 'beginsWith' : 'equal';
}
