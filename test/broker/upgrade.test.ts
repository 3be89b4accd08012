import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/broker/broker';
import { WorldModel } from '../../main/trace/model';
import {
  SCHEMA_VERSION,
  type TraceEvent,
  TraceEventSchema,
  UpgradeEventSchema,
} from '../../main/trace/schema';
import { startStory, storyConnection } from '../../main/trace/upgrade-story';
import type { JobSpec } from '../../main/world/model';
import { app, FakeClock, type FakeProcess, FakeSpawner, job, Recorder, world } from '../support/fakes';

const APP = 'com.acme.vpn';
const EXT = 'com.acme.vpn.tunnel';
const NE = 'ABCDE12345.com.acme.vpn.tunnel';
const HELPER = 'com.acme.vpn.helper';
const XPC = 'com.acme.vpn.logparser';
const OTHER = 'com.example.status';
const versions = { shortVersion: '2.4.0', bundleVersion: '240' };

function extension(label: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return job(label, {
    type: 'SystemExtension',
    runAtLoad: true,
    bundledIn: APP,
    bundleId: label,
    sysext: { category: 'network_extension', name: 'AcmeTunnel' },
    machServices: [{ name: NE, hideUntilCheckIn: false, origin: 'NEMachServiceName' }],
    ...versions,
    ...overrides,
  });
}

function vpnWorld(
  extra: JobSpec[] = [],
  state: { vpnConnected?: boolean; developerMode?: boolean; rebootRebindsNE?: boolean } = {},
) {
  const jobs = [
    app(APP, {
      bundleId: APP,
      path: 'Applications/Acme VPN.app',
      program: '/Applications/Acme VPN.app/Contents/MacOS/Acme VPN',
      ...versions,
    }),
    extension(EXT),
    job(HELPER, { type: 'SMAppServiceDaemon', bundledIn: APP, ...versions }),
    job(XPC, { type: 'XPCService', domainKind: 'pid', ownerLabel: APP, bundledIn: APP, ...versions }),
    ...extra,
  ];
  const w = world(jobs);
  w.state = {
    disabled: [],
    smAppService: {},
    approved: [],
    vpnConnected: true,
    developerMode: false,
    rebootRebindsNE: false,
    ...state,
  };
  const spawner = new FakeSpawner();
  const rec = new Recorder();
  const clock = new FakeClock();
  const broker = new Broker({ world: w, spawner, clock, emit: rec.emit });
  broker.start();
  spawner.running(EXT).say({ t: 'checkIn', listener: 'l1', name: NE });
  return { broker, spawner, rec, world: w, clock };
}

let nextConn = 1;
/** The app connects to `name` (PRIVILEGED, as clients of a sysext do) and sends one request; returns the connection's states. */
function connectFromApp(
  t: ReturnType<typeof vpnWorld>,
  name = NE,
): { app: FakeProcess; states: () => string[]; ptr: string } {
  const appProc = t.spawner.running(APP);
  const local = `c${nextConn++}`;
  appProc.say({ t: 'connect', conn: local, name, privileged: true });
  appProc.say({ t: 'send', conn: local, id: 1, body: { selector: 'tunnelStatus' }, expectsReply: true });
  const e = t.rec
    .of('connection.state')
    .filter((s) => s.pid === appProc.pid && s.name === name && s.side === 'client')
    .at(-1);
  if (!e) throw new Error(`no connection to ${name}`);
  return { app: appProc, ptr: e.conn, states: () => t.rec.states(e.conn) };
}

/** The new extension process checks in its name, as the `reply` behaviour does. */
function checkInNewExtension(t: ReturnType<typeof vpnWorld>, name = NE): FakeProcess {
  const ext = t.spawner.running(EXT);
  ext.say({ t: 'checkIn', listener: `l${nextConn++}`, name });
  return ext;
}

function stale(t: ReturnType<typeof vpnWorld>): string[] {
  return t.broker.sysext.staleBindings().map((e) => e.name);
}

