import { describe, expect, it } from 'vitest';
import { Batcher, EventHub } from '../../main/session/event-hub';
import type { TraceEvent } from '../../main/trace/schema';
import { FakeClock } from '../support/fakes';

const action = (n: number): TraceEvent => ({ v: 1, seq: n, t: n, kind: 'action', action: `a${n}` });

describe('the event hub', () => {
  it('stamps events with the schema version, a rising sequence number and the clock time', () => {
    const clock = new FakeClock();
    const hub = new EventHub(clock, 10);
    const a = hub.emit({ kind: 'action', action: 'crash' });
    clock.advance(5);
    const b = hub.emit({ kind: 'action', action: 'kill' });
    expect([a.v, a.seq, b.seq]).toEqual([1, 0, 1]);
    expect(b.t - a.t).toBe(5);
  });

  it('keeps a bounded window and counts what it dropped', () => {
    const hub = new EventHub(new FakeClock(), 3);
    for (let i = 0; i < 5; i++) hub.emit({ kind: 'action', action: `a${i}` });
    expect(hub.window.toArray().map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(hub.window.dropped).toBe(2);
  });

  it('a replayed event keeps its sequence number, and new events continue after it', () => {
    const hub = new EventHub(new FakeClock(), 10);
    hub.replay(action(41));
    expect(hub.emit({ kind: 'action', action: 'next' }).seq).toBe(42);
  });
});

describe('batches to a console', () => {
  it('delivers events in order, at most about 60 batches a second', async () => {
    const batches: TraceEvent[][] = [];
    const batcher = new Batcher((events) => batches.push(events), 60);
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      batcher.push(action(i));
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 50));
    const elapsed = performance.now() - started;
    expect(batches.flat().map((e) => e.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / (1000 / 60)) + 1);
    batcher.dispose();
  });

  it('past its bound it drops the oldest pending events and counts them', async () => {
    const batches: TraceEvent[][] = [];
    const batcher = new Batcher((events) => batches.push(events), 60, 1000);
    for (let i = 0; i < 200_000; i++) batcher.push(action(i));
    await new Promise((r) => setTimeout(r, 40));
    expect(batcher.dropped).toBe(199_000);
    expect(batches.flat().map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 199_000 + i));
    batcher.dispose();
  });
});
