import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, HelperQuota, messageSize, type QuotaLimits } from '../../main/broker/core/quota';
import { FakeClock } from '../support/fakes';

function harness(limits: Partial<QuotaLimits> = {}) {
  const clock = new FakeClock();
  const seen = {
    delivered: [] as { raw: unknown; at: number; when: number }[],
    oversized: [] as number[],
    throttled: [] as string[],
    relieved: [] as string[],
    cutOff: [] as string[],
  };
  const quota = new HelperQuota({ ...DEFAULT_QUOTA, burstSeconds: 1, ...limits }, clock, {
    deliver: (raw, at) => seen.delivered.push({ raw, at, when: clock.now() }),
    oversized: (_raw, bytes) => seen.oversized.push(bytes),
    throttled: (w) => seen.throttled.push(w),
    relieved: (w) => seen.relieved.push(w),
    cutOff: (c) => seen.cutOff.push(c),
  });
  return { clock, quota, seen };
}

describe('per-helper message budget', () => {
  it('lets a helper within budget straight through, at once', () => {
    const { quota, seen } = harness({ messagesPerSecond: 100 });
    for (let i = 0; i < 50; i++) quota.offer({ t: 'log', text: `${i}` });
    expect(seen.delivered).toHaveLength(50);
    expect(seen.throttled).toEqual([]);
  });

  it('holds messages over budget, lets them through in order at the budget rate, and says so', () => {
    const { clock, quota, seen } = harness({ messagesPerSecond: 100, burstSeconds: 1, graceMs: 5000 });
    for (let i = 0; i < 150; i++) quota.offer({ t: 'log', text: `${i}` });
    expect(seen.delivered).toHaveLength(100);
    expect(seen.throttled).toHaveLength(1);
    expect(seen.throttled[0]).toContain('over its budget of 100 msgs/s');
    clock.advance(250);
    expect(seen.delivered.length).toBeGreaterThanOrEqual(120);
    expect(seen.delivered.length).toBeLessThanOrEqual(130);
    clock.advance(400);
    expect(seen.delivered.map((d) => (d.raw as { text: string }).text)).toEqual(
      Array.from({ length: 150 }, (_, i) => `${i}`),
    );
    expect(seen.relieved[0]).toMatch(/back within its budget after 0\.5 s; 50 messages were held/);
    expect(seen.cutOff).toEqual([]);
  });

  it('keeps the time a held message arrived, not the time it was let through', () => {
    const { clock, quota, seen } = harness({ messagesPerSecond: 10, burstSeconds: 1 });
    const start = clock.now();
    for (let i = 0; i < 15; i++) quota.offer({ t: 'log', text: `${i}` });
    clock.advance(1000);
    const last = seen.delivered.at(-1);
    expect(last?.when).toBeGreaterThanOrEqual(start + 400);
    expect(last?.at).toBe(start);
  });

  it("uses the sender's own stamp, clamped never to run ahead of the broker's clock", () => {
    const { clock, quota, seen } = harness();
    quota.offer({ t: 'log', text: 'a', at: clock.now() - 300 });
    quota.offer({ t: 'log', text: 'b', at: clock.now() + 60_000 });
    expect(seen.delivered.map((d) => d.at)).toEqual([clock.now() - 300, clock.now()]);
  });

  it('cuts off a helper still over budget after the grace period, naming its rate and duration', () => {
    const { clock, quota, seen } = harness({ messagesPerSecond: 100, burstSeconds: 1, graceMs: 2000 });
    for (let tick = 0; tick < 300 && !quota.isCutOff; tick++) {
      for (let i = 0; i < 10; i++) quota.offer({ t: 'log', text: 'x' });
      clock.advance(10);
    }
    expect(seen.throttled).toHaveLength(1);
    expect(seen.cutOff).toHaveLength(1);
    expect(seen.cutOff[0]).toMatch(
      /^exceeded its message budget: \d+ msgs\/s over 2\.0 s \(budget 100 msgs\/s\)$/,
    );
    const rate = Number(/budget: (\d+) msgs/.exec(seen.cutOff[0] ?? '')?.[1]);
    expect(rate).toBeGreaterThan(800);
    expect(rate).toBeLessThan(1200);
    const delivered = seen.delivered.length;
    quota.offer({ t: 'log', text: 'after' });
    clock.advance(5000);
    expect(seen.delivered).toHaveLength(delivered);
    expect(quota.discarded).toBeGreaterThan(0);
  });

  it('cuts off at once when more than maxQueued messages are held', () => {
    const { quota, seen } = harness({ messagesPerSecond: 10, maxQueued: 100 });
    for (let i = 0; i < 500; i++) quota.offer({ t: 'log', text: 'x' });
    expect(seen.cutOff[0]).toContain('more than 100 held');
    expect(seen.delivered).toHaveLength(10);
  });

  it('slows on bytes as well as messages', () => {
    const { quota, seen } = harness({
      messagesPerSecond: 1000,
      bytesPerSecond: 10_000,
      maxMessageBytes: 10_000,
    });
    const body = { blob: 'x'.repeat(3000) };
    for (let i = 0; i < 5; i++) quota.offer({ t: 'send', conn: 'c', id: i, body, expectsReply: false });
    expect(seen.delivered).toHaveLength(3);
    expect(seen.throttled).toHaveLength(1);
  });

  it('refuses a message over the size limit without delivering it, measuring no further than the limit', () => {
    const { quota, seen } = harness({ maxMessageBytes: 1024 });
    quota.offer({ t: 'send', conn: 'c', id: 1, body: { blob: 'x'.repeat(50_000) }, expectsReply: false });
    expect(seen.delivered).toEqual([]);
    expect(seen.oversized).toHaveLength(1);
    expect(seen.oversized[0]).toBeGreaterThan(1024);
  });
});

describe('messageSize', () => {
  it('stops counting past its cap', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(messageSize(wide, 1000)).toBeLessThan(2000);
    expect(messageSize(wide, 10_000_000)).toBeGreaterThan(1_000_000);
  });
});
