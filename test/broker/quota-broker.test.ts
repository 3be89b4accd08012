import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/broker/broker';
import { FakeClock, FakeSpawner, job, Recorder, world } from '../support/fakes';
import { answer, checkIn } from './harness';

/** An echo service and two clients, under a budget of 10 msgs/s with a 1 s grace period. */
function twoClients() {
  const spawner = new FakeSpawner();
  const clock = new FakeClock();
  const rec = new Recorder();
  const w = {
    ...world([
      job('com.example.echo'),
      job('com.example.flooder', { runAtLoad: true }),
      job('com.example.polite', { runAtLoad: true }),
    ]),
    quota: { messagesPerSecond: 10, burstSeconds: 1, graceMs: 1000 },
  };
  const broker = new Broker({ world: w, spawner, clock, emit: rec.emit });
  broker.start();
  const flooder = spawner.running('com.example.flooder');
  const polite = spawner.running('com.example.polite');
  for (const p of [flooder, polite]) {
    p.say({ t: 'connect', conn: 'c1', name: 'com.example.echo', privileged: false });
    p.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
  }
  const echo = spawner.running('com.example.echo');
  checkIn(echo);
  answer(echo);
  return { broker, clock, rec, flooder, polite, echo };
}

describe('the broker applies each helper its own budget', () => {
  it('gives the events a message causes the time the sender stamped on it', () => {
    const { clock, rec, polite } = twoClients();
    clock.advance(1000);
    // Sent 750 ms ago, after the client's previous message, and only now read: the event keeps the sending time.
    const sent = clock.now() - 750;
    polite.say({ t: 'send', conn: 'c1', id: 2, body: { selector: 'late' }, expectsReply: false, at: sent });
    const msg = rec.of('message').find((m) => m.key === 'late');
    expect(msg?.t).toBe(sent);
  });

  it('throttles and then cuts off only the flooder; the other client still gets through', () => {
    const { clock, rec, flooder, polite, echo } = twoClients();
    for (let i = 0; i < 40; i++) {
      flooder.say({ t: 'send', conn: 'c1', id: 10 + i, body: { selector: 'flood' }, expectsReply: false });
    }
    const throttled = rec.of('diagnostic').filter((d) => d.key === 'quota' && d.severity === 'warning');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]?.message).toMatch(
      /^com\.example\.flooder\[\d+\] is throttled: over its budget of 10 msgs\/s/,
    );
    for (let tick = 0; tick < 15; tick++) {
      flooder.say({
        t: 'send',
        conn: 'c1',
        id: 100 + tick,
        body: { selector: 'flood' },
        expectsReply: false,
      });
      clock.advance(100);
    }
    const cut = rec.of('diagnostic').find((d) => d.key === 'quota' && d.severity === 'error');
    expect(cut?.message).toMatch(
      /^com\.example\.flooder\[\d+\] exceeded its message budget: \d+ msgs\/s over 1\.0 s/,
    );
    const lost = rec.of('connection.state').filter((e) => e.to === 'invalidated');
    expect(lost.length).toBeGreaterThanOrEqual(2);
    for (const e of lost) expect(e.cause).toContain('exceeded its message budget');
    expect(lost.map((e) => e.pid)).not.toContain(polite.pid);
    expect(flooder.inbox.some((m) => m.t === 'event' && m.error === 'XPC_ERROR_CONNECTION_INVALID')).toBe(
      true,
    );

    const before = echo.inbox.length;
    polite.say({ t: 'send', conn: 'c1', id: 500, body: { selector: 'still here' }, expectsReply: false });
    expect(echo.inbox.slice(before)).toContainEqual(
      expect.objectContaining({ t: 'message', body: { selector: 'still here' } }),
    );
    flooder.say({ t: 'send', conn: 'c1', id: 501, body: { selector: 'after' }, expectsReply: false });
    expect(rec.of('message').some((m) => m.key === 'after')).toBe(false);
  });

  it('refuses a message over the size limit at the boundary, naming the limit, and nothing else', () => {
    const { rec, polite } = twoClients();
    polite.say({
      t: 'send',
      conn: 'c1',
      id: 2,
      body: { blob: 'x'.repeat(2 * 1024 * 1024) },
      expectsReply: false,
    });
    const last = rec.of('connection.state').at(-1);
    expect(last).toMatchObject({ to: 'invalidated', pid: polite.pid });
    expect(last?.cause).toMatch(/exceeds the 1048576-byte limit/);
    expect(JSON.stringify(rec.events).length).toBeLessThan(1024 * 1024);
  });
});
