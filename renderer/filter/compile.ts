import type { ConnectionView, ModelSnapshot } from '../../main/trace/model';
import type { MessageEvent, TraceEvent } from '../../main/trace/schema';
import { FIELD_BY_NAME, type FieldDef, nearestField, type Scalar, type Subject, serviceOf } from './fields';
import { type Comparison, FilterError, type Token } from './lexer';
import { type Node, parse } from './parser';

/**
 * Compiles a parsed filter into plain closures once, so applying it to a
 * million retained messages is a tight loop of function calls (the console's
 * CSP forbids eval, and closures are nearly as fast).
 */
export type Pred<T> = (row: T) => boolean;
/**
 * A filter bound to the model for one pass over the rows. Binding is where
 * per-pass work goes: a message's service, state or error depends only on its
 * connection, so those tests are answered once per connection per pass.
 */
export type Bind<T> = (world: ModelSnapshot) => Pred<T>;
type Match = (v: Scalar, world: ModelSnapshot) => boolean;

export interface CompiledFilter {
  source: string;
  /** The fields the expression names, as written in FIELDS. */
  fields: string[];
  /** Null where the expression names a field that kind of row does not have. */
  message: Bind<MessageEvent> | null;
  connection: Bind<ConnectionView> | null;
  event: Bind<TraceEvent> | null;
}

export type FilterResult =
  | { ok: true; filter: CompiledFilter | null }
  | { ok: false; error: FilterError; source: string };

const DURATION_UNITS: Record<string, number> = {
  '': 1,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  s: 1000,
  m: 60_000,
  min: 60_000,
};
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

function fieldOf(t: Token): FieldDef {
  const f = FIELD_BY_NAME.get(t.text.toLowerCase());
  if (f) return f;
  const near = nearestField(t.text);
  throw new FilterError(`unknown field '${t.text}'${near ? ` (did you mean ${near}?)` : ''}`, t.start, t.end);
}

function enumValue(f: FieldDef, t: Token): string {
  const values = f.values ?? [];
  const exact =
    values.find((v) => v === t.text) ?? values.find((v) => v.toLowerCase() === t.text.toLowerCase());
  if (exact) return exact;
  const alias = Object.entries(f.aliases ?? {}).find(([k]) => k.toLowerCase() === t.text.toLowerCase());
  if (alias) return alias[1];
  const shown = f.name === 'error' ? Object.keys(f.aliases ?? {}).slice(0, 4) : values;
  throw new FilterError(`${f.name} is one of ${shown.join(', ')}; not '${t.text}'`, t.start, t.end);
}

/** Today's date at the time of day written, e.g. 12:31:20.5. */
function timeOfDay(text: string, now: number): number {
  const [h, m, s = '0'] = text.split(':');
  const d = new Date(now);
  d.setHours(Number(h), Number(m), 0, 0);
  return d.getTime() + Number(s) * 1000;
}

function numberValue(f: FieldDef, t: Token, now: number): number {
  if (f.type === 'time' && t.type === 'time') return timeOfDay(t.text, now);
  if (t.type !== 'number' || t.value === undefined) {
    const example = { duration: '50ms', size: '4k', time: '12:31:20', pid: '123', number: '42' } as const;
    throw new FilterError(
      `${f.name} takes a ${f.type === 'pid' ? 'pid or label' : f.type} such as ${example[f.type as keyof typeof example] ?? '42'}`,
      t.start,
      t.end,
    );
  }
  const units = f.type === 'duration' ? DURATION_UNITS : f.type === 'size' ? SIZE_UNITS : { '': 1 };
  const scale = units[t.unit ?? ''];
  if (scale === undefined)
    throw new FilterError(
      `'${t.unit}' is not a unit of ${f.name}${f.type === 'duration' ? ' (us, ms, s)' : f.type === 'size' ? ' (b, k, mb)' : ''}`,
      t.end - (t.unit ?? '').length,
      t.end,
    );
  return t.value * scale;
}

const shortName = (label: string) => label.slice(label.lastIndexOf('.') + 1);

