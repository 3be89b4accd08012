import { FIELD_BY_NAME, FIELDS, type FieldDef } from './fields';
import { lex, type Token } from './lexer';

/** Completions for the word under the caret: field names, operators, or the values a field takes. */
export interface Suggestion {
  label: string;
  insert: string;
  detail?: string;
}

export interface Suggestions {
  /** The span of the source the chosen suggestion replaces. */
  from: number;
  to: number;
  items: Suggestion[];
}

/** Values seen so far in the capture (service names, keys, labels…), by field. */
export type KnownValues = (field: FieldDef) => readonly string[];

const WORD_TAIL = /["']?[A-Za-z0-9_.\-/$[\]@:]*$/;
const WORD_HEAD = /^[A-Za-z0-9_.\-/$[\]@:]*["']?/;
const BARE = /^[A-Za-z0-9_.\-/$[\]@:]+$/;
const LIMIT = 12;

const OPERATORS: Record<FieldDef['type'], string[]> = {
  string: ['==', '!=', 'contains', 'matches', 'in'],
  enum: ['==', '!=', 'in'],
  number: ['==', '!=', '>', '>=', '<', '<='],
  pid: ['==', '!=', 'in'],
  duration: ['>', '>=', '<', '<=', '=='],
  size: ['>', '>=', '<', '<=', '=='],
  time: ['>', '>=', '<', '<='],
};

function quote(value: string): string {
  return BARE.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function rank(items: Suggestion[], prefix: string): Suggestion[] {
  const p = prefix.toLowerCase();
  const starts = items.filter((s) => s.label.toLowerCase().startsWith(p));
  const inside = items.filter(
    (s) => !s.label.toLowerCase().startsWith(p) && s.label.toLowerCase().includes(p),
  );
  return [...starts, ...inside].slice(0, LIMIT);
}

function fieldItems(): Suggestion[] {
  return FIELDS.map((f) => ({ label: f.name, insert: `${f.name} `, detail: f.doc }));
}

function valueItems(f: FieldDef, known: KnownValues): Suggestion[] {
  const values =
    f.name === 'error'
      ? Object.keys(f.aliases ?? {}).filter((a) => a !== 'INVALIDATED')
      : [...(f.values ?? [])];
  const seen = new Set(values);
  for (const v of known(f)) if (!seen.has(v)) seen.add(v) && values.push(v);
  return values.map((v) => ({ label: v, insert: `${quote(v)} ` }));
}

/** The field a value is being typed for: the word before the operator, or before `in {`. */
function fieldBefore(tokens: Token[]): FieldDef | undefined {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i] as Token;
    if (t.type === 'op' || t.type === 'in') {
      const f = tokens[i - 1];
      return f?.type === 'word' ? FIELD_BY_NAME.get(f.text.toLowerCase()) : undefined;
    }
    if (
      t.type !== 'lbrace' &&
      t.type !== 'comma' &&
      !(t.type === 'word' || t.type === 'string' || t.type === 'number')
    )
      return undefined;
  }
  return undefined;
}

function insideSet(tokens: Token[]): boolean {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const type = tokens[i]?.type;
    if (type === 'lbrace') return true;
    if (type === 'rbrace' || type === 'and' || type === 'or') return false;
  }
  return false;
}

export function suggest(src: string, caret: number, known: KnownValues): Suggestions {
  const head = src.slice(0, caret);
  const partial = WORD_TAIL.exec(head)?.[0] ?? '';
  const from = caret - partial.length;
  const to = caret + (WORD_HEAD.exec(src.slice(caret))?.[0].length ?? 0);
  const none = { from, to, items: [] };
  let tokens: Token[];
  try {
    tokens = lex(src.slice(0, from)).slice(0, -1);
  } catch {
    return none;
  }
  const prefix = partial.replace(/^["']/, '');
  const prev = tokens.at(-1);
  if (!prev || prev.type === 'and' || prev.type === 'or' || prev.type === 'not' || prev.type === 'lparen')
    return { from, to, items: rank(fieldItems(), prefix) };
  if (prev.type === 'op' || prev.type === 'lbrace' || (prev.type === 'comma' && insideSet(tokens))) {
    const f = fieldBefore(tokens);
    return f ? { from, to, items: rank(valueItems(f, known), prefix) } : none;
  }
  if (prev.type === 'in') return { from, to, items: [{ label: '{', insert: '{' }] };
  if (insideSet(tokens) && prev.type !== 'rbrace') {
    const f = fieldBefore(tokens);
    return f ? { from, to, items: rank(valueItems(f, known), prefix) } : none;
  }
  const beforePrev = tokens.at(-2);
  const isField = prev.type === 'word' && beforePrev?.type !== 'op';
  const f = isField ? FIELD_BY_NAME.get(prev.text.toLowerCase()) : undefined;
  if (f) {
    const ops = OPERATORS[f.type].map((op) => ({ label: op, insert: op === 'in' ? 'in {' : `${op} ` }));
    return { from, to, items: rank(ops, prefix) };
  }
  const joins = [
    { label: '&&', insert: '&& ', detail: 'and' },
    { label: '||', insert: '|| ', detail: 'or' },
  ];
  return { from, to, items: rank(joins, prefix) };
}
