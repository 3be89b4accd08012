import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorld } from '../../main/world/load';
import { app, job, setup, state } from './harness';

const agent = (label: string, sessions: string[]) =>
  job(label, { type: 'LaunchAgent', domainKind: 'gui', limitLoadToSessionType: sessions as never });

describe('LimitLoadToSessionType (XPC-MODEL §10.3)', () => {
  it('a LoginWindow-only agent is not loaded into the Aqua session: 134, and a look-up from Aqua gets 3', () => {
    const { broker, rec, spawner } = setup([
      app('com.example.app'),
      agent('com.example.lw', ['LoginWindow']),
    ]);
    expect(rec.of('service.register').map((e) => e.name)).not.toContain('com.example.lw');
    expect(rec.logs()).toContain('Bootstrap failed: 134: Service cannot load in requested session');
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.lw', privileged: false });
    expect(rec.of('lookup').at(-1)).toMatchObject({ ok: false, errno: 3 });
    expect(broker.launchctl.bootstrap('gui/501/com.example.lw')).toMatchObject({ ok: false, errno: 134 });
  });

  it('an agent listing Aqua among its sessions loads into gui/501', () => {
    const { rec } = setup([agent('com.example.both', ['Aqua', 'LoginWindow'])]);
    expect(rec.of('service.register')).toMatchObject([{ name: 'com.example.both', domain: 'gui/501' }]);
  });

  it('the loader reads a string or an array; a Background-only agent goes to user/<uid>; an unknown type is reported', () => {
    const root = mkdtempSync(join(tmpdir(), 'xpc-lab-sessions-'));
    const agents = join(root, 'Library', 'LaunchAgents');
    mkdirSync(agents, { recursive: true });
    const plist = (label: string, sessions: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>Label</key><string>${label}</string><key>Program</key><string>/bin/${label}</string><key>LimitLoadToSessionType</key>${sessions}</dict></plist>`;
    writeFileSync(join(agents, 'a.plist'), plist('a', '<string>LoginWindow</string>'));
    writeFileSync(join(agents, 'b.plist'), plist('b', '<array><string>Background</string></array>'));
    writeFileSync(
      join(agents, 'c.plist'),
      plist('c', '<array><string>Aqua</string><string>Lunch</string></array>'),
    );
    const { world, diagnostics } = loadWorld(root);
    const byLabel = Object.fromEntries(world.jobs.map((j) => [j.label, j]));
    expect(byLabel.a).toMatchObject({ domainKind: 'gui', limitLoadToSessionType: ['LoginWindow'] });
    expect(byLabel.b).toMatchObject({ domainKind: 'user', limitLoadToSessionType: ['Background'] });
    expect(byLabel.c).toMatchObject({ domainKind: 'gui', limitLoadToSessionType: ['Aqua'] });
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ file: 'Library/LaunchAgents/c.plist', key: 'LimitLoadToSessionType' }),
    );
  });
});

describe('KeepAlive conditions (XPC-MODEL §10.3, §4.1)', () => {
  const daemon = (keepAlive: object) =>
    job('com.example.vpnd', { keepAlive: { always: false, ...keepAlive } });

  it('PathState: not started while the path is missing, and the console is told why; started when it appears', () => {
    const { broker, rec, spawner } = setup([daemon({ pathState: { '/var/run/vpn.conf': true } })]);
    expect(spawner.count('com.example.vpnd')).toBe(0);
    expect(rec.of('diagnostic').at(-1)).toMatchObject({
      severity: 'info',
      key: 'KeepAlive.PathState',
      message: expect.stringContaining(
        'PathState /var/run/vpn.conf → true (/var/run/vpn.conf does not exist)',
      ),
    });
    broker.setPath('/var/run/vpn.conf', true);
    expect(spawner.count('com.example.vpnd')).toBe(1);
    expect(rec.of('process.spawn').at(-1)).toMatchObject({ reason: 'speculative' });
  });

  it('PathState false: started while the path does not exist', () => {
    const { spawner } = setup([daemon({ pathState: { '/var/run/stop': false } })]);
    expect(spawner.count('com.example.vpnd')).toBe(1);
  });

  it('a job whose condition holds is restarted after it exits, throttled', () => {
    const { spawner, clock } = setup(
      [daemon({ pathState: { '/etc/on': true } })],
      state({ paths: ['/etc/on'] }),
    );
    spawner.running('com.example.vpnd').exit({ code: 0, signal: null });
    clock.advance(10_000);
    expect(spawner.count('com.example.vpnd')).toBe(2);
  });

  it('NetworkState: held while the network is down', () => {
    const { broker, rec, spawner } = setup([daemon({ networkState: true })], state({ networkUp: false }));
    expect(spawner.count('com.example.vpnd')).toBe(0);
    expect(rec.of('diagnostic').at(-1)?.message).toContain('NetworkState → true (the network is down)');
    broker.setNetwork(true);
    expect(spawner.count('com.example.vpnd')).toBe(1);
  });

  it('OtherJobEnabled: started once the other job is loaded', () => {
    const other = job('com.example.other', { machServices: [] });
    const { broker, rec, spawner } = setup(
      [daemon({ otherJobEnabled: { 'com.example.other': true } }), other],
      state({ disabled: ['system/com.example.other'] }),
    );
    expect(spawner.count('com.example.vpnd')).toBe(0);
    expect(
      rec
        .of('diagnostic')
        .map((d) => d.message)
        .join('\n'),
    ).toContain('OtherJobEnabled com.example.other → true (com.example.other is not loaded)');
    broker.launchctl.enable('system/com.example.other');
    broker.launchctl.bootstrap('system/com.example.other');
    expect(spawner.count('com.example.vpnd')).toBe(1);
  });

  it('AfterInitialDemand: the conditions apply only after the first demand launch', () => {
    const { rec, spawner, clock } = setup(
      [app('com.example.app'), daemon({ afterInitialDemand: true, pathState: { '/etc/on': true } })],
      state({ paths: ['/etc/on'] }),
    );
    expect(spawner.count('com.example.vpnd')).toBe(0);
    expect(rec.of('diagnostic').at(-1)?.key).toBe('KeepAlive.PathState');
    expect(rec.of('diagnostic').at(-1)?.message).toContain('AfterInitialDemand');
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.vpnd', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: false });
    expect(spawner.count('com.example.vpnd')).toBe(1);
    spawner.running('com.example.vpnd').exit({ code: 0, signal: null });
    clock.advance(10_000);
    expect(spawner.count('com.example.vpnd')).toBe(2);
  });

  it('a plain on-demand job is not reported as held back', () => {
    const { rec } = setup([job('com.example.plain')]);
    expect(rec.of('diagnostic')).toEqual([]);
  });

  it('the loader reads every KeepAlive condition and reports a malformed one', () => {
    const root = mkdtempSync(join(tmpdir(), 'xpc-lab-keepalive-'));
    const dir = join(root, 'Library', 'LaunchDaemons');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'd.plist'),
      `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>Label</key><string>d</string><key>Program</key><string>/bin/d</string><key>KeepAlive</key><dict><key>SuccessfulExit</key><false/><key>Crashed</key><true/><key>NetworkState</key><true/><key>PathState</key><dict><key>/tmp/runJob</key><true/><key>/tmp/bad</key><string>yes</string></dict><key>OtherJobEnabled</key><dict><key>local.otherJob</key><false/></dict><key>AfterInitialDemand</key><dict><key>local.otherJob</key><true/></dict></dict></dict></plist>`,
    );
    const { world, diagnostics } = loadWorld(root);
    expect(world.jobs[0]?.keepAlive).toEqual({
      always: false,
      successfulExit: false,
      crashed: true,
      networkState: true,
      pathState: { '/tmp/runJob': true },
      otherJobEnabled: { 'local.otherJob': false },
      afterInitialDemand: true,
    });
    expect(diagnostics).toContainEqual(expect.objectContaining({ key: 'KeepAlive.PathState./tmp/bad' }));
  });
});