function labelMatch(target: string): Match {
  return (v, w) => {
    if (typeof v !== 'number') return false;
    const l = w.processes[v]?.label;
    return l !== undefined && (l === target || shortName(l) === target);
  };
}

function equality(f: FieldDef, t: Token, now: number): Match {
  if (f.type === 'enum') {
    const target = enumValue(f, t);
    return (v) => v === target;
  }
  if (f.type === 'string') {
    const target = t.text;
    return (v) => v === target;
  }
  if (f.type === 'pid' && (t.type === 'word' || t.type === 'string')) return labelMatch(t.text);
  const target = numberValue(f, t, now);
  return (v) => v === target;
}

function relation(f: FieldDef, op: Comparison, opToken: Token, t: Token, now: number): Match {
  if (op === '==') return equality(f, t, now);
  if (op === 'contains' || op === 'matches') {
    if (f.type !== 'string')
      throw new FilterError(
        `${op} works on text fields; ${f.name} is a ${f.type}`,
        opToken.start,
        opToken.end,
      );
    if (op === 'contains') {
      const needle = t.text.toLowerCase();
      return (v) => typeof v === 'string' && v.toLowerCase().includes(needle);
    }
    let re: RegExp;
    try {
      re = new RegExp(t.text, 'i');
    } catch (e) {
      throw new FilterError(`not a regular expression: ${(e as Error).message}`, t.start, t.end);
    }
    return (v) => typeof v === 'string' && re.test(v);
  }
  if (f.type === 'string' || f.type === 'enum')
    throw new FilterError(
      `${f.name} can be compared with ==, !=, in, contains or matches`,
      opToken.start,
      opToken.end,
    );
  const x = numberValue(f, t, now);
  switch (op) {
    case '>':
      return (v) => typeof v === 'number' && v > x;
    case '>=':
      return (v) => typeof v === 'number' && v >= x;
    case '<':
      return (v) => typeof v === 'number' && v < x;
    default:
      return (v) => typeof v === 'number' && v <= x;
  }
}

function membership(f: FieldDef, values: Token[], now: number): Match {
  if (f.type === 'enum' || f.type === 'string') {
    const set = new Set(values.map((t) => (f.type === 'enum' ? enumValue(f, t) : t.text)));
    return (v) => typeof v === 'string' && set.has(v);
  }
  const matches = values.map((t) => equality(f, t, now));
  return (v, w) => matches.some((m) => m(v, w));
}

const present: Match = (v) => v !== undefined && v !== '' && v !== false;

type AnyBind = Bind<unknown>;
type AnyGetter = (row: unknown, w: ModelSnapshot) => Scalar;

function test(f: FieldDef, subject: Subject, match: Match): AnyBind | null {
  if (subject === 'message' && f.viaConnection) return viaConnection(f, match);
  const getters = f[subject] as AnyGetter[] | undefined;
  if (!getters) return null;
  const [g, h] = getters;
  if (getters.length === 1 && g) return (w) => (row) => match(g(row, w), w);
  // Two getters (a message's two ends) is the only multi-valued case; spelled out, it stays monomorphic.
  if (getters.length === 2 && g && h) return (w) => (row) => match(g(row, w), w) || match(h(row, w), w);
  return (w) => (row) => {
    for (let i = 0; i < getters.length; i++) if (match((getters[i] as AnyGetter)(row, w), w)) return true;
    return false;
  };
}

/** A test on a field a message reads from its connection, answered once per connection per pass. */
function viaConnection(f: FieldDef, match: Match): AnyBind {
  const onConnection = test(f, 'connection', match) as Bind<ConnectionView>;
  return (w) => {
    const test = onConnection(w);
    const answers = new Map<string, boolean>();
    const unknown = match(undefined, w);
    return (row) => {
      const id = (row as MessageEvent).conn;
      let answer = answers.get(id);
      if (answer === undefined) {
        const c = w.connections[id];
        answer = c ? test(c) : unknown;
        answers.set(id, answer);
      }
      return answer;
    };
  };
}

