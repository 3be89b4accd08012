import { type EventInput, SCHEMA_VERSION, type TraceEvent } from '../../main/trace/schema';

/** 2026-11-23T12:00:00Z: a fixed start so expected times are easy to read. */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/**
 * Makes events the way the broker stamps them: schema version, a rising
 * sequence number and a time (T0 + `at` ms, or one ms after the previous event).
 */
export function eventMaker(start = T0) {
  let seq = 0;
  let last = start;
  return function ev<E extends EventInput>(input: E, at?: number): TraceEvent {
    const t = input.t ?? (at === undefined ? last + 1 : start + at);
    last = t;
    return { ...input, v: SCHEMA_VERSION, seq: seq++, t } as unknown as TraceEvent;
  };
}

export function spawn(pid: number, label: string): EventInput {
  return {
    kind: 'process.spawn',
    pid,
    label,
    domain: 'gui/501',
    program: `/Applications/${label}`,
    reason: 'ipc (mach)',
  };
}

export function message(
  fields: Partial<Extract<EventInput, { kind: 'message' }>> & { id: number; from: number; to: number },
): EventInput {
  return { kind: 'message', conn: 'c1', dir: 'send', size: 10, expectsReply: false, ...fields };
}

export function connState(
  conn: string,
  pid: number,
  from: string,
  to: string,
  extra: Record<string, unknown> = {},
): EventInput {
  return {
    kind: 'connection.state',
    conn,
    side: 'client',
    pid,
    name: 'com.acme.helper',
    from,
    to,
    ...extra,
  } as EventInput;
}
