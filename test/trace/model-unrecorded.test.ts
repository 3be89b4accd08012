import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../main/trace/model';
import type { TraceEvent } from '../../main/trace/schema';

const diagnostic = (seq: number, key: string, count?: number): TraceEvent =>
  ({
    v: 1,
    seq,
    t: 1_700_000_000_000 + seq,
    kind: 'diagnostic',
    severity: 'warning',
    key,
    message: `report ${seq}`,
    ...(count !== undefined ? { count } : {}),
  }) as TraceEvent;

describe('message records helpers did not keep', () => {
  it('are summed from the capture reports, and only from them', () => {
    const model = new WorldModel();
    expect(model.state.unrecorded ?? 0).toBe(0);
    model.apply(diagnostic(0, 'capture', 100));
    model.apply(diagnostic(1, 'quota', 7));
    model.apply(diagnostic(2, 'capture', 400));
    model.apply(diagnostic(3, 'capture'));
    expect(model.state.unrecorded).toBe(500);
  });
});

describe('capture off', () => {
  it('counts a connection’s messages and bytes from its message.counts events, on both ends', () => {
    const model = new WorldModel();
    const state = (seq: number, conn: string, side: 'client' | 'peer', peerConn: string): TraceEvent =>
      ({
        v: 1,
        seq,
        t: 1_700_000_000_000 + seq,
        kind: 'connection.state',
        conn,
        side,
        pid: side === 'client' ? 100 : 200,
        name: 'com.example.daemon',
        peerConn,
        peerPid: side === 'client' ? 200 : 100,
        from: 'inactive',
        to: 'connected',
      }) as TraceEvent;
    model.apply(state(0, '0xc', 'client', '0xp'));
    model.apply(state(1, '0xp', 'peer', '0xc'));
    const counts = (seq: number, conn: string, messages: number, bytes: number): TraceEvent =>
      ({
        v: 1,
        seq,
        t: 1_700_000_000_000 + seq,
        kind: 'message.counts',
        conn,
        from: 100,
        to: 200,
        messages,
        bytes,
        requests: 0,
        replies: 0,
      }) as TraceEvent;
    model.apply(counts(2, '0xc', 40, 800));
    model.apply(counts(3, '0xp', 40, 1200));
    expect(model.state.messages).toBe(80);
    expect(model.state.bytes).toBe(2000);
    expect(model.state.connections['0xc']).toMatchObject({
      sent: 40,
      bytesOut: 800,
      received: 40,
      bytesIn: 1200,
    });
    expect(model.state.connections['0xp']).toMatchObject({ sent: 40, received: 40 });
  });
});
