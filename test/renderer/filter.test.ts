import { describe, expect, it } from 'vitest';
import {
  type ConnectionView,
  emptySnapshot,
  type ModelSnapshot,
  newConnection,
} from '../../main/trace/model';
import {
  ConnectionSideSchema,
  ConnectionStateSchema,
  LogLevelSchema,
  MessageDirSchema,
  type MessageEvent,
  type TraceEvent,
  TraceEventSchema,
  XpcErrorSchema,
} from '../../main/trace/schema';
import { type CompiledFilter, compileFilter, suggest } from '../../renderer/filter';

function world(): ModelSnapshot {
  const w = emptySnapshot();
  const proc = (pid: number, label: string, domain: string) => ({
    pid,
    label,
    domain,
    program: `/bin/${label}`,
    state: 'running' as const,
    spawnedAt: 0,
    reason: 'ipc (mach)',
  });
  w.processes[100] = proc(100, 'com.acme.vpn', 'gui/501');
  w.processes[200] = proc(200, 'com.acme.vpn.tunnel', 'system');
  const conn = (c: Partial<ConnectionView> & Pick<ConnectionView, 'conn' | 'side' | 'pid' | 'name'>) =>
    newConnection({ state: 'connected', since: 0, ...c });
  w.connections['0x1'] = conn({
    conn: '0x1',
    side: 'client',
    pid: 100,
    name: 'X',
    peerConn: '0x2',
    peerPid: 200,
  });
  w.connections['0x2'] = conn({
    conn: '0x2',
    side: 'peer',
    pid: 200,
    name: 'X',
    peerConn: '0x1',
    peerPid: 100,
  });
  w.connections['0x3'] = conn({
    conn: '0x3',
    side: 'client',
    pid: 100,
    name: 'Y',
    state: 'invalidated',
    error: 'XPC_ERROR_CONNECTION_INVALID',
    nsError: { domain: 'NSCocoaErrorDomain', code: 4099, description: '', debugDescription: '' },
  });
  return w;
}

function msg(over: Partial<MessageEvent>): MessageEvent {
  return {
    v: 1,
    seq: 1,
    t: 0,
    kind: 'message',
    id: 1,
    conn: '0x1',
    from: 100,
    to: 200,
    dir: 'send',
    size: 100,
    expectsReply: true,
    key: 'tunnelStatus',
    ...over,
  };
}

function compiled(src: string): CompiledFilter {
  const r = compileFilter(src);
  if (!r.ok) throw new Error(`${r.error.message} at ${r.error.pos}`);
  if (!r.filter) throw new Error('empty');
  return r.filter;
}

function matches(src: string, m: MessageEvent, w = world()): boolean {
  const pred = compiled(src).message;
  if (!pred) throw new Error('not applicable to messages');
  return pred(w)(m);
}

function errorOf(src: string): { message: string; pos: number } {
  const r = compileFilter(src);
  if (r.ok) throw new Error(`expected ${src} not to compile`);
  return { message: r.error.message, pos: r.error.pos };
}

