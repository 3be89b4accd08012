import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../main/hosts/paths';
import { RecentStore } from '../../main/hosts/recent';
import { describeStartup, type StartupStep, startWithProgress } from '../../main/hosts/startup';
import { type Shown, SourceSwitch, type SwitchClient } from '../../main/hosts/switch';
import { Session } from '../../main/session/session';
import { loadWorld } from '../../main/world/load';
import type { EventBatch } from '../../preload/contract';
import { FakeClock, FakeSpawner } from '../support/fakes';

const worlds = join(packageRoot(), 'assets', 'worlds');
const ACME = join(worlds, 'acme-vpn');
const ORBIT = join(worlds, 'orbit-backup');

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `xpc-lab-${prefix}-`));

function recentIn(dir = temp('home'), limit?: number) {
  let minute = 0;
  // Each entry one minute after the last, so their order is the order they were added.
  const now = () => new Date(Date.UTC(2026, 10, 1, 9, minute++));
  return new RecentStore(join(dir, 'recent.json'), limit, now);
}

function switchWith(options: { onStartup?: (step: StartupStep, shown: Shown) => void } = {}) {
  const spawner = new FakeSpawner();
  const recent = recentIn();
  const sources = new SourceSwitch({
    host: 'headless',
    spawner,
    record: false,
    recent,
    ...(options.onStartup ? { onStartup: options.onStartup } : {}),
  });
  return { sources, spawner, recent };
}

async function hello(sources: SourceSwitch) {
  const reply = await sources.handle({ type: 'hello' });
  if (!reply.ok) throw new Error(reply.error);
  return reply.value as { world: { name: string; root: string }; mode: string };
}

describe('the recent list', () => {
  it('keeps the newest first and moves a reopened entry to the top', () => {
    const store = recentIn();
    const [a, b, c] = [temp('a'), temp('b'), temp('c')];
    for (const path of [a, b, c]) store.add({ kind: 'world', path, name: path });
    expect(store.list('world').map((e) => e.path)).toEqual([c, b, a]);
    store.add({ kind: 'world', path: a, name: 'A again' });
    expect(store.list('world').map((e) => [e.path, e.name])).toEqual([
      [a, 'A again'],
      [c, c],
      [b, b],
    ]);
  });

  it('keeps at most ten of each kind', () => {
    const store = recentIn();
    const folders = Array.from({ length: 12 }, (_, i) => temp(`w${i}`));
    for (const path of folders) store.add({ kind: 'world', path, name: path });
    const trace = join(temp('t'), 'session.ndjson');
    writeFileSync(trace, '');
    store.add({ kind: 'trace', path: trace, name: 'session.ndjson' });
    expect(store.list('world').map((e) => e.path)).toEqual(folders.slice(2).reverse());
    expect(store.list('trace').map((e) => e.path)).toEqual([trace]);
  });

  it('drops an entry whose folder has gone when listed, and forgets it on disk', () => {
    const home = temp('home');
    const store = recentIn(home);
    const [kept, gone] = [temp('kept'), temp('gone')];
    store.add({ kind: 'world', path: kept, name: 'kept' });
    store.add({ kind: 'world', path: gone, name: 'gone' });
    rmSync(gone, { recursive: true });
    expect(store.list().map((e) => e.name)).toEqual(['kept']);
    const file = JSON.parse(readFileSync(join(home, 'recent.json'), 'utf8')) as {
      entries: { name: string }[];
    };
    expect(file.entries.map((e) => e.name)).toEqual(['kept']);
  });

  it('treats an unreadable or foreign file as empty, and rewrites it on the next open', () => {
    const home = temp('home');
    writeFileSync(join(home, 'recent.json'), '{ not json');
    const store = recentIn(home);
    expect(store.list()).toEqual([]);
    store.add({ kind: 'world', path: ACME, name: 'Acme VPN' });
    expect(store.list().map((e) => e.name)).toEqual(['Acme VPN']);
    writeFileSync(join(home, 'recent.json'), JSON.stringify({ v: 1, entries: [{ kind: 'world' }, 42] }));
    expect(store.list()).toEqual([]);
  });

  it('lives under $XPC_LAB_HOME in tests, never in the real home folder', () => {
    expect(new RecentStore().file).toBe(join(process.cwd(), 'test-output', 'home', 'recent.json'));
  });
});

