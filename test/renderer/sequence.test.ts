import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../main/trace/model';
import type { MessageEvent, TraceEvent } from '../../main/trace/schema';
import { collectSequence } from '../../renderer/views/sequence/collect';

let seq = 0;
const ev = (e: Record<string, unknown>) => ({ v: 1, seq: seq++, t: seq, ...e }) as TraceEvent;

describe('the sequence diagram window', () => {
  const m = new WorldModel();
  for (const [pid, label] of [
    [1, 'app'],
    [2, 'helper'],
    [3, 'other'],
  ] as const)
    m.apply(ev({ kind: 'process.spawn', pid, label, domain: 'system', program: '/p', reason: 'ipc (mach)' }));
  const msgs = [
    ev({ kind: 'message', id: 1, conn: '0x1', from: 1, to: 2, dir: 'send', size: 1, expectsReply: true }),
    ev({ kind: 'message', id: 2, conn: '0x9', from: 1, to: 3, dir: 'send', size: 1, expectsReply: false }),
    ev({
      kind: 'message',
      id: 3,
      conn: '0x2',
      from: 2,
      to: 1,
      dir: 'reply',
      size: 1,
      expectsReply: false,
      replyTo: 1,
    }),
  ] as MessageEvent[];
  const events = [
    ev({
      kind: 'connection.state',
      conn: '0x1',
      side: 'client',
      pid: 1,
      name: 'helper',
      from: 'connected',
      to: 'invalidated',
      error: 'XPC_ERROR_CONNECTION_INVALID',
      cause: 'cancelled',
    }),
    ev({
      kind: 'connection.state',
      conn: '0x7',
      side: 'client',
      pid: 3,
      name: 'x',
      from: 'connected',
      to: 'invalidated',
    }),
  ];
  const source = {
    messages: () => msgs.map((x, i) => [i, x] as [number, MessageEvent]).reverse(),
    events,
    world: m.state,
  };

  it('keeps messages between the chosen lifelines and marks their invalidations, in stream order', () => {
    const items = collectSequence(source, new Set(['app', 'helper']), 100);
    expect(items.map((i) => (i.kind === 'msg' ? `msg ${i.m.id}` : `${i.mark} ${i.lane}`))).toEqual([
      'msg 1',
      'msg 3',
      'invalidated app',
    ]);
  });

  it('draws from a bounded window: the newest items only', () => {
    const items = collectSequence(source, new Set(['app', 'helper']), 1);
    expect(items).toHaveLength(1);
    expect(items[0]?.kind).toBe('mark');
  });
});
