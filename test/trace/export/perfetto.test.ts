import { describe, expect, it } from 'vitest';
import { BROKER_PID, type ChromeTraceEvent, toPerfetto } from '../../../main/trace/export/perfetto';
import type { TraceEvent } from '../../../main/trace/schema';
import { connState, eventMaker, message, spawn } from '../event-fixtures';

const APP = 100;
const HELPER = 200;
const UNSPAWNED = 300;

/** A short session: a connection that is interrupted and invalidated, requests with and without replies. */
function session(): TraceEvent[] {
  const ev = eventMaker();
  return [
    ev(spawn(APP, 'com.acme.app'), 0),
    ev(spawn(HELPER, 'com.acme.helper'), 0.5),
    ev(connState('c1', APP, 'inactive', 'activating'), 1),
    ev(connState('c1', APP, 'activating', 'connected'), 1.5),
    ev(message({ id: 1, from: APP, to: HELPER, key: 'ping', expectsReply: true }), 2),
    // Three messages at the same instant from one process, and one to a process the trace never saw start.
    ev(message({ id: 3, from: APP, to: HELPER, key: 'a' }), 3),
    ev(message({ id: 4, from: APP, to: HELPER, key: 'b' }), 3),
    ev(message({ id: 5, from: APP, to: UNSPAWNED, key: 'c' }), 3),
    ev(
      message({
        id: 2,
        conn: 'p1',
        from: HELPER,
        to: APP,
        dir: 'reply',
        replyTo: 1,
        latencyMs: 2.5,
        key: 'ping',
      }),
      4.5,
    ),
    ev(message({ id: 6, from: APP, to: HELPER, key: 'doomed', expectsReply: true }), 4.6),
    ev(message({ id: 7, from: APP, to: HELPER, key: 'unanswered', expectsReply: true }), 4.7),
    ev(
      connState('c1', APP, 'connected', 'interrupted', {
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
        cause: 'helper exited',
      }),
      5,
    ),
    ev(
      {
        kind: 'reply.failed',
        conn: 'c1',
        request: 6,
        pid: APP,
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
        cause: 'helper exited',
      },
      5,
    ),
    ev(connState('c1', APP, 'interrupted', 'connected'), 6),
    ev(
      {
        kind: 'process.exit',
        pid: HELPER,
        label: 'com.acme.helper',
        domain: 'gui/501',
        cause: 'crash',
        code: null,
        signal: 'SIGSEGV',
        ranForMs: 7,
        clean: false,
        detail: 'crashed',
      },
      8,
    ),
    ev(connState('c1', APP, 'connected', 'invalidated', { error: 'XPC_ERROR_CONNECTION_INVALID' }), 9),
    ev({ kind: 'action', action: 'crash', target: 'com.acme.helper' }, 10),
  ];
}

function ofPhase(events: readonly ChromeTraceEvent[], ph: ChromeTraceEvent['ph']): ChromeTraceEvent[] {
  return events.filter((e) => e.ph === ph);
}