describe('the filter language', () => {
  it('an empty filter lets everything through', () => {
    expect(compileFilter('  ')).toEqual({ ok: true, filter: null });
  });

  it('compares a message field with a quoted string or a bare word', () => {
    expect(matches('service == "X"', msg({}))).toBe(true);
    expect(matches('service == X', msg({ conn: '0x3' }))).toBe(false);
    expect(matches('key == tunnelStatus', msg({}))).toBe(true);
  });

  it('reads a message connection state and error through the model', () => {
    expect(matches('service == "Y" && state == invalidated', msg({ conn: '0x3' }))).toBe(true);
    expect(matches('error == INVALID', msg({ conn: '0x3' }))).toBe(true);
    expect(matches('error == XPC_ERROR_CONNECTION_INVALID', msg({ conn: '0x1' }))).toBe(false);
  });

  it('compares sizes with units', () => {
    expect(matches('size > 4096', msg({ size: 5000 }))).toBe(true);
    expect(matches('size > 4k', msg({ size: 4000 }))).toBe(false);
    expect(matches('size >= 1.5kb', msg({ size: 1536 }))).toBe(true);
  });

  it('compares reply latency in ms or s, and a request has none', () => {
    const reply = msg({ dir: 'reply', latencyMs: 80, replyTo: 4 });
    expect(matches('dir == reply && latency > 50ms', reply)).toBe(true);
    expect(matches('latency > 0.1s', reply)).toBe(false);
    expect(matches('latency > 1', msg({}))).toBe(false);
  });

  it('treats a bare field as "has it", so !(error) keeps healthy rows', () => {
    expect(matches('!(error)', msg({ conn: '0x1' }))).toBe(true);
    expect(matches('!(error)', msg({ conn: '0x3' }))).toBe(false);
    expect(matches('not error', msg({ conn: '0x1' }))).toBe(true);
  });

  it('matches pid at either end of a message, or a process label', () => {
    expect(matches('key == tunnelStatus || pid == 123', msg({ key: 'other', from: 123 }))).toBe(true);
    expect(matches('pid == 200', msg({}))).toBe(true);
    expect(matches('from == com.acme.vpn', msg({}))).toBe(true);
    expect(matches('to == tunnel', msg({}))).toBe(true);
    expect(matches('from == tunnel', msg({}))).toBe(false);
  });

  it('gives && precedence over || and honours parentheses', () => {
    const m = msg({ size: 10 });
    expect(matches('size > 50 && key == nope || dir == send', m)).toBe(true);
    expect(matches('size > 50 && (key == nope || dir == send)', m)).toBe(false);
  });

  it('reads != as !(==), so a row without the field passes', () => {
    expect(matches('latency != 5', msg({}))).toBe(true);
    expect(matches('dir != send', msg({}))).toBe(false);
  });

  it('has contains (any case), matches (a regular expression) and in', () => {
    expect(matches('key contains STATUS', msg({}))).toBe(true);
    expect(matches('key matches "^tun.*s$"', msg({}))).toBe(true);
    expect(matches('key ~ "^menu"', msg({}))).toBe(false);
    expect(matches('state in {interrupted, invalidated}', msg({ conn: '0x3' }))).toBe(true);
    expect(matches('dir in {reply event}', msg({}))).toBe(false);
  });

  it('knows the client of a connection from either end', () => {
    expect(matches('client == com.acme.vpn', msg({ conn: '0x2', from: 200, to: 100 }))).toBe(true);
  });

  it('applies to connections and events where they have the fields', () => {
    const w = world();
    const f = compiled('state == invalidated && nserror == 4099');
    expect(f.connection?.(w)(w.connections['0x3'] as ConnectionView)).toBe(true);
    expect(f.connection?.(w)(w.connections['0x1'] as ConnectionView)).toBe(false);
    expect(f.message).toBeNull();
    const exit = {
      v: 1,
      seq: 2,
      t: 0,
      kind: 'process.exit',
      pid: 200,
      label: 'l',
      domain: 'system',
      cause: 'crash',
      code: null,
      signal: 'SIGSEGV',
      ranForMs: 5,
      clean: false,
      detail: 'crashed',
    } as TraceEvent;
    const k = compiled('kind == process.exit && pid == 200');
    expect(k.event?.(w)(exit)).toBe(true);
    expect(k.connection?.(w)(w.connections['0x1'] as ConnectionView)).toBe(false);
  });

  it('reports what went wrong and where', () => {
    expect(errorOf('service ==')).toEqual({
      message: "expected a value after '==' but found the end",
      pos: 10,
    });
    expect(errorOf('sevice == X').message).toBe("unknown field 'sevice' (did you mean service?)");
    expect(errorOf('size > big')).toMatchObject({ message: 'size takes a size such as 4k', pos: 7 });
    expect(errorOf('latency > 5kb').message).toBe("'kb' is not a unit of latency (us, ms, s)");
    expect(errorOf('state == gone').message).toMatch(/^state is one of inactive, activating/);
    expect(errorOf('state > connected').message).toMatch(/can be compared with ==/);
    expect(errorOf('(size > 1')).toMatchObject({ message: "expected ')' but found the end", pos: 9 });
    expect(errorOf('size = 1')).toMatchObject({ message: "use '==' to compare", pos: 5 });
    expect(errorOf('key == "open')).toMatchObject({
      message: 'unterminated string: add a closing "',
      pos: 7,
    });
    expect(errorOf('size > 1 size > 2').message).toBe("expected '&&' or '||' before 'size'");
    expect(errorOf('key matches "("').message).toMatch(/^not a regular expression/);
  });

  it('compares times of day', () => {
    const noon = new Date();
    noon.setHours(12, 0, 0, 0);
    expect(matches('time >= 12:00 && time < 12:00:01', msg({ t: noon.getTime() + 500 }))).toBe(true);
  });
});

