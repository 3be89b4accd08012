import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index';
import {
  reboot,
  restartApp,
  sysextAction,
  sysextList,
  tryRemedy,
  upgradeApp,
} from '../../main/session/upgrade-commands';
import type { TraceEvent } from '../../main/trace/schema';
import { loadWorld } from '../../main/world/load';
import type { JobSpec, World } from '../../main/world/model';
import { app, job, world } from '../support/fakes';
import { LiveSession } from '../support/live';

type StateEvent = Extract<TraceEvent, { kind: 'connection.state' }>;
const isState = (e: TraceEvent): e is StateEvent => e.kind === 'connection.state';

const APP = 'com.acme.vpn';
const EXT = 'com.acme.vpn.tunnel';
const NE = 'ABCDE12345.com.acme.vpn.tunnel';
const ASSETS = join(__dirname, '..', '..', 'assets');
const quickReconnect = {
  onInterrupted: 'resync',
  onInvalid: 'reconnect',
  delayMs: 150,
  backoff: 1,
  maxDelayMs: 150,
  maxAttempts: 0,
} as const;

/** A VPN app polling its network extension, with the VPN connected. */
function vpnWorld(rebootRebindsNE = false): World {
  const versions = { shortVersion: '2.4.0', bundleVersion: '240' };
  const ext: JobSpec = job(EXT, {
    type: 'SystemExtension',
    runAtLoad: true,
    bundledIn: APP,
    sysext: { category: 'network_extension', name: 'AcmeTunnel' },
    machServices: [{ name: NE, hideUntilCheckIn: false, origin: 'NEMachServiceName' }],
    behaviours: [{ kind: 'reply', delayMs: 0 }],
    ...versions,
  });
  const client = app(APP, {
    path: 'Applications/Acme VPN.app',
    behaviours: [
      {
        kind: 'poll',
        service: NE,
        intervalMs: 100,
        body: { selector: 'tunnelStatus' },
        privileged: true,
        reconnectAfterMs: 0,
        reconnect: quickReconnect,
      },
    ],
    ...versions,
  });
  const w = world([client, ext]);
  w.state = {
    disabled: [],
    smAppService: {},
    approved: [],
    vpnConnected: true,
    developerMode: false,
    rebootRebindsNE,
  };
  return w;
}

let live: LiveSession | undefined;
afterEach(() => live?.dispose());

/** The newest pid of a job, or undefined before it has spawned. */
function pidOf(s: LiveSession, label: string): number | undefined {
  try {
    return s.pidOf(label);
  } catch {
    return undefined;
  }
}

/** Resolves when the app's newest process gets a reply from `from`'s newest process. */
function replyFromExtension(s: LiveSession, what: string, from = EXT): Promise<TraceEvent> {
  return s.next(
    what,
    (e) => e.kind === 'message' && e.dir === 'reply' && e.from === pidOf(s, from) && e.to === pidOf(s, APP),
  );
}

function unboundInvalidation(s: LiveSession): Promise<TraceEvent> {
  return s.next(
    'a connection to the stale name invalidated at once',
    (e) =>
      isState(e) &&
      e.name === NE &&
      e.to === 'invalidated' &&
      e.reason === 'the service name is bound to an instance that no longer runs',
  );
}

async function upgradedWhileConnected(rebootRebindsNE = false): Promise<LiveSession> {
  live = new LiveSession(vpnWorld(rebootRebindsNE));
  await replyFromExtension(live, 'the app to reach the extension before the upgrade');
  const failure = unboundInvalidation(live);
  const report = upgradeApp(live.session, {
    type: 'upgrade',
    app: APP,
    mode: 'bump',
    installer: 'pkg',
    firstLaunch: true,
    replaceAction: 'replace',
    sameVersion: false,
  });
  expect(report.why.some((w) => w.startsWith('XPC-MODEL §5.4'))).toBe(true);
  await failure;
  return live;
}