describe('the source switch', () => {
  it('opens a world, then another: the old helpers are killed and both are remembered, newest first', async () => {
    const { sources, spawner } = switchWith();
    await sources.openWorld(ACME);
    expect((await hello(sources)).world.name).toBe('Acme VPN');
    const acmeProcs = [...spawner.spawned];
    expect(acmeProcs.length).toBeGreaterThan(2);

    await sources.openWorld(ORBIT);
    expect((await hello(sources)).world).toEqual({ name: 'Orbit Backup', root: ORBIT });
    expect(acmeProcs.every((p) => p.killedWith.includes('SIGKILL'))).toBe(true);
    expect(spawner.spawned.length).toBeGreaterThan(acmeProcs.length);

    const list = sources.worlds();
    expect(list.recent.map((w) => w.name)).toEqual(['Orbit Backup', 'Acme VPN']);
    expect(list.current).toEqual({ kind: 'world', path: ORBIT, name: 'Orbit Backup' });
    expect(list.demos.map((w) => w.name)).toEqual(
      expect.arrayContaining(['Acme VPN', 'Orbit Backup', 'Northwind Guard', 'Pebble Notes']),
    );
    expect(list.demos.every((w) => w.path.startsWith(worlds))).toBe(true);
    await sources.close();
  });

  it('refuses a folder that is not a world by name, and the world shown keeps running', async () => {
    const { sources, spawner } = switchWith();
    await sources.openWorld(ACME);
    const running = spawner.spawned.length;
    const empty = temp('empty');
    expect(await sources.handle({ type: 'open', path: empty })).toEqual({
      ok: false,
      error: `${empty} is not a world: it has no Applications/ folder, no Library/ folder and no world.plist`,
    });
    const missing = join(empty, 'nowhere');
    expect(await sources.handle({ type: 'open', path: missing })).toEqual({
      ok: false,
      error: `${missing}: no such file or folder`,
    });
    expect(await sources.handle({ type: 'open', path: 'relative/world' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/path: an absolute path/),
    });
    expect(await sources.handle({ type: 'open', path: `/${'x'.repeat(5000)}` })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid command: path:/),
    });
    expect((await hello(sources)).world.name).toBe('Acme VPN');
    expect(spawner.spawned.slice(0, running).every((p) => p.killedWith.length === 0)).toBe(true);
    expect(sources.worlds().recent.map((w) => w.path)).toEqual([ACME]);
    await sources.close();
  });

  it('opens a copy of a world from any folder, and a world whose folder then goes is dropped from the list', async () => {
    const { sources } = switchWith();
    const copy = join(temp('copy'), 'mine');
    mkdirSync(copy);
    cpSync(ORBIT, copy, { recursive: true });
    await sources.openWorld(copy);
    await sources.openWorld(ACME);
    expect(sources.worlds().recent.map((w) => w.path)).toEqual([ACME, copy]);
    rmSync(copy, { recursive: true });
    expect(sources.worlds().recent.map((w) => w.path)).toEqual([ACME]);
    await sources.close();
  });

  it('moves attached consoles to the new source and tells them, once per swap', async () => {
    const { sources } = switchWith();
    const batches: EventBatch[] = [];
    const swaps: string[] = [];
    const client: SwitchClient = { send: (b) => batches.push(b), switched: (s) => swaps.push(s.name) };
    const detach = sources.attach(client);
    await sources.openWorld(ACME);
    expect(swaps).toEqual([]);
    await sources.openWorld(ORBIT);
    expect(swaps).toEqual(['Orbit Backup']);
    await new Promise((r) => setTimeout(r, 60));
    const worldsSeen = batches.flatMap((b) => b.events).filter((e) => e.kind === 'world.loaded');
    expect(worldsSeen.map((e) => (e.kind === 'world.loaded' ? e.name : ''))).toContain('Orbit Backup');
    detach();
    await sources.close();
  });

  it('answers host commands itself; a session refuses them', async () => {
    const { sources } = switchWith();
    await sources.openWorld(ACME);
    const reply = await sources.handle({ type: 'recentWorlds' });
    expect(reply).toMatchObject({ ok: true, value: { current: { name: 'Acme VPN' } } });
    expect(await sources.session?.handle({ type: 'recentWorlds' })).toEqual({
      ok: false,
      error: 'recentWorlds is answered by the host, not by the session it shows',
    });
    await sources.close();
  });

  it('two opens asked at once run one after the other; the last one asked is shown', async () => {
    const { sources } = switchWith();
    await Promise.all([sources.openWorld(ACME), sources.openWorld(ORBIT), sources.openWorld(ACME)]);
    expect((await hello(sources)).world.name).toBe('Acme VPN');
    await sources.close();
    expect(sources.source).toBeUndefined();
  });
});