describe('the §5.4 failure: an NE replaced while the VPN is connected', () => {
  it('before the upgrade the app reaches the extension', () => {
    const t = vpnWorld();
    const c = connectFromApp(t);
    expect(c.states()).toEqual(['activating', 'connected']);
    expect(t.spawner.running(EXT).of('message')).toHaveLength(1);
  });

  it('replace succeeds, the old copy is [terminated waiting to uninstall on reboot], and the name stays bound to it', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP, {}, { installer: 'pkg' });
    expect(report.replaced.find((r) => r.label === EXT)).toMatchObject({
      from: '2.4.0 (240)',
      to: '2.4.1 (241)',
      action: 'replaced',
    });
    expect(t.broker.sysext.list().map((i) => [i.job.bundleVersion, i.state])).toEqual([
      ['240', 'terminated waiting to uninstall on reboot'],
      ['241', 'activated enabled'],
    ]);
    expect(t.broker.namespace.get('system', NE)).toMatchObject({ binding: 'stale' });
    expect(t.broker.namespace.get('system', NE)?.job.bundleVersion).toBe('240');
    expect(t.rec.of('service.binding').at(-1)).toMatchObject({
      name: NE,
      binding: 'stale',
      boundTo: '2.4.0 (240)',
    });
  });

  it('systemextensionsctl list shows both copies in the §5.2 shape', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    expect(t.broker.sysext.listText()).toBe(
      [
        '2 extension(s)',
        "--- com.apple.system_extension.network_extension (Go to 'System Settings > General > Login Items & Extensions > Network Extensions' to modify these system extension(s))",
        'enabled\tactive\tteamID\tbundleID (version)\tname\t[state]',
        '*\t*\tABCDE12345\tcom.acme.vpn.tunnel (2.4.1/241)\tAcmeTunnel\t[activated enabled]',
        '\t\tABCDE12345\tcom.acme.vpn.tunnel (2.4.0/240)\tAcmeTunnel\t[terminated waiting to uninstall on reboot]',
      ].join('\n'),
    );
  });

  it('every new connection is invalidated at once: invalidated after a failed init, NSError 4099', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    checkInNewExtension(t);
    const c = connectFromApp(t);
    expect(c.states()).toEqual(['activating', 'invalidated']);
    expect(t.rec.of('lookup').at(-1)).toMatchObject({ name: NE, ok: true });
    expect(t.rec.logs()).toContain(`[${c.ptr}] invalidated after a failed init`);
    const invalid = t.rec.of('connection.state').find((e) => e.conn === c.ptr && e.to === 'invalidated');
    expect(invalid).toMatchObject({
      error: 'XPC_ERROR_CONNECTION_INVALID',
      reason: 'the service name is bound to an instance that no longer runs',
      nsError: { code: 4099, description: 'Couldn\u2019t communicate with a helper application.' },
    });
    expect(c.app.of('replyError')).toMatchObject([{ error: 'XPC_ERROR_CONNECTION_INVALID' }]);
    expect(t.spawner.running(EXT).of('message')).toHaveLength(0);
  });

  it('it persists across app restart', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    const results = t.broker.upgrades.restartApp(APP);
    expect(results.map((r) => r.outcome)).toEqual(['kept']);
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);
  });

  it('a client connected before the upgrade gets INTERRUPTED, then INVALID after a failed reconnect', () => {
    const agent = job('com.acme.vpn.agent', {
      type: 'LaunchAgent',
      domainKind: 'gui',
      runAtLoad: true,
      machServices: [],
    });
    const t = vpnWorld([agent]);
    const proc = t.spawner.running('com.acme.vpn.agent');
    proc.say({ t: 'connect', conn: 'a1', name: NE, privileged: true });
    proc.say({ t: 'send', conn: 'a1', id: 1, body: { selector: 'subscribeStatus' }, expectsReply: false });
    const ptr = t.rec.of('connection.state').find((e) => e.pid === proc.pid && e.side === 'client')!.conn;
    const report = t.broker.upgrades.bump(APP);
    expect(report.broken).toContainEqual(
      expect.objectContaining({ conn: ptr, became: 'interrupted', nsErrorCode: 4097 }),
    );
    proc.say({ t: 'send', conn: 'a1', id: 2, body: { selector: 'subscribeStatus' }, expectsReply: false });
    expect(t.rec.states(ptr).slice(-2)).toEqual(['interrupted', 'invalidated']);
    expect(t.rec.logs()).toContain(`[${ptr}] invalidated after a failed reconnect`);
  });

  it('the report says what was replaced, what broke, why (citing the rule) and which remedies work', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP);
    expect(report).toMatchObject({
      app: APP,
      from: '2.4.0 (240)',
      to: '2.4.1 (241)',
      source: 'bump',
      installer: 'pkg',
      vpnConnected: true,
    });
    expect(
      report.why.some((w) => w.startsWith('XPC-MODEL §5.4') && w.includes(NE) && w.includes('4099')),
    ).toBe(true);
    expect(Object.fromEntries(report.remedies.map((r) => [r.remedy, r.works]))).toEqual({
      'restart-app': false,
      'delete-extension': true,
      'deactivate-activate': true,
      'delete-app': true,
      'versioned-mach-service-name': true,
      reboot: false,
      'pkg-preinstall': false,
    });
    const costs = Object.fromEntries(report.remedies.map((r) => [r.remedy, r.costs?.join('; ') ?? '']));
    expect(costs['deactivate-activate']).toMatch(/VPN configuration is deleted/);
    expect(costs['deactivate-activate']).toMatch(/allow the extension again/);
    expect(report.remedies.find((r) => r.remedy === 'delete-extension')?.verdict).toBe('depends');
    expect(report.before.services).toContainEqual({
      name: NE,
      domain: 'system',
      boundTo: `${EXT} 2.4.0 (240)`,
      binding: 'live',
    });
    expect(report.after.services).toContainEqual({
      name: NE,
      domain: 'system',
      boundTo: `${EXT} 2.4.0 (240)`,
      binding: 'stale',
    });
    expect(report.changes).toEqual(
      expect.arrayContaining([
        `${APP}: 2.4.0 (240) → 2.4.1 (241)`,
        `extension ${EXT} 2.4.0 (240): [activated enabled] → [terminated waiting to uninstall on reboot]`,
        `system/${NE}: ${EXT} 2.4.0 (240) (live) → ${EXT} 2.4.0 (240) (stale)`,
      ]),
    );
    const event = t.rec.of('upgrade').at(-1);
    expect(UpgradeEventSchema.safeParse({ ...event, v: SCHEMA_VERSION, seq: 1, t: 1 }).success).toBe(true);
  });
});

