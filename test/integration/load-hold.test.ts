import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../main/trace/schema';
import { app, job, reply, world } from '../support/fakes';
import { LiveSession } from '../support/live';

let live: LiveSession | undefined;
afterEach(() => live?.dispose());

const SERVICE = 'com.example.echo';
const isLog = (prefix: string) => (e: TraceEvent) => e.kind === 'log' && e.text.startsWith(prefix);
const textOf = (e: TraceEvent) => (e.kind === 'log' ? e.text : '');

describe('the load behaviour times its own round trips', () => {
  it('reports how long the load took and the round trip p50 and p99 it measured', async () => {
    live = new LiveSession(
      world([
        job(SERVICE, { behaviours: [reply()] }),
        app('com.example.loader', {
          runAtLoad: true,
          behaviours: [
            {
              kind: 'load',
              service: SERVICE,
              messages: 300,
              inFlight: 8,
              body: { selector: 'ping' },
              privileged: false,
            },
          ],
        }),
      ]),
    );
    const done = textOf(await live.waitFor('the load to finish', isLog('load done'), 20_000));
    const m = /^load done: 300 replies in (\d+) ms; round trip p50 ([\d.]+) ms, p99 ([\d.]+) ms$/.exec(done);
    expect(m, done).not.toBeNull();
    const [ms, p50, p99] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    // No single round trip can outlast the whole run.
    expect(p99).toBeLessThanOrEqual(ms + 1);
    // The warm-up round trip is not counted: 300 requests after it, each with its reply in the stream.
    const sends = live.events.filter((e) => e.kind === 'message' && e.dir === 'send');
    expect(sends).toHaveLength(301);
  });

  it('paces the requests at ratePerSecond', async () => {
    live = new LiveSession(
      world([
        job(SERVICE, { behaviours: [reply()] }),
        app('com.example.loader', {
          runAtLoad: true,
          behaviours: [
            {
              kind: 'load',
              service: SERVICE,
              messages: 60,
              inFlight: 64,
              body: { selector: 'ping' },
              privileged: false,
              ratePerSecond: 100,
            },
          ],
        }),
      ]),
    );
    const done = textOf(await live.waitFor('the load to finish', isLog('load done'), 20_000));
    // 60 requests at 100 a second cannot finish in less than about 0.6 s; unpaced they take a few ms.
    expect(Number(/in (\d+) ms/.exec(done)?.[1])).toBeGreaterThanOrEqual(550);
  });
});

describe('the hold behaviour', () => {
  it('holds its connections and stamps the last error handler when the service dies', async () => {
    live = new LiveSession(
      world([
        job(SERVICE, { runAtLoad: true, behaviours: [reply()] }),
        app('com.example.holder', {
          runAtLoad: true,
          behaviours: [
            {
              kind: 'hold',
              service: SERVICE,
              connections: 25,
              body: { selector: 'hi' },
              privileged: false,
              everyMs: 0,
            },
          ],
        }),
      ]),
    );
    const s = live;
    expect(textOf(await s.waitFor('the connections to be up', isLog('hold up'), 20_000))).toBe(
      `hold up: 25 connections to ${SERVICE}`,
    );
    const clientConns = () =>
      new Set(
        s.events
          .filter((e) => e.kind === 'connection.state' && e.side === 'client' && e.name === SERVICE)
          .map((e) => (e.kind === 'connection.state' ? e.conn : '')),
      );
    expect(clientConns().size).toBe(25);
    const killedAt = performance.timeOrigin + performance.now();
    await s.session.handle({ type: 'kill', pid: s.pidOf(SERVICE), signal: 'SIGKILL' });
    const text = textOf(await s.waitFor('every connection to see its error', isLog('hold errors'), 20_000));
    const m =
      /^hold errors: 25 of 25 connections to (\S+), last handler at ([\d.]+) \(INTERRUPTED 25, INVALID 0\)$/.exec(
        text,
      );
    expect(m, text).not.toBeNull();
    expect(m?.[1]).toBe(SERVICE);
    const stamp = Number(m?.[2]);
    expect(stamp).toBeGreaterThan(killedAt);
    expect(stamp).toBeLessThan(performance.timeOrigin + performance.now());
    const interrupted = s.events.filter(
      (e) =>
        e.kind === 'connection.state' && e.side === 'client' && e.name === SERVICE && e.to === 'interrupted',
    );
    expect(interrupted).toHaveLength(25);
  });
});