describe('helpers starting', () => {
  /** Each fake helper does what a real one does first: checks in its service, or (an app) connects. */
  function speak(spawner: FakeSpawner, index: number) {
    const proc = spawner.spawned[index]!;
    const init = proc.of('init')[0]!;
    const name = init.machServices[0];
    if (name) proc.say({ t: 'checkIn', listener: 'l1', name });
    else proc.say({ t: 'connect', conn: 'c1', name: 'com.acme.vpn.helper' });
  }

  it('counts each launch-at-load helper up from the events, then says how long it took', async () => {
    const steps: StartupStep[] = [];
    const { sources, spawner } = switchWith({ onStartup: (s) => steps.push(s) });
    const shown = await sources.openWorld(ACME);
    const total = spawner.spawned.length;
    expect(steps[0]?.progress).toEqual({
      kind: 'helpers',
      done: 0,
      total,
      label: `Starting helpers 0 of ${total}`,
    });
    speak(spawner, 0);
    expect(shown.source.progress).toMatchObject({ done: 1, label: `Starting helpers 1 of ${total}` });
    spawner.spawned[1]!.exit({ code: 78, signal: null });
    for (let i = 2; i < total; i++) speak(spawner, i);
    const report = await shown.startup!.done;
    expect(report).toMatchObject({ total, up: total - 1, exited: [spawner.spawned[1]!.request.label] });
    expect(steps.map((s) => s.progress.done)).toEqual([...Array(total + 1).keys(), total]);
    expect(steps.at(-1)?.progress.label).toMatch(
      new RegExp(`^Started ${total - 1} of ${total} helpers in \\d+ ms; exited before coming up: `),
    );
    expect(shown.source.progress?.done).toBe(total);
    // The console greeting a world mid-start gets the same progress the batches carry.
    expect(await sources.handle({ type: 'hello' })).toMatchObject({
      ok: true,
      value: { progress: { kind: 'helpers', done: total, total } },
    });
    await sources.close();
  });

  it('stops waiting for a helper that never speaks, and names it', async () => {
    const clock = new FakeClock();
    const session = new Session({
      world: loadWorld(ACME).world,
      spawner: new FakeSpawner(),
      host: 'headless',
      clock,
    });
    const watch = startWithProgress(session, { clock, deadlineMs: 5000 });
    clock.advance(5000);
    const report = await watch.done;
    expect(report.up).toBe(0);
    expect(report.total).toBeGreaterThan(2);
    expect(report.silent.length).toBe(report.total);
    expect(describeStartup(report)).toMatch(/^Started 0 of \d+ helpers in 5000 ms; not heard from yet: /);
    expect(session.progress).toMatchObject({ done: report.total, total: report.total });
    session.dispose();
  });

  it('words the outcome plainly', () => {
    expect(describeStartup({ total: 5, up: 5, exited: [], silent: [], ms: 311.6 })).toBe(
      'Started 5 helpers in 312 ms',
    );
    expect(describeStartup({ total: 1, up: 1, exited: [], silent: [], ms: 20 })).toBe(
      'Started 1 helper in 20 ms',
    );
    expect(describeStartup({ total: 0, up: 0, exited: [], silent: [], ms: 0 })).toBe(
      'No helpers start at load',
    );
  });
});