describe('remedies (XPC-MODEL §5.4)', () => {
  it('deleting the extension clears the binding; the next activation binds the name to the new instance', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    expect(t.broker.sysext.deleteExtension(EXT)).toBe(true);
    expect(t.broker.namespace.get('system', NE)).toBeUndefined();
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);
    expect(t.broker.upgrades.restartApp(APP).map((r) => r.outcome)).toEqual(['installed']);
    // XPC-MODEL §10.1: activated again, it waits for the user; nothing answers the name until then.
    expect(t.broker.sysext.listText()).toContain('[activated waiting for user]');
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);
    expect(t.broker.sysext.allow(EXT)).toBe(true);
    const ext = checkInNewExtension(t);
    const c = connectFromApp(t);
    expect(c.states()).toEqual(['activating', 'connected']);
    expect(ext.of('message')).toHaveLength(1);
    expect(stale(t)).toEqual([]);
  });

  it('deactivate then activate rebinds the name (coder-desktop-macos PR #158)', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    expect(t.broker.sysext.deactivate(EXT)).toBe(true);
    expect(t.broker.sysext.vpnConnected).toBe(false);
    expect(t.broker.sysext.activate(EXT).outcome).toBe('installed');
    expect(t.broker.namespace.get('system', NE)).toBeUndefined();
    expect(t.broker.sysext.allow(EXT)).toBe(true);
    checkInNewExtension(t);
    expect(connectFromApp(t).states()).toEqual(['activating', 'connected']);
    expect(t.broker.namespace.get('system', NE)?.job.bundleVersion).toBe('241');
  });

  it('deactivate alone leaves no name: the look-up fails with error 3', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    t.broker.sysext.deactivate(EXT);
    connectFromApp(t);
    expect(t.rec.of('lookup').at(-1)).toMatchObject({ ok: false, errno: 3 });
  });

  it('a versioned NEMachServiceName template: the bump derives a new name, the new extension answers it, the app connects; the old name stays stale', () => {
    const t = vpnWorld();
    const template = '$(TeamIdentifierPrefix)com.acme.vpn.tunnel.$(CURRENT_PROJECT_VERSION)';
    const poller = {
      kind: 'poll' as const,
      service: template,
      intervalMs: 400,
      body: {},
      privileged: true,
      reconnectAfterMs: 0,
    };
    // Version 2.4.0 shipped the unversioned name; its bundle now carries the template, as coder-desktop-macos PR #191 did.
    const [client, ext] = [0, 1].map((i) => t.world.jobs[i] as JobSpec);
    t.world.jobs[0] = { ...client!, build: { raw: {}, base: {}, behaviours: [poller] } };
    t.world.jobs[1] = {
      ...ext!,
      build: { raw: { NetworkExtension: { NEMachServiceName: template } }, base: {}, behaviours: [] },
    };
    t.broker.sysext.stage(t.world.jobs[1]!);
    const report = t.broker.upgrades.bump(APP);
    const versioned = `${NE}.241`;
    expect(t.broker.namespace.get('system', versioned)).toMatchObject({ binding: 'live' });
    expect(t.broker.namespace.get('system', NE)).toMatchObject({ binding: 'stale' });
    expect(report.why).toContainEqual(
      expect.stringMatching(
        /^XPC-MODEL §10\.1: com\.acme\.vpn\.tunnel's NetworkExtension\.NEMachServiceName is the template .*\.241 \(was ABCDE12345\.com\.acme\.vpn\.tunnel\)/,
      ),
    );
    expect(t.world.jobs.find((j) => j.label === APP)?.behaviours[0]).toMatchObject({ service: versioned });
    checkInNewExtension(t, versioned);
    expect(connectFromApp(t, versioned).states()).toEqual(['activating', 'connected']);
    expect(connectFromApp(t, NE).states()).toEqual(['activating', 'invalidated']);
  });

  it('an unversioned template derives the same name after a bump: XPC-MODEL §5.4 as before', () => {
    const t = vpnWorld();
    const template = '$(TeamIdentifierPrefix)com.acme.vpn.tunnel';
    t.world.jobs[1] = {
      ...(t.world.jobs[1] as JobSpec),
      build: { raw: { NetworkExtension: { NEMachServiceName: template } }, base: {}, behaviours: [] },
    };
    t.broker.sysext.stage(t.world.jobs[1]!);
    const report = t.broker.upgrades.bump(APP);
    expect(report.why.some((w) => w.startsWith('XPC-MODEL §10.1'))).toBe(false);
    expect(stale(t)).toEqual([NE]);
    checkInNewExtension(t);
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);
  });

  it('a reboot uninstalls the terminated copy but, by default, does not rebind the name', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    t.broker.upgrades.reboot();
    expect(t.broker.sysext.list().map((i) => i.state)).toEqual(['activated enabled']);
    expect(stale(t)).toEqual([NE]);
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);
  });

  it('a reboot rebinds the name when the world says reboots fix it', () => {
    const t = vpnWorld([], { rebootRebindsNE: true });
    t.broker.upgrades.bump(APP);
    t.broker.upgrades.reboot();
    checkInNewExtension(t);
    expect(stale(t)).toEqual([]);
    expect(connectFromApp(t).states()).toEqual(['activating', 'connected']);
  });
});

