import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extensionObject, sysextd } from '../../main/broker/installs/sysext-text';
import { recognise } from '../../main/trace/import/recognise';
import { app, checkIn, connected, job, ptrOf, setup } from './harness';

const REAL = join(__dirname, '..', 'fixtures', 'real');

/** launchd.log lines without their timestamps. */
function realLines(file: string): string[] {
  return readFileSync(join(REAL, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\S+ \S+ /, ''));
}

describe('log text a developer searches for (XPC-MODEL §10.2–§10.4)', () => {
  it('a peer connection is named <service>.peer[<client pid>].<its own pointer>', () => {
    const { rec, svc, client } = connected(job('com.example.svc'));
    const peer = rec.of('connection.state').find((e) => e.side === 'peer');
    expect(peer?.name).toBe(`com.example.svc.peer[${client.pid}].${peer?.conn}`);
    expect(rec.logs()).toContain(
      `[${peer?.conn}] activating connection: mach=false listener=false peer=true name=com.example.svc.peer[${client.pid}].${peer?.conn}`,
    );
    expect(ptrOf(rec, svc.pid!, `com.example.svc.peer[${client.pid}]`, 'peer')).toBe(peer?.conn);
  });

  it("a demand launch logs launchd.log's lines in launchd.log's order (gitea#21860)", () => {
    const { rec, svc } = connected(job('com.apple.ManagedClient', { program: '/usr/libexec/ManagedClient' }));
    const lines = rec
      .logs()
      .filter((l) => l.startsWith('(system/com.apple.ManagedClient'))
      .slice(0, 11)
      .map((l) => l.replaceAll(`${svc.pid}`, '2729'));
    expect(lines).toEqual(realLines('launchd-spawn-gitea-21860.log'));
  });

  it('an exit ends with "service state: exited"', () => {
    const { rec, svc } = connected(job('com.example.svc'));
    svc.exit({ code: 0, signal: null });
    const mine = rec.logs().filter((l) => l.startsWith(`(system/com.example.svc [${svc.pid}])`));
    expect(mine.slice(-2)).toEqual([
      expect.stringMatching(/<Notice>: exited due to exit\(0\), ran for \d+ms$/),
      `(system/com.example.svc [${svc.pid}]) <Notice>: service state: exited`,
    ]);
  });

  it("a gui domain's own lines carry its audit session: (gui/501 [100005])", () => {
    const { rec, spawner } = setup([app('com.example.app')]);
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.nope', privileged: false });
    expect(rec.logs()).toContain(
      `(gui/501 [100005]) <Warning>: failed lookup: name = com.example.nope, requestor = com.example.app[${client.pid}], error = 3: No such process`,
    );
  });

  it('a system looker keeps the bare (system) prefix', () => {
    const agent = job('com.example.agent', { type: 'LaunchAgent', domainKind: 'gui' });
    const { rec, spawner } = setup([job('com.example.daemon', { runAtLoad: true }), agent]);
    const daemon = spawner.running('com.example.daemon');
    daemon.say({ t: 'connect', conn: 'c1', name: 'com.example.agent', privileged: false });
    expect(
      rec.logs().some((l) => l.startsWith('(system) <Warning>: failed lookup: name = com.example.agent')),
    ).toBe(true);
  });

  it('re-bootstrapping a loaded agent as the user prints 5: Input/output error; a daemon as root prints 37', () => {
    const agent = job('com.example.agent', { type: 'LaunchAgent', domainKind: 'gui' });
    const { broker, rec } = setup([agent, job('com.example.daemon')]);
    expect(broker.launchctl.bootstrap('gui/501/com.example.agent')).toMatchObject({ ok: false, errno: 5 });
    expect(rec.logs()).toContain('Bootstrap failed: 5: Input/output error');
    expect(broker.launchctl.bootstrap('system/com.example.daemon')).toMatchObject({ ok: false, errno: 37 });
    expect(rec.logs()).toContain('Bootstrap failed: 37: Operation already in progress');
  });

  it("sysextd's replace lines name the bundle identifier and the extension object", () => {
    const old = {
      uuid: '5A1D0000-0000-4000-8000-000000000001',
      job: job('com.coder.Coder-Desktop.VPN', { shortVersion: '0.6.0', bundleVersion: '10' }),
      teamId: '4399GN35BJ',
      state: 'activated enabled' as const,
    };
    expect(sysextd.foundEntry(old)).toBe(
      'activateDecision found entry to replace: com.coder.Coder-Desktop.VPN, BundleVersion(CFBundleShortVersionString: "0.6.0", CFBundleVersion: "10")',
    );
    expect(sysextd.replaceDecision(old)).toMatch(
      /^initial activation decision: requestAppReplaceAction\(<sysextd\.Extension: 0x[0-9a-f]{9}>\)$/,
    );
    expect(extensionObject(old)).not.toBe(
      extensionObject({ ...old, uuid: '5A1D0000-0000-4000-8000-000000000002' }),
    );
  });

  it('the log importer recognises every libxpc and launchd line the broker writes', () => {
    const { rec, svc } = connected(job('com.example.svc'));
    checkIn(svc);
    svc.exit({ code: null, signal: 'SIGSEGV' });
    const lines = rec.of('log').filter((e) => e.subsystem.startsWith('com.apple.xpc'));
    expect(lines.length).toBeGreaterThan(15);
    for (const l of lines) expect(recognise(l.text, l.process), l.text).not.toBeNull();
    const peer = lines
      .map((l) => recognise(l.text, l.process))
      .find((r) => r?.kind === 'activation' && r.peer);
    expect(peer).toMatchObject({ peerPid: expect.any(Number) });
  });
});