describe('opening what is not a world, trace or log', () => {
  it('refuses a FIFO by its kind, before reading a byte (reading it would wait for a writer)', async () => {
    const fifo = join(temp('fifo'), 'session.ndjson');
    execFileSync('mkfifo', [fifo]);
    const { sources } = switchWith();
    await sources.open(ACME);
    await expect(sources.open(fifo)).rejects.toThrow(
      `${fifo}: is a FIFO (named pipe); XPC Lab opens a world folder or a regular file`,
    );
    await expect(sources.openRecording(fifo, 'trace')).rejects.toThrow(
      `${fifo}: is a FIFO (named pipe) (a trace is one regular file)`,
    );
    expect(sources.shown?.path).toBe(ACME);
    await sources.close();
  });

  it('keeps serving when a recording fails part way, and shows why in its console', async () => {
    const escaped: unknown[] = [];
    const record = (reason: unknown) => escaped.push(reason);
    process.on('unhandledRejection', record);
    try {
      const { sources } = switchWith();
      // A regular file by its stat, whose reads fail with EIO.
      const shown = await sources.openRecording('/proc/self/mem', 'trace');
      await expect
        .poll(() => shown.source.hub.window.toArray().find((e) => e.kind === 'diagnostic'))
        .toMatchObject({
          kind: 'diagnostic',
          file: '/proc/self/mem',
          message: expect.stringMatching(/^reading stopped: .*(EIO|input\/output)/i),
        });
      await new Promise((r) => setImmediate(r));
      expect(escaped).toEqual([]);
      expect((await sources.handle({ type: 'recentWorlds' })).ok).toBe(true);
      await sources.close();
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('a world that runs scripts, opened from a console', () => {
  it('is refused with the list of its scripts until the console says the user allowed them', async () => {
    const copy = join(temp('scripts'), 'pebble-notes');
    cpSync(join(worlds, 'pebble-notes'), copy, { recursive: true });
    const { sources } = switchWith();
    await sources.open(ACME);
    const refused = await sources.handle({ type: 'open', path: copy });
    expect(refused).toEqual({
      ok: false,
      error: `${copy}: this world runs a script as you, with your files and network, when its helpers start:\n  scripts/pebble-sync.mjs (com.pebble.notes.sync)\nOpen it only if you trust these scripts.`,
    });
    expect(sources.shown?.path).toBe(ACME);
    const allowed = await sources.handle({ type: 'open', path: copy, allowScripts: true });
    expect(allowed).toMatchObject({ ok: true, value: { kind: 'world', path: copy, name: 'Pebble Notes' } });
    // The demo worlds shipped with XPC Lab run its own scripts, and open without asking.
    expect(await sources.handle({ type: 'open', path: join(worlds, 'pebble-notes') })).toMatchObject({
      ok: true,
    });
    await sources.close();
  });

  it('never runs a script that lies outside the world folder', () => {
    const dir = temp('outside');
    cpSync(join(worlds, 'pebble-notes'), join(dir, 'world'), { recursive: true });
    writeFileSync(join(dir, 'elsewhere.mjs'), 'export default () => {};');
    const manifest = join(dir, 'world', 'world.plist');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(
        '<string>scripts/pebble-sync.mjs</string>',
        '<string>../elsewhere.mjs</string>',
      ),
    );
    const { world, diagnostics } = loadWorld(join(dir, 'world'));
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        message:
          'the script ../elsewhere.mjs lies outside the world folder; a world runs only scripts inside it',
      }),
    );
    expect(world.jobs.flatMap((j) => j.behaviours).filter((b) => b.kind === 'script')).toEqual([]);
  });
});