describe('replacement rules (XPC-MODEL §5.1)', () => {
  it('with the VPN disconnected, NE binds the name to the new instance', () => {
    const t = vpnWorld([], { vpnConnected: false });
    const report = t.broker.upgrades.bump(APP);
    checkInNewExtension(t);
    expect(connectFromApp(t).states()).toEqual(['activating', 'connected']);
    expect(report.remedies).toEqual([]);
  });

  it('a pkg whose preinstall stops the VPN avoids the failure', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP, {}, { installer: 'pkg-preinstall' });
    expect(report.vpnConnected).toBe(false);
    expect(stale(t)).toEqual([]);
    expect(t.rec.of('action').map((a) => a.action)).toContain('vpn-disconnect');
  });

  it('identical versions: kept without developer mode, replaced with it', () => {
    const kept = vpnWorld();
    const r1 = kept.broker.upgrades.bump(APP, { sameVersion: true });
    expect(r1.replaced.find((r) => r.label === EXT)?.action).toBe('kept: versions identical');
    expect(kept.broker.sysext.list()).toHaveLength(1);
    const dev = vpnWorld([], { developerMode: true });
    const r2 = dev.broker.upgrades.bump(APP, { sameVersion: true });
    expect(r2.replaced.find((r) => r.label === EXT)?.action).toBe('replaced');
    expect(dev.broker.sysext.list()).toHaveLength(2);
  });

  it('the delegate may cancel the replacement', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP, {}, { replaceAction: 'cancel' });
    expect(report.replaced.find((r) => r.label === EXT)?.action).toBe(
      'kept: the delegate cancelled the replacement',
    );
    expect(t.broker.sysext.active(EXT)?.job.bundleVersion).toBe('240');
  });

  it('without a first launch the new extension stays staged and the old one keeps running', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP, {}, { firstLaunch: false });
    expect(report.replaced.find((r) => r.label === EXT)?.action).toBe('staged in the app; not activated yet');
    expect(t.broker.sysext.active(EXT)?.job.bundleVersion).toBe('240');
    expect(report.after.bundles.find((b) => b.label === APP)).toMatchObject({ running: false });
    expect(t.broker.upgrades.restartApp(APP).map((r) => r.outcome)).toEqual(['replaced']);
  });

  it('an Endpoint Security extension cuts over cleanly even with the VPN connected', () => {
    const es = extension('com.acme.vpn.es', {
      sysext: { category: 'endpoint_security', name: 'AcmeES' },
      machServices: [
        { name: 'ABCDE12345.com.acme.vpn.es.xpc', hideUntilCheckIn: false, origin: 'MachServices' },
      ],
    });
    const t = vpnWorld([es]);
    const report = t.broker.upgrades.bump(APP);
    expect(t.broker.namespace.get('system', 'ABCDE12345.com.acme.vpn.es.xpc')).toMatchObject({
      binding: 'live',
    });
    expect(t.broker.namespace.get('system', 'ABCDE12345.com.acme.vpn.es.xpc')?.job.bundleVersion).toBe('241');
    expect(report.why.some((w) => w.includes('Endpoint Security') && w.includes('clean'))).toBe(true);
  });
});