describe('XPC-MODEL §5.4 with real helpers', () => {
  it('after the upgrade every new connection from the new app is invalidated after a failed init, NSError 4099', async () => {
    const s = await upgradedWhileConnected();
    const invalid = (await unboundInvalidation(s)) as StateEvent;
    expect(invalid).toMatchObject({
      error: 'XPC_ERROR_CONNECTION_INVALID',
      nsError: { code: 4099 },
      pid: s.pidOf(APP),
    });
    await s.waitFor(
      'the libxpc line',
      (e) => e.kind === 'log' && e.text === `[${invalid.conn}] invalidated after a failed init`,
    );
    expect(sysextList(s.session).text).toContain('[terminated waiting to uninstall on reboot]');
    expect(s.session.hub.model.state.upgrades?.at(-1)).toMatchObject({ app: APP, to: '2.4.1 (241)' });
  });

  it('it persists across app restart', async () => {
    const s = await upgradedWhileConnected();
    expect(restartApp(s.session, APP).outcomes).toEqual(['kept']);
    const invalid = (await unboundInvalidation(s)) as StateEvent;
    expect(invalid.pid).toBe(s.pidOf(APP));
  });

  it('deactivate then activate: the new app reaches the new extension', async () => {
    const s = await upgradedWhileConnected();
    sysextAction(s.session, { type: 'sysext', action: 'deactivate', bundleId: EXT });
    const fixed = replyFromExtension(s, 'a reply from the reactivated extension');
    expect(sysextAction(s.session, { type: 'sysext', action: 'activate', bundleId: EXT }).outcome).toBe(
      'installed',
    );
    // XPC-MODEL §10.1: nothing answers until the user allows the new copy.
    expect(sysextList(s.session).text).toContain('[activated waiting for user]');
    expect(sysextList(s.session).vpnConnected).toBe(false);
    const allowed = tryRemedy(s.session, { type: 'remedy', app: APP, remedy: 'allow' });
    expect(allowed.steps[0]?.outcome).toMatch(/\[activated enabled\]/);
    await fixed;
    expect(sysextList(s.session).stale).toEqual([]);
  });

  it('deleting the extension and relaunching the app fixes it', async () => {
    const s = await upgradedWhileConnected();
    sysextAction(s.session, { type: 'sysext', action: 'delete', bundleId: EXT });
    const fixed = replyFromExtension(s, 'a reply after delete and relaunch');
    expect(restartApp(s.session, APP).outcomes).toEqual(['installed']);
    expect(sysextList(s.session).text).toContain('[activated waiting for user]');
    tryRemedy(s.session, { type: 'remedy', app: APP, remedy: 'allow' });
    await fixed;
  });

  it('a reboot does not fix it by default, and does when the world says reboots rebind', async () => {
    const s = await upgradedWhileConnected();
    expect(reboot(s.session).stale.map((x) => x.name)).toEqual([NE]);
    await unboundInvalidation(s);
    s.dispose();
    const t = await upgradedWhileConnected(true);
    const fixed = replyFromExtension(t, 'a reply after the reboot');
    expect(reboot(t.session).stale).toEqual([]);
    await fixed;
  }, 40_000);

  it('a versioned NEMachServiceName: the next version\u2019s app reaches its extension under the name derived from its version', async () => {
    const { world: versioned } = loadWorld(join(ASSETS, 'worlds', 'acme-vpn-versioned'));
    live = new LiveSession(versioned);
    await replyFromExtension(live, 'the app to reach its tunnel on the 2.4.0 name');
    const fixed = replyFromExtension(live, 'a reply on the name derived from version 241');
    const report = upgradeApp(live.session, {
      type: 'upgrade',
      app: APP,
      mode: 'bump',
      installer: 'pkg',
      firstLaunch: true,
      replaceAction: 'replace',
      sameVersion: false,
    });
    expect(report.after.services).toContainEqual(
      expect.objectContaining({ name: `${NE}.241`, binding: 'live' }),
    );
    expect(report.why.some((w) => w.startsWith('XPC-MODEL §10.1'))).toBe(true);
    await fixed;
  });
});

describe('upgrades of the demo world', () => {
  it('from a folder holding version 2.5.0 of Acme VPN', async () => {
    const { world: acme } = loadWorld(join(ASSETS, 'worlds', 'acme-vpn'));
    live = new LiveSession(acme);
    await replyFromExtension(live, 'the app to reach its tunnel');
    const report = upgradeApp(live.session, {
      type: 'upgrade',
      app: APP,
      mode: 'folder',
      folder: '../../upgrades/acme-vpn-2.5.0',
      installer: 'pkg',
      firstLaunch: true,
      replaceAction: 'replace',
      sameVersion: false,
    });
    expect(report).toMatchObject({
      source: 'folder',
      from: '2.4.0 (240)',
      to: '2.5.0 (250)',
      vpnConnected: true,
    });
    expect(report.replaced.map((r) => [r.label, r.action]).sort()).toEqual(
      [
        [APP, 'replaced'],
        ['com.acme.vpn.agent', 'booted out and bootstrapped again'],
        ['com.acme.vpn.helper', 'booted out and bootstrapped again'],
        ['com.acme.vpn.logparser', 'went with its app; the new version registers when the app launches'],
        [EXT, 'replaced'],
      ].sort(),
    );
    await unboundInvalidation(live);
    await replyFromExtension(live, 'the helper answering the new app', 'com.acme.vpn.helper');
  });
});

