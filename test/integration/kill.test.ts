import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { job, world } from '../support/fakes';
import { LiveSession } from '../support/live';

let live: LiveSession | undefined;
afterEach(() => live?.dispose());

/** A helper whose script replaces the SDK's SIGTERM handler with one that only logs: it will not stop when asked. */
function stubbornWorld() {
  const script = join(mkdtempSync(join(tmpdir(), 'xpc-lab-stubborn-')), 'stubborn.mjs');
  writeFileSync(
    script,
    `export default function stubborn(sdk) {
  process.removeAllListeners('SIGTERM');
  process.on('SIGTERM', () => sdk.log('stubborn: ignoring SIGTERM'));
  sdk.log('stubborn: up');
}
`,
  );
  return world([
    job('com.example.stubborn', {
      runAtLoad: true,
      exitTimeOutS: 1,
      behaviours: [{ kind: 'script', path: script }],
    }),
  ]);
}

describe('kill follows launchd', () => {
  it('a helper that ignores SIGTERM gets SIGKILL after its ExitTimeOut, each step shown', async () => {
    live = new LiveSession(stubbornWorld());
    const s = live;
    await s.waitFor('the helper to be up', (e) => e.kind === 'log' && e.text === 'stubborn: up');
    const pid = s.pidOf('com.example.stubborn');
    const asked = performance.now();
    expect(await s.session.handle({ type: 'kill', pid, signal: 'SIGTERM' })).toEqual({
      ok: true,
      value: { ok: true },
    });
    await s.waitFor(
      'the helper to ignore SIGTERM',
      (e) => e.kind === 'log' && e.text === 'stubborn: ignoring SIGTERM',
    );
    const exit = await s.waitFor(
      'the helper to exit',
      (e) => e.kind === 'process.exit' && e.pid === pid,
      10_000,
    );
    expect(performance.now() - asked).toBeGreaterThanOrEqual(900);
    expect(exit).toMatchObject({ signal: 'SIGKILL' });
    const actions = s.events.filter(
      (e) => e.kind === 'action' && e.target === `com.example.stubborn[${pid}]`,
    );
    expect(actions.map((a) => (a as { detail?: string }).detail)).toEqual([
      'SIGTERM',
      'SIGKILL: still running 1 s after SIGTERM (its ExitTimeOut)',
    ]);
  });
});