describe('launchd jobs and XPC services during an upgrade (XPC-MODEL §1.2)', () => {
  it('a pkg boots the SMAppService daemon out and in again: its client is INTERRUPTED and relaunches the new version', () => {
    const t = vpnWorld();
    const appProc = t.spawner.running(APP);
    appProc.say({ t: 'connect', conn: 'h1', name: HELPER, privileged: true });
    appProc.say({ t: 'send', conn: 'h1', id: 1, body: {}, expectsReply: false });
    t.spawner.running(HELPER).say({ t: 'checkIn', listener: 'l1', name: HELPER });
    const report = t.broker.upgrades.bump(APP, {}, { firstLaunch: false });
    expect(report.replaced.find((r) => r.label === HELPER)).toMatchObject({
      action: 'booted out and bootstrapped again',
      to: '2.4.1 (241)',
    });
    expect(report.why.some((w) => w.startsWith('XPC-MODEL §1.2 rule 1') && w.includes(HELPER))).toBe(true);
    expect(t.rec.of('process.exit').find((e) => e.label === HELPER)?.detail).toMatch(
      /was booted out by the installer$/,
    );
    expect(t.broker.namespace.get('system', HELPER)?.job.bundleVersion).toBe('241');
  });

  it('a drag install leaves a running legacy job alone and points its name at the new files', () => {
    const agent = job('com.acme.vpn.agent', {
      type: 'LaunchAgent',
      domainKind: 'gui',
      runAtLoad: true,
      program: '/Applications/Acme VPN.app/Contents/MacOS/AcmeStatusAgent',
      ...versions,
    });
    const t = vpnWorld([agent]);
    const pid = t.spawner.running('com.acme.vpn.agent').pid;
    const report = t.broker.upgrades.bump(APP, {}, { installer: 'drag' });
    expect(report.replaced.find((r) => r.label === 'com.acme.vpn.agent')?.action).toBe(
      'files replaced; the running process keeps the old code until it exits',
    );
    expect(t.spawner.running('com.acme.vpn.agent').pid).toBe(pid);
    expect(t.broker.namespace.get(`gui/501`, 'com.acme.vpn.agent')?.job.bundleVersion).toBe('241');
  });

  it('the bundled XPC service goes with its app and comes back in the new app\u2019s pid domain', () => {
    const t = vpnWorld();
    const oldPid = t.spawner.running(APP).pid;
    t.broker.upgrades.bump(APP);
    const newPid = t.spawner.running(APP).pid;
    expect(t.broker.namespace.get(`pid/${oldPid}`, XPC)).toBeUndefined();
    expect(t.broker.namespace.get(`pid/${newPid}`, XPC)?.job.bundleVersion).toBe('241');
  });

  it('a job the new version no longer ships is booted out: its client is INTERRUPTED, then INVALID after a failed reconnect', () => {
    const outsider = job('com.other.agent', {
      type: 'LaunchAgent',
      domainKind: 'gui',
      runAtLoad: true,
      machServices: [],
    });
    const t = vpnWorld([outsider]);
    const client = t.spawner.running('com.other.agent');
    client.say({ t: 'connect', conn: 'h1', name: HELPER, privileged: true });
    client.say({ t: 'send', conn: 'h1', id: 1, body: {}, expectsReply: false });
    t.spawner.running(HELPER).say({ t: 'checkIn', listener: 'l1', name: HELPER });
    const ptr = t.rec.of('connection.state').find((e) => e.pid === client.pid && e.name === HELPER)!.conn;
    const unit = t.broker.upgrades.currentUnit(APP).filter((j) => j.label !== HELPER);
    const report = t.broker.upgrades.upgrade(APP, { source: 'folder', jobs: unit }, { firstLaunch: false });
    expect(report.replaced.find((r) => r.label === HELPER)?.action).toBe('removed');
    expect(report.broken).toContainEqual(expect.objectContaining({ conn: ptr, became: 'interrupted' }));
    client.say({ t: 'send', conn: 'h1', id: 2, body: {}, expectsReply: false });
    expect(t.rec.states(ptr).slice(-2)).toEqual(['interrupted', 'invalidated']);
    expect(t.rec.logs()).toContain(`[${ptr}] invalidated after a failed reconnect`);
  });

  it('a reboot launches only what boot launches: apps, loaded RunAtLoad jobs and activated extensions', () => {
    const t = vpnWorld();
    t.broker.sysext.deleteExtension(EXT);
    const before = t.spawner.spawned.length;
    t.broker.upgrades.reboot();
    expect(t.spawner.spawned.slice(before).map((p) => p.request.label)).toEqual([APP]);
  });

  it('an unknown app is an error naming it', () => {
    const t = vpnWorld();
    expect(() => t.broker.upgrades.bump('com.nope')).toThrow(/no app com\.nope/);
  });
});