describe('a user script as a helper', () => {
  it('pebble-notes: the script checks in the app-group name and answers the sandboxed app', async () => {
    const { world: pebble, diagnostics } = loadWorld(join(ASSETS, 'worlds', 'pebble-notes'));
    expect(diagnostics).toEqual([]);
    live = new LiveSession(pebble);
    const s = live;
    await s.waitFor(
      'the script\u2019s log line',
      (e) => e.kind === 'log' && e.text === 'PebbleSync checked in group.com.pebble.notes.sync',
    );
    const answer = await s.waitFor(
      'a reply from the script',
      (e) => e.kind === 'message' && e.dir === 'reply' && e.from === s.pidOf('com.pebble.notes.sync'),
    );
    expect(answer).toMatchObject({
      to: s.pidOf('com.pebble.notes'),
      payload: { ok: true, handledBy: 'PebbleSync', count: 1 },
    });
  });

  it('a script that throws ends its helper with the reason in the log', async () => {
    const broken = world([
      job('com.example.broken', {
        runAtLoad: true,
        behaviours: [{ kind: 'script', path: join(ASSETS, 'no-such-script.mjs') }],
      }),
    ]);
    live = new LiveSession(broken);
    const line = await live.waitFor('the failure', (e) => e.kind === 'log' && e.text.startsWith('script '));
    expect((line as Extract<TraceEvent, { kind: 'log' }>).text).toMatch(/no-such-script\.mjs failed/);
    await live.waitFor(
      'the exit',
      (e) => e.kind === 'process.exit' && e.label === 'com.example.broken' && e.code === 1,
    );
  });
});

describe('xpc-lab upgrade, headless with real helpers', () => {
  const DEMO = join(ASSETS, 'worlds', 'acme-vpn');
  const out: string[] = [];
  const err: string[] = [];
  const capture = () => {
    out.length = 0;
    err.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => out.push(String(c)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => err.push(String(c)) > 0);
  };
  afterEach(() => vi.restoreAllMocks());

  it('exits 1 on the demo world with the VPN on: the app cannot reach its tunnel; the JUnit says so', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'xpc-lab-upgrade-')), 'upgrade.xml');
    capture();
    const code = await main(['upgrade', DEMO, '--bump', '--vpn', 'on', '--junit', junit]);
    const text = out.join('');
    expect(code, text + err.join('')).toBe(1);
    expect(text).toMatch(/^com\.acme\.vpn 2\.4\.0 \(240\) → 2\.4\.1 \(241\)/);
    expect(text).toMatch(
      /com\.acme\.vpn\.tunnel \(SystemExtension\) 2\.4\.0 \(240\) → 2\.4\.1 \(241\): replaced/,
    );
    // The app's own failing connection leads the list.
    const broke = text.split('connections that broke:\n')[1]?.split('\n')[0];
    expect(broke).toMatch(
      /^ {2}! com\.acme\.vpn → ABCDE12345\.com\.acme\.vpn\.tunnel \(client\) invalidated after a failed init/,
    );
    expect(text).toMatch(/deactivate-activate \(works\).*\n\s+cost: the VPN configuration is deleted/);
    expect(text).toContain(`✗ com.acme.vpn → ${NE}: not accepted`);
    expect(text).toMatch(/^FAIL /m);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites tests="\d+" failures="1">/);
    expect(xml).toContain(`<failure message="${NE} not reached without user action">`);
  }, 90_000);

  it('exits 0 with a versioned NEMachServiceName; JUnit without failures; JSON with the same verdict', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'xpc-lab-upgrade-')), 'upgrade.xml');
    capture();
    const code = await main([
      'upgrade',
      DEMO,
      '--bump',
      '--versioned-name',
      '--vpn',
      'on',
      '--json',
      '--junit',
      junit,
    ]);
    expect(code, out.join('') + err.join('')).toBe(0);
    const result = JSON.parse(out.join('')) as { ok: boolean; reach: { name: string; recovered: boolean }[] };
    expect(result.ok).toBe(true);
    expect(result.reach).toContainEqual(expect.objectContaining({ name: `${NE}.241`, recovered: true }));
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites tests="\d+" failures="0">/);
  }, 90_000);

  it('exits 0 from an .app to an .app with the VPN off', async () => {
    capture();
    const code = await main([
      'upgrade',
      join(DEMO, 'Applications', 'Acme VPN.app'),
      join(ASSETS, 'upgrades', 'acme-vpn-2.5.0', 'Applications', 'Acme VPN.app'),
      '--vpn',
      'off',
    ]);
    expect(code, out.join('') + err.join('')).toBe(0);
    expect(out.join('')).toMatch(/2\.4\.0 \(240\) → 2\.5\.0 \(250\)/);
  }, 90_000);

  it('exits 2 on usage and input errors, naming what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['upgrade'], /missing required argument 'old-app-or-world'/],
      [['upgrade', DEMO], /name the new app or world, or give --bump/],
      [['upgrade', DEMO, '--bump', '--vpn', 'maybe'], /--vpn must be on or off, got "maybe"/],
      [['upgrade', DEMO, '--bump', '--installer', 'dmg'], /--installer must be pkg, pkg-preinstall or drag/],
      [['upgrade', '/no/such/world', '--bump'], /old \/no\/such\/world: no such file or folder/],
      [['upgrade', ASSETS, '--bump'], /neither an \.app nor a world folder/],
      [['upgrade', DEMO, '--bump', '--app', 'com.nope'], /--app com\.nope: the world holds com\.acme\.vpn/],
      [['upgrade', DEMO, '--bump', '--frobnicate'], /unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      capture();
      expect(await main(args), args.join(' ')).toBe(2);
      expect(err.join('')).toMatch(message);
    }
  });
});