describe('toPerfetto', () => {
  const file = toPerfetto(session());
  const events = file.traceEvents;

  it('is Chrome trace-event JSON with millisecond display', () => {
    expect(file.displayTimeUnit).toBe('ms');
    expect(JSON.parse(JSON.stringify(file))).toEqual(file);
  });

  it('gives every event a finite, non-negative microsecond timestamp relative to the first event', () => {
    for (const e of events) {
      expect(Number.isFinite(e.ts)).toBe(true);
      expect(e.ts).toBeGreaterThanOrEqual(0);
    }
    const exit = events.find((e) => e.ph === 'i' && e.name.startsWith('exit'));
    expect(exit?.ts).toBe(8000);
  });

  it('turns a 2.5 ms request-to-reply gap into a 2500 µs async slice', () => {
    const reply = events.filter((e) => e.cat === 'reply' && e.name === 'ping → reply');
    expect(reply.map((e) => e.ph)).toEqual(['b', 'e']);
    expect(reply[0]!.id).toBe(reply[1]!.id);
    expect(reply[0]!.ts).toBe(2000);
    expect(reply[1]!.ts - reply[0]!.ts).toBe(2500);
    expect(reply[1]!.args).toMatchObject({ latencyMs: 2.5 });
  });

  it('pairs every async begin with one end of the same category, id and name', () => {
    const open = new Map<string, ChromeTraceEvent[]>();
    for (const e of events) {
      if (e.ph !== 'b' && e.ph !== 'e') continue;
      const key = `${e.cat}/${e.id}`;
      const stack = open.get(key) ?? [];
      if (e.ph === 'b') stack.push(e);
      else {
        const begin = stack.pop();
        expect(begin, `end without begin: ${key}`).toBeDefined();
        expect(begin!.name).toBe(e.name);
        expect(begin!.pid).toBe(e.pid);
        expect(e.ts).toBeGreaterThanOrEqual(begin!.ts);
      }
      open.set(key, stack);
    }
    for (const [key, stack] of open) expect(stack, `never ended: ${key}`).toEqual([]);
  });

  it('closes the slices of requests that failed or were never answered', () => {
    const doomed = events.filter((e) => e.name === 'doomed → reply');
    expect(doomed.map((e) => [e.ph, e.ts])).toEqual([
      ['b', 4600],
      ['e', 5000],
    ]);
    expect(doomed[1]!.args).toMatchObject({ error: 'XPC_ERROR_CONNECTION_INTERRUPTED' });
    const unanswered = events.filter((e) => e.name === 'unanswered → reply');
    expect(unanswered.map((e) => [e.ph, e.ts])).toEqual([
      ['b', 4700],
      ['e', 10_000],
    ]);
  });

  it('draws each message as a flow from a slice on the sender to a slice on the receiver', () => {
    const starts = ofPhase(events, 's');
    const finishes = ofPhase(events, 'f');
    expect(starts).toHaveLength(7);
    for (const s of starts) {
      const matching = finishes.filter((f) => f.id === s.id);
      expect(matching).toHaveLength(1);
      expect(matching[0]!.cat).toBe(s.cat);
      expect(matching[0]!.bp).toBe('e');
    }
    expect(new Set(finishes.map((f) => f.id)).size).toBe(finishes.length);

    const slices = ofPhase(events, 'X');
    for (const flow of [...starts, ...finishes]) {
      const anchor = slices.filter(
        (x) => x.pid === flow.pid && x.tid === flow.tid && x.ts < flow.ts && flow.ts < x.ts + x.dur!,
      );
      expect(anchor, `flow ${flow.id} ${flow.ph} has no slice around it`).toHaveLength(1);
    }
    const ping = starts.find((s) => s.name === 'send ping')!;
    expect(ping.pid).toBe(APP);
    expect(finishes.find((f) => f.id === ping.id)!.pid).toBe(HELPER);
  });

  it('keeps the slices on each thread properly nested, even for simultaneous messages', () => {
    const byThread = new Map<string, ChromeTraceEvent[]>();
    for (const x of ofPhase(events, 'X')) {
      expect(x.dur).toBeGreaterThan(0);
      const key = `${x.pid}/${x.tid}`;
      byThread.set(key, [...(byThread.get(key) ?? []), x]);
    }
    // Compared in whole nanoseconds, as viewers import them, so float sums do not blur the edges.
    const ns = (us: number) => Math.round(us * 1000);
    for (const slices of byThread.values()) {
      for (const a of slices) {
        for (const b of slices) {
          if (a === b || a.ts > b.ts) continue;
          const aEnd = ns(a.ts) + ns(a.dur!);
          const bEnd = ns(b.ts) + ns(b.dur!);
          const disjoint = ns(b.ts) >= aEnd;
          const nested = bEnd <= aEnd;
          expect(disjoint || nested, `${a.name} and ${b.name} partly overlap`).toBe(true);
        }
      }
    }
    const atThree = ofPhase(events, 'X').filter((x) => x.pid === APP && Math.floor(x.ts) === 3000);
    expect(atThree).toHaveLength(3);
  });

  it('names every pid with process_name metadata', () => {
    const names = new Map(ofPhase(events, 'M').map((m) => [m.pid, (m.args as { name: string }).name]));
    for (const e of events) expect(names.has(e.pid), `pid ${e.pid} unnamed`).toBe(true);
    expect(names.get(APP)).toBe('com.acme.app');
    expect(names.get(HELPER)).toBe('com.acme.helper');
    expect(names.get(UNSPAWNED)).toBe('pid 300');
    expect(names.get(BROKER_PID)).toMatch(/broker/);
    expect(ofPhase(events, 'M').every((m) => m.name === 'process_name')).toBe(true);
  });

  it('shows connection states as one slice per interval on the connection track', () => {
    const conn = events.filter((e) => e.cat === 'connection' && (e.ph === 'b' || e.ph === 'e'));
    expect(conn.every((e) => e.id === 'conn:c1' && e.pid === APP)).toBe(true);
    expect(conn.map((e) => `${e.ph} ${e.name} ${e.ts}`)).toEqual([
      'b activating 1000',
      'e activating 1500',
      'b connected 1500',
      'e connected 5000',
      'b interrupted 5000',
      'e interrupted 6000',
      'b connected 6000',
      'e connected 9000',
    ]);
  });

  it('marks interruptions, invalidations and exits as instants', () => {
    const instants = ofPhase(events, 'i');
    const interrupted = instants.find((e) => e.name === 'interrupted');
    const invalidated = instants.find((e) => e.name === 'invalidated');
    const exit = instants.find((e) => e.name === 'exit (crash)');
    expect(interrupted).toMatchObject({ s: 't', pid: APP, ts: 5000, args: { cause: 'helper exited' } });
    expect(invalidated).toMatchObject({
      s: 't',
      pid: APP,
      ts: 9000,
      args: { error: 'XPC_ERROR_CONNECTION_INVALID' },
    });
    expect(exit).toMatchObject({ s: 'p', pid: HELPER, args: { signal: 'SIGSEGV', clean: false } });
  });

  it('starts a reply slice from the latency when the request is older than the trace', () => {
    const ev = eventMaker();
    const out = toPerfetto([
      ev(spawn(APP, 'com.acme.app'), 0),
      ev(message({ id: 9, from: HELPER, to: APP, dir: 'reply', replyTo: 8, latencyMs: 1 }), 3),
    ]).traceEvents.filter((e) => e.cat === 'reply');
    expect(out.map((e) => [e.ph, e.ts, e.pid])).toEqual([
      ['b', 2000, APP],
      ['e', 3000, APP],
    ]);
  });

  it('exports nothing for no events', () => {
    expect(toPerfetto([])).toEqual({ traceEvents: [], displayTimeUnit: 'ms' });
  });
});