describe('remedies as steps with outcomes and costs (XPC-MODEL §10.1)', () => {
  const remedyEvents = (t: ReturnType<typeof vpnWorld>) => t.rec.of('remedy');

  it('deactivate + activate deletes the VPN configuration and waits for the user; Allow brings the app back', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    const applied = t.broker.upgrades.remedies.apply(APP, 'deactivate-activate');
    expect(applied.steps.map((s) => s.step)).toEqual([
      `deactivationRequest for ${EXT}`,
      `activationRequest for ${EXT}`,
    ]);
    expect(applied.steps[1]?.outcome).toMatch(/\[activated waiting for user\]/);
    expect(applied.costs.join(' ')).toMatch(/VPN configuration is deleted/);
    expect(t.broker.sysext.vpnConnected).toBe(false);
    // The user has not allowed it yet: the outcome says so at once, not after a wait.
    const first = remedyEvents(t).find((e) => e.phase === 'outcome');
    expect(first).toMatchObject({ recovered: false, afterMs: 0 });
    expect(first?.needs.join(' ')).toMatch(/allow AcmeTunnel in System Settings \(Allow\)/);
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);

    t.broker.upgrades.remedies.apply(APP, 'allow');
    expect(t.broker.sysext.listText()).toMatch(/2\.4\.1\/241\)\tAcmeTunnel\t\[activated enabled\]/);
    t.clock.advance(1200);
    checkInNewExtension(t);
    expect(connectFromApp(t).states()).toEqual(['activating', 'connected']);
    const outcome = remedyEvents(t)
      .filter((e) => e.phase === 'outcome')
      .at(-1);
    expect(outcome).toMatchObject({ remedy: 'allow', recovered: true, needs: [] });
    expect(outcome?.afterMs).toBe(1200);
  });

  it('delete-extension alone leaves a running app failing until it asks again, the user allows it and it makes a new connection', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    const applied = t.broker.upgrades.remedies.apply(APP, 'delete-extension');
    expect(applied.steps.map((s) => s.outcome).join('\n')).toMatch(/stay invalid; only a new connection/);
    const outcome = remedyEvents(t).find((e) => e.phase === 'outcome');
    expect(outcome?.recovered).toBe(false);
    expect(outcome?.needs.join('\n')).toMatch(/not installed: the app has to submit an activation request/);
    expect(connectFromApp(t).states()).toEqual(['activating', 'invalidated']);
    expect(t.rec.of('lookup').at(-1)).toMatchObject({ ok: false, errno: 3 });
  });

  it('restart-app does not help while the name is stale, and says what is still needed', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    t.broker.upgrades.remedies.apply(APP, 'restart-app');
    const outcome = remedyEvents(t).find((e) => e.phase === 'outcome');
    expect(outcome?.recovered).toBe(false);
    expect(outcome?.needs.join('\n')).toContain(`${NE} is still bound to the replaced 2.4.0 (240)`);
  });

  it('deleting the app uninstalls its extension; installed and launched again it waits for Allow', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    const applied = t.broker.upgrades.remedies.apply(APP, 'delete-app');
    expect(applied.steps[0]?.outcome).toMatch(/uninstalled with it/);
    expect(t.broker.sysext.listText()).toMatch(/\[activated waiting for user\]/);
    expect(t.broker.sysext.listText()).not.toMatch(/terminated waiting/);
    expect(t.broker.sysext.staleBindings()).toEqual([]);
    expect(t.broker.sysext.vpnConnected).toBe(false);
  });

  it('a remedy that leaves nothing for the user waits for the app and reports that it did not recover', () => {
    const t = vpnWorld([], { rebootRebindsNE: true });
    t.broker.upgrades.bump(APP);
    t.broker.upgrades.remedies.apply(APP, 'reboot');
    expect(remedyEvents(t).filter((e) => e.phase === 'outcome')).toEqual([]);
    t.clock.advance(6_000);
    const outcome = remedyEvents(t).find((e) => e.phase === 'outcome');
    expect(outcome).toMatchObject({ remedy: 'reboot', recovered: false, afterMs: 6_000 });
    expect(outcome?.needs.join(' ')).toMatch(/new connection/);
  });
});

