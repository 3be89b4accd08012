import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildProcessSpawner } from '../../main/hosts/headless/child-spawner';
import { helperEntryPath } from '../../main/hosts/helper-path';
import { demoWorldPath } from '../../main/hosts/paths';
import { type LiveSource, openLive } from '../../main/hosts/sources';

let live: LiveSource | undefined;
let spawner: ChildProcessSpawner | undefined;
afterEach(async () => {
  await live?.stop();
  spawner?.dispose();
});

function demo(): LiveSource {
  spawner = new ChildProcessSpawner(helperEntryPath());
  live = openLive(demoWorldPath(), spawner, 'headless', false);
  live.session.start();
  return live;
}

describe('console commands on a live session', () => {
  it('lists the shipped scenarios and runs one, reporting each step as it finishes', async () => {
    const { session } = demo();
    const list = (await session.handle({ type: 'listScenarios' })) as {
      ok: true;
      value: { file: string; steps: number }[];
    };
    expect(list.value.map((s) => s.file)).toContain('sandbox-lookup-159.yaml');
    const run = (await session.handle({ type: 'runScenario', file: 'sandbox-lookup-159.yaml' })) as {
      ok: true;
      value: { ok: boolean; passed: number; total: number; trace?: string };
    };
    expect(run.value).toMatchObject({ ok: true });
    expect(run.value.passed).toBe(run.value.total);
    const progress = session.hub.window.toArray().filter((e) => e.kind === 'scenario');
    expect(progress.map((e) => (e.kind === 'scenario' ? e.phase : ''))).toEqual([
      'started',
      ...Array(run.value.total).fill('step'),
      'done',
    ]);
    expect(existsSync(run.value.trace ?? '')).toBe(true);
  });

  it('refuses a scenario that is not in the list, path or not', async () => {
    const { session } = demo();
    expect(await session.handle({ type: 'runScenario', file: '../../package.json' })).toEqual({
      ok: false,
      error: 'no scenario named ../../package.json; choose one from the list',
    });
  });

  it('an upgrade with the VPN connected leaves the network extension name bound to the old instance', async () => {
    const { session } = demo();
    const reply = (await session.handle({
      type: 'upgrade',
      app: 'com.acme.vpn',
      mode: 'bump',
      vpnConnected: true,
    })) as {
      ok: true;
      value: { remedies: unknown[]; why: string[] };
    };
    expect(reply.ok).toBe(true);
    expect(reply.value.why.join(' ')).toMatch(/§5\.4/);
    const list = (await session.handle({ type: 'sysextList' })) as {
      ok: true;
      value: { text: string; stale: { name: string }[] };
    };
    expect(list.value.stale.map((s) => s.name)).toEqual(['ABCDE12345.com.acme.vpn.tunnel']);
    expect(list.value.text).toMatch(/\[terminated waiting to uninstall on reboot\]/);
  });

  it('an upgrade from a folder that is not laid out like a world is refused with the reason', async () => {
    const { session } = demo();
    expect(
      await session.handle({ type: 'upgrade', app: 'com.acme.vpn', mode: 'folder', folder: '/etc' }),
    ).toEqual({
      ok: false,
      error: '/etc is not a world folder with an Applications folder in it',
    });
  });

  it('memory pressure answers with what it reclaimed', async () => {
    const { session } = demo();
    const reply = (await session.handle({ type: 'pressure' })) as {
      ok: true;
      value: { reclaimed: unknown[] };
    };
    expect(reply.ok).toBe(true);
    expect(Array.isArray(reply.value.reclaimed)).toBe(true);
    expect(session.hub.window.toArray().some((e) => e.kind === 'action' && e.action === 'pressure')).toBe(
      true,
    );
  });
});
