import { describe, expect, it } from 'vitest';
import { emptySnapshot, newConnection } from '../../main/trace/model';
import type { MessageEvent } from '../../main/trace/schema';
import { MessageStats } from '../../renderer/stats/aggregates';
import { LatencyHistogram } from '../../renderer/stats/histogram';
import { SecondSeries } from '../../renderer/stats/series';

describe('message aggregates', () => {
  it('estimates latency percentiles within a bucket (~9%) without keeping the samples', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.add(i / 10);
    for (const [q, exact] of [
      [0.5, 50],
      [0.95, 95],
      [0.99, 99],
    ] as const) {
      const v = h.quantile(q) ?? 0;
      expect(Math.abs(v - exact) / exact).toBeLessThan(0.1);
    }
    expect(new LatencyHistogram().quantile(0.5)).toBeUndefined();
  });

  it('buckets messages per second of capture time and forgets seconds that scroll out', () => {
    const s = new SecondSeries(5);
    s.add(1000, 10);
    s.add(1500, 10);
    s.add(3000, 5);
    expect(s.window(4, 4).counts).toEqual([2, 0, 1, 0]);
    s.add(9000, 1);
    expect(s.window(3, 9).counts).toEqual([0, 0, 1]);
    expect(s.window(9, 9).counts.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(s.rate(2, 10)).toBe(0.5);
  });

  it('adds both directions of a pair to the client connection and its service', () => {
    const w = emptySnapshot();
    const base = { state: 'connected', since: 0 } as const;
    w.connections['0x1'] = newConnection({
      ...base,
      conn: '0x1',
      side: 'client',
      pid: 1,
      name: 'svc',
      peerConn: '0x2',
    });
    w.connections['0x2'] = newConnection({
      ...base,
      conn: '0x2',
      side: 'peer',
      pid: 2,
      name: 'svc.peer[1]',
      peerConn: '0x1',
    });
    const stats = new MessageStats();
    const m = (over: Partial<MessageEvent>): MessageEvent => ({
      v: 1,
      seq: 0,
      t: 0,
      kind: 'message',
      id: 1,
      conn: '0x1',
      from: 1,
      to: 2,
      dir: 'send',
      size: 10,
      expectsReply: true,
      ...over,
    });
    stats.add(m({}), w);
    stats.add(m({ conn: '0x2', dir: 'reply', replyTo: 1, latencyMs: 4, expectsReply: false }), w);
    expect([...stats.byConnection.keys()]).toEqual(['0x1']);
    expect([...stats.byService.keys()]).toEqual(['svc']);
    expect(stats.byService.get('svc')?.latency.quantile(0.5)).toBeCloseTo(4, 0);
  });
});