describe('the installer sequence decides (XPC-MODEL §10.1)', () => {
  it('a preinstall that stops the VPN does not help when an on-demand rule reconnects it first', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP, {}, { installer: 'pkg-preinstall', vpnOnDemand: true });
    expect(report.sequence?.map((s) => `${s.step}:${s.vpnConnected}`)).toEqual([
      'preinstall:false',
      'replace:false',
      'postinstall:false',
      'on-demand:true',
      'first-launch:true',
    ]);
    expect(report.vpnAtReplace).toBe(true);
    expect(stale(t)).toEqual([NE]);
    expect(report.why.join('\n')).toMatch(
      /§10\.1: the preinstall script stopped the VPN, but it was connected again/,
    );
  });

  it('…or when the postinstall starts it again', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(
      APP,
      {},
      { installer: 'pkg-preinstall', postinstallReconnects: true },
    );
    expect(report.sequence?.find((s) => s.step === 'postinstall')?.vpnConnected).toBe(true);
    expect(stale(t)).toEqual([NE]);
  });

  it('developer mode, same version: replaced, and no stale binding [I]', () => {
    const t = vpnWorld([], { developerMode: true });
    const report = t.broker.upgrades.bump(APP, { sameVersion: true });
    expect(report.replaced.find((r) => r.label === EXT)?.action).toBe('replaced');
    expect(stale(t)).toEqual([]);
    expect(report.why.join('\n')).toMatch(/\[I\] XPC-MODEL §10\.1: in developer mode/);
  });

  it('the Why section claims an interruption only when the list shows one', () => {
    const t = vpnWorld();
    const report = t.broker.upgrades.bump(APP);
    const line = report.why.find((w) => w.includes(`${HELPER} was booted out`));
    const interrupted = report.broken.some((b) => b.name === HELPER && b.became === 'interrupted');
    expect(line).toMatch(interrupted ? /got INTERRUPTED \(listed above\)/ : /none was interrupted/);
  });
});