describe('filter autocomplete', () => {
  const known = (f: { name: string }) =>
    f.name === 'service' ? ['com.acme.vpn.helper', 'needs quoting here'] : [];

  it('offers field names at the start and after && or (', () => {
    expect(suggest('ser', 3, known).items.map((s) => s.label)).toContain('service');
    expect(suggest('size > 1 && la', 14, known).items[0]?.label).toBe('latency');
    expect(suggest('!(st', 4, known).items[0]?.label).toBe('state');
  });

  it('offers operators after a field, then values of that field', () => {
    expect(suggest('size ', 5, known).items.map((s) => s.label)).toEqual(['>', '>=', '<', '<=', '==']);
    expect(suggest('state == inv', 12, known).items.map((s) => s.label)).toEqual(['invalidated']);
    expect(suggest('error == ', 9, known).items.map((s) => s.label)).toContain('INVALID');
  });

  it('offers values seen in the capture, quoted where they need it, replacing the word under the caret', () => {
    const s = suggest('service == com', 14, known);
    expect(s).toMatchObject({ from: 11, to: 14 });
    expect(s.items.map((i) => i.insert)).toEqual(['com.acme.vpn.helper ']);
    expect(suggest('service == need', 15, known).items[0]?.insert).toBe('"needs quoting here" ');
  });

  it('offers values inside a set and && || after a complete test', () => {
    expect(suggest('dir in {send, re', 16, known).items.map((s) => s.label)).toEqual(['reply']);
    expect(suggest('dir == send ', 12, known).items.map((s) => s.label)).toEqual(['&&', '||']);
  });
});

describe('the service of a message', () => {
  it('is the service name from both ends of the connection', () => {
    const w = world();
    const reply = msg({ conn: '0x2', from: 200, to: 100, dir: 'reply', replyTo: 1 });
    expect(matches('service == X', reply, w)).toBe(true);
    const f = compiled('service == X');
    expect(f.connection?.(w)(w.connections['0x2'] as ConnectionView)).toBe(true);
  });
});

describe('free text and units in the filter', () => {
  it('a bare word that names no field matches any text field, case-insensitively', () => {
    expect(matches('tunnel', msg({}))).toBe(true);
    expect(matches('TUNNELSTATUS', msg({}))).toBe(true);
    expect(matches('helper', msg({}))).toBe(false);
    expect(matches('"tunnelStatus" && dir == send', msg({}))).toBe(true);
    expect(compiled('tunnel').fields).toEqual(['text']);
  });

  it('a word after a number is its unit: a wrong one is blamed by name, where it stands', () => {
    const src = 'latency > 10 parsecs';
    const e = errorOf(src);
    expect(e.message).toMatch(/'parsecs' is not a unit of latency/);
    expect(src.slice(e.pos)).toBe('parsecs');
    expect(errorOf('latency > 10parsecs').pos).toBe('latency > 10'.length);
    expect(matches('latency > 10 ms', msg({ dir: 'reply', latencyMs: 12 }))).toBe(true);
  });
});

describe('the filter’s enumerations are the schemas’', () => {
  const enums: [string, readonly string[]][] = [
    ['kind', TraceEventSchema.options.map((o) => o.shape.kind.value)],
    ['state', ConnectionStateSchema.options],
    ['error', XpcErrorSchema.options],
    ['side', ConnectionSideSchema.options],
    ['dir', MessageDirSchema.options],
    ['level', LogLevelSchema.options],
  ];
  it.each(enums)('every value the trace can hold for %s is accepted', (field, values) => {
    for (const value of values)
      expect(compileFilter(`${field} == "${value}"`).ok, `${field} == ${value}`).toBe(true);
  });

  it('a kind the trace does not have is refused with the list of those it has, connections included', () => {
    const result = compileFilter('kind == process.crash');
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.error.message;
    expect(message).toContain('scenario');
    expect(message).toContain('connection');
    expect(compileFilter('kind == connection').ok).toBe(true);
  });
});
