import { describe, expect, it } from 'vitest';
import { DisabledOverrides, parseServiceTarget } from '../../main/broker/launchd/overrides';
import { answer, app, checkIn, job, setup, state } from './harness';

const agent = (over = {}) =>
  job('com.example.agent', { type: 'LaunchAgent', domainKind: 'gui', runAtLoad: true, ...over });

describe('the disabled-overrides database (XPC-MODEL §4.5)', () => {
  it('service targets name a domain and a label', () => {
    expect(parseServiceTarget('gui/501/com.example.agent')).toEqual({
      domain: 'gui/501',
      label: 'com.example.agent',
    });
    expect(parseServiceTarget('system/com.example.daemon')).toEqual({
      domain: 'system',
      label: 'com.example.daemon',
    });
    expect(parseServiceTarget('com.example.daemon')).toBeUndefined();
  });

  it('bootstrap of a disabled label fails with 119 "Service is disabled"; its names stay out of the namespace', () => {
    const { rec, spawner } = setup(
      [app('com.example.app'), agent()],
      state({ disabled: ['gui/501/com.example.agent'] }),
    );
    expect(rec.logs()).toContain('Bootstrap failed: 119: Service is disabled');
    expect(rec.of('diagnostic').at(-1)).toMatchObject({
      severity: 'error',
      consequence: 'Bootstrap failed: 119: Service is disabled',
    });
    expect(rec.of('service.register')).toEqual([]);
    expect(spawner.count('com.example.agent')).toBe(0);
    spawner
      .running('com.example.app')
      .say({ t: 'connect', conn: 'c1', name: 'com.example.agent', privileged: false });
    expect(rec.of('lookup').at(-1)).toMatchObject({ ok: false, errno: 3 });
  });

  it('the override outlives the plist: it applies to a job with that label, whatever its file', () => {
    const { rec } = setup(
      [agent({ path: 'Library/LaunchAgents/renamed.plist' })],
      state({ disabled: ['gui/501/com.example.agent'] }),
    );
    expect(rec.logs()).toContain('Bootstrap failed: 119: Service is disabled');
  });

  it('an override for another domain does not apply', () => {
    const { rec } = setup([agent()], state({ disabled: ['system/com.example.agent'] }));
    expect(rec.of('service.register')).toHaveLength(1);
  });

  it('launchctl enable clears the entry but loads nothing; bootstrap then loads the job', () => {
    const { broker, rec, spawner } = setup([agent()], state({ disabled: ['gui/501/com.example.agent'] }));
    expect(broker.launchctl.enable('gui/501/com.example.agent')).toEqual({ ok: true });
    expect(rec.of('service.register')).toEqual([]);
    expect(broker.launchctl.bootstrap('gui/501/com.example.agent')).toEqual({ ok: true });
    expect(rec.of('service.register')).toMatchObject([{ name: 'com.example.agent', domain: 'gui/501' }]);
    expect(spawner.count('com.example.agent')).toBe(1);
  });

  it("the plist's Disabled key is only a default: an enabled entry wins", () => {
    const disabledByPlist = setup([agent({ disabled: true })]);
    expect(disabledByPlist.rec.logs()).toContain('Bootstrap failed: 119: Service is disabled');
    const overridden = new DisabledOverrides();
    overridden.set('gui/501', 'com.example.agent', false);
    expect(overridden.isDisabled('gui/501', 'com.example.agent', true)).toBe(false);
  });

  it('launchctl disable leaves a running job running; after a bootout it cannot be bootstrapped again', () => {
    const { broker, spawner } = setup([agent()]);
    broker.launchctl.disable('gui/501/com.example.agent');
    expect(spawner.running('com.example.agent').killedWith).toEqual([]);
    broker.launchctl.bootout('gui/501/com.example.agent');
    spawner.running('com.example.agent').exit({ code: 0, signal: null });
    expect(broker.launchctl.bootstrap('gui/501/com.example.agent')).toEqual({
      ok: false,
      errno: 119,
      message: 'Service is disabled',
    });
  });

  it('print-disabled lists the entries as launchctl does', () => {
    const overrides = new DisabledOverrides(['gui/501/com.example.helper']);
    overrides.set('gui/501', 'com.apple.Siri.agent', false);
    expect(overrides.print('gui/501')).toBe(
      'disabled services = {\n\t"com.example.helper" => disabled\n\t"com.apple.Siri.agent" => enabled\n}',
    );
  });
});

describe('launchctl bootstrap and bootout (XPC-MODEL §3.4, §4.4)', () => {
  it('bootstrap of a loaded job fails with 37', () => {
    const { broker, rec } = setup([job('com.example.daemon')]);
    expect(broker.launchctl.bootstrap('system/com.example.daemon')).toMatchObject({ ok: false, errno: 37 });
    expect(rec.logs()).toContain('Bootstrap failed: 37: Operation already in progress');
  });

  it('bootout of a job that is not loaded fails with 3 No such process', () => {
    const { broker, rec } = setup([job('com.example.daemon')]);
    expect(broker.launchctl.bootout('system/com.example.nope')).toMatchObject({ ok: false, errno: 3 });
    expect(rec.logs()).toContain('Boot-out failed: 3: No such process');
  });

  it('bootout takes the names out of the namespace; an interrupted client is invalidated after a failed reconnect', () => {
    const { broker, rec, spawner } = setup([app('com.example.app'), job('com.example.daemon')]);
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: true });
    const daemon = spawner.running('com.example.daemon');
    checkIn(daemon);
    answer(daemon);
    broker.launchctl.bootout('system/com.example.daemon');
    expect(rec.of('service.unregister')).toMatchObject([
      { name: 'com.example.daemon', reason: 'launchctl bootout system/com.example.daemon' },
    ]);
    expect(daemon.killedWith).toEqual(['SIGTERM']);
    daemon.exit({ code: 0, signal: null });
    client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: false });
    expect(rec.logs().some((l) => l.endsWith('invalidated after a failed reconnect'))).toBe(true);
  });
});