describe('the story after an upgrade, folded by the model', () => {
  it('groups the app’s failing connection to the tunnel first, with its count, and notes Allow’s recovery', () => {
    const t = vpnWorld();
    t.broker.upgrades.bump(APP);
    for (let i = 0; i < 3; i++) connectFromApp(t);
    const model = new WorldModel();
    for (const [seq, e] of t.rec.events.entries())
      model.apply(TraceEventSchema.parse({ v: SCHEMA_VERSION, seq, t: 1_700_000_000_000 + seq, ...e }));
    const story = model.state.upgradeStory;
    expect(story?.broken[0]).toMatchObject({
      process: APP,
      name: NE,
      became: 'invalidated',
      logLine: 'invalidated after a failed init',
      count: 3,
      app: true,
    });
  });
});

describe('one rule for a broken connection, live and recorded', () => {
  it.each([true, false])(
    'the live report and the story a recorded trace tells list the same broken connections (VPN connected: %s)',
    (vpnConnected) => {
      const t = vpnWorld([app(OTHER)], { vpnConnected });
      connectFromApp(t);
      const other = t.spawner.running(OTHER);
      other.say({ t: 'connect', conn: 'o1', name: NE, privileged: true });
      other.say({ t: 'send', conn: 'o1', id: 1, body: { selector: 'tunnelStatus' }, expectsReply: true });
      const report = t.broker.upgrades.bump(APP);
      expect(report.broken.length).toBeGreaterThan(0);
      const events = t.rec.events.map((e, seq) =>
        TraceEventSchema.parse({ v: SCHEMA_VERSION, seq, t: 1_700_000_000_000 + seq, ...e }),
      );
      const began = events.findIndex((e) => e.kind === 'action' && e.action === 'upgrade');
      const ended = events.findIndex((e) => e.kind === 'upgrade');
      const upgrade = events[ended] as Extract<TraceEvent, { kind: 'upgrade' }>;
      // The trace read as the console reads it, each connection change of the upgrade folded into a story.
      const model = new WorldModel();
      for (const e of events.slice(0, began)) model.apply(e);
      const story = startStory({ ...upgrade, broken: [] });
      for (const e of events.slice(began, ended)) {
        model.apply(e);
        if (e.kind === 'connection.state')
          storyConnection(story, e, (pid) => model.state.processes[pid]?.label, upgrade.appNames ?? []);
      }
      const key = (b: { process: string; name: string; side: string; became: string; error?: string }) =>
        [b.process, b.name, b.side, b.became, b.error].join(' ');
      const told = story.broken.flatMap((g) => Array<string>(g.count).fill(key(g)));
      expect(told.sort()).toEqual(report.broken.map(key).sort());
    },
  );
});
