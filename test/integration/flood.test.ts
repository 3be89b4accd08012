import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordSource } from '../../main/trace/live-recording';
import type { TraceRecorder } from '../../main/trace/recorder';
import type { TraceEvent } from '../../main/trace/schema';
import { loadWorld } from '../../main/world/load';
import { LiveSession } from '../support/live';

const WORLD = join(__dirname, '../fixtures/worlds/flood');
const FLOODER = 'com.example.flood.flooder';
const TRACE_CAP = 1024 * 1024;
const TRACE_FILES = 3;

let live: LiveSession | undefined;
let recorder: TraceRecorder | undefined;
afterEach(async () => {
  live?.dispose();
  await recorder?.close();
});

/** The round trips the two clients logged ("rtt <ms>") among `events`. */
function rtts(events: readonly TraceEvent[]): number[] {
  const out: number[] = [];
  for (const e of events) {
    if (e.kind !== 'log' || !e.text.startsWith('rtt ')) continue;
    const ms = Number(e.text.slice(4));
    if (Number.isFinite(ms)) out.push(ms);
  }
  return out;
}

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

const isDiagnostic = (e: TraceEvent, severity: string, text: string) =>
  e.kind === 'diagnostic' && e.key === 'quota' && e.severity === severity && e.message.includes(text);

describe('a helper that floods the broker', () => {
  it('is throttled, then cut off, while the other helpers keep their round-trip times and the trace its cap', async () => {
    const { world, diagnostics } = loadWorld(WORLD);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(world.quota).toMatchObject({ messagesPerSecond: 500, graceMs: 1500 });
    live = new LiveSession(world);
    const s = live;
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-flood-'));
    recorder = recordSource(s.session, {
      dir,
      host: 'cli',
      world: world.name,
      maxFileBytes: TRACE_CAP,
      maxFiles: TRACE_FILES,
    });

    // Idle: both clients make round trips, nobody floods.
    await expect
      .poll(() => rtts(s.events).length, { timeout: 20_000, interval: 100 })
      .toBeGreaterThanOrEqual(200);
    const idle = rtts(s.events);

    // The flood: the flooder starts when its PathState path appears.
    s.session.broker.setPath('/tmp/xpc-lab-flood-go', true);
    const throttled = await s.waitFor(
      'the flooder to be throttled',
      (e) =>
        isDiagnostic(e, 'warning', `${FLOODER}[`) &&
        e.kind === 'diagnostic' &&
        e.message.includes('throttled'),
      20_000,
    );
    const flooderPid = s.pidOf(FLOODER);
    expect(throttled.kind === 'diagnostic' && throttled.message).toContain(
      `${FLOODER}[${flooderPid}] is throttled`,
    );
    const cut = await s.waitFor(
      'the flooder to be cut off',
      (e) => isDiagnostic(e, 'error', 'exceeded its message budget'),
      20_000,
    );
    expect(cut.kind === 'diagnostic' && cut.message).toMatch(
      new RegExp(
        `^${FLOODER.replace(/\./g, '\\.')}\\[${flooderPid}\\] exceeded its message budget: \\d+ msgs/s over 1\\.\\d s`,
      ),
    );
    // Cut off about 1.5 s after it was first throttled, and not before.
    expect(cut.t - throttled.t).toBeGreaterThanOrEqual(1400);

    // It lost its own connections, with the quota as cause; nobody else lost one.
    const invalidated = s.events.filter(
      (e) => e.kind === 'connection.state' && e.to === 'invalidated' && e.seq > cut.seq - 10,
    );
    const flooderConns = invalidated.filter((e) => e.kind === 'connection.state' && e.pid === flooderPid);
    expect(flooderConns.length).toBeGreaterThanOrEqual(1);
    for (const e of flooderConns) {
      expect(e.kind === 'connection.state' && e.cause).toContain('exceeded its message budget');
    }
    const clientPids = new Set(
      ['com.example.flood.client-a', 'com.example.flood.client-b'].map((l) => s.pidOf(l)),
    );
    expect(
      s.events.filter(
        (e) => e.kind === 'connection.state' && e.to === 'invalidated' && clientPids.has(e.pid),
      ),
    ).toEqual([]);

    // The clients' round trips went on under the flood and go on after it.
    const flood = rtts(s.events.filter((e) => e.seq > throttled.seq && e.seq < cut.seq));
    const afterCut = rtts(s.events).length;
    await expect
      .poll(() => rtts(s.events).length, { timeout: 10_000, interval: 100 })
      .toBeGreaterThan(afterCut + 20);
    expect(s.events.filter((e) => e.kind === 'log' && e.text.startsWith('rtt failed'))).toEqual([]);

    const idleP99 = p99(idle);
    const floodP99 = p99(flood);
    console.info(
      `flood figures: idle p99 ${idleP99.toFixed(2)} ms over ${idle.length} round trips; ` +
        `under flood p99 ${floodP99.toFixed(2)} ms over ${flood.length} round trips; ` +
        `slowest under flood ${[...flood]
          .sort((a, b) => b - a)
          .slice(0, 5)
          .map((v) => v.toFixed(1))
          .join(', ')}; ` +
        `cut off ${(cut.t - throttled.t).toFixed(0)} ms after throttling; ${cut.kind === 'diagnostic' ? cut.message : ''}`,
    );
    expect(flood.length).toBeGreaterThanOrEqual(50);
    expect(floodP99).toBeLessThanOrEqual(2 * idleP99 + 50);

    // The trace stayed within its cap: every file under it, at most TRACE_FILES files.
    await recorder.flush();
    const files = readdirSync(dir);
    expect(files.length).toBeLessThanOrEqual(TRACE_FILES);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(TRACE_CAP);
  }, 60_000);
});