/** Null when the subtree names a field the subject lacks. */
function build(node: Node, subject: Subject, now: number): AnyBind | null {
  switch (node.type) {
    case 'and':
    case 'or': {
      const l = build(node.left, subject, now);
      const r = build(node.right, subject, now);
      if (!l || !r) return null;
      if (node.type === 'and')
        return (w) => {
          const a = l(w);
          const b = r(w);
          return (row) => a(row) && b(row);
        };
      return (w) => {
        const a = l(w);
        const b = r(w);
        return (row) => a(row) || b(row);
      };
    }
    case 'not': {
      const inner = build(node.operand, subject, now);
      return inner ? negate(inner) : null;
    }
    case 'text':
      return textSearch(node.token.text, subject);
    case 'exists':
      if (!FIELD_BY_NAME.has(node.field.text.toLowerCase())) return textSearch(node.field.text, subject);
      return test(fieldOf(node.field), subject, present);
    case 'in':
      return test(fieldOf(node.field), subject, membership(fieldOf(node.field), node.values, now));
    case 'compare': {
      const f = fieldOf(node.field);
      // Wireshark's reading: a != b is !(a == b), so a row without the field passes.
      const op = node.op === '!=' ? '==' : node.op;
      const p = test(f, subject, relation(f, op, node.opToken, node.value, now));
      return p && node.op === '!=' ? negate(p) : p;
    }
  }
}

/**
 * Free text: a bare word matches any text a row shows or holds (names, labels, keys, causes, payloads),
 * case-insensitively, as a search box in Console.app or DevTools would. The field language stays for the rest.
 */
function textSearch(word: string, subject: Subject): AnyBind {
  const needle = word.toLowerCase();
  return (w) => {
    const labels = new Map<number, boolean>();
    const label = (pid: number | undefined) => {
      if (pid === undefined) return false;
      let hit = labels.get(pid);
      if (hit === undefined) {
        hit = (w.processes[pid]?.label ?? '').toLowerCase().includes(needle);
        labels.set(pid, hit);
      }
      return hit;
    };
    if (subject === 'message') {
      const services = new Map<string, boolean>();
      return (row) => {
        const m = row as MessageEvent;
        let service = services.get(m.conn);
        if (service === undefined) {
          service = (serviceOf(w, w.connections[m.conn]) ?? '').toLowerCase().includes(needle);
          services.set(m.conn, service);
        }
        return service || label(m.from) || label(m.to) || JSON.stringify(m).toLowerCase().includes(needle);
      };
    }
    if (subject === 'connection')
      return (row) => {
        const c = row as ConnectionView;
        return label(c.pid) || label(c.peerPid) || JSON.stringify(c).toLowerCase().includes(needle);
      };
    return (row) => {
      const e = row as TraceEvent;
      return ('pid' in e && label(e.pid)) || JSON.stringify(e).toLowerCase().includes(needle);
    };
  };
}

function negate(inner: AnyBind): AnyBind {
  return (w) => {
    const a = inner(w);
    return (row) => !a(row);
  };
}

function fieldsOf(node: Node, out: Set<string>): Set<string> {
  if ('left' in node) {
    fieldsOf(node.left, out);
    fieldsOf(node.right, out);
  } else if ('operand' in node) fieldsOf(node.operand, out);
  else if (node.type === 'text') out.add('text');
  else if (node.type === 'exists' && !FIELD_BY_NAME.has(node.field.text.toLowerCase())) out.add('text');
  else out.add(fieldOf(node.field).name);
  return out;
}

/** Parses and compiles a filter; an empty one is `null` (everything passes). */
export function compileFilter(source: string, now = Date.now()): FilterResult {
  if (source.trim() === '') return { ok: true, filter: null };
  try {
    const ast = parse(source);
    const fields = [...fieldsOf(ast, new Set())];
    // Building every subject checks every value, so an error shows whatever view is open.
    const filter: CompiledFilter = {
      source,
      fields,
      message: build(ast, 'message', now) as Bind<MessageEvent> | null,
      connection: build(ast, 'connection', now) as Bind<ConnectionView> | null,
      event: build(ast, 'event', now) as Bind<TraceEvent> | null,
    };
    return { ok: true, filter };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, error, source };
    throw error;
  }
}
