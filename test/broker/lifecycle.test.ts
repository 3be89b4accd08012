import { describe, expect, it } from 'vitest';
import { XPC_SERVICE_IDLE_MS } from '../../main/broker/launchd/lifecycle';
import { answer, app, checkIn, connected, job, ptrOf, setup } from './harness';

const worker = () =>
  job('com.example.app.worker', { type: 'XPCService', domainKind: 'pid', ownerLabel: 'com.example.app' });

function xpcService() {
  const t = setup([app('com.example.app'), worker()]);
  const client = t.spawner.running('com.example.app');
  client.say({ t: 'connect', conn: 'c1', name: 'com.example.app.worker', privileged: false });
  client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
  const svc = t.spawner.running('com.example.app.worker');
  checkIn(svc);
  return { ...t, client, svc, ptr: ptrOf(t.rec, client.pid!, 'com.example.app.worker') };
}

describe('transactions and idle exit (XPC-MODEL §4.2)', () => {
  it('an XPC service with no open transactions idle-exits: peers get TERMINATION_IMMINENT, then SIGTERM', () => {
    const { svc, clock, rec } = xpcService();
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS - 1);
    expect(svc.killedWith).toEqual([]);
    clock.advance(1);
    expect(svc.of('event')).toMatchObject([{ error: 'XPC_ERROR_TERMINATION_IMMINENT' }]);
    expect(
      rec.of('connection.state').filter((e) => e.error === 'XPC_ERROR_TERMINATION_IMMINENT'),
    ).toMatchObject([{ side: 'peer', from: 'connected', to: 'connected' }]);
    expect(svc.killedWith).toEqual(['SIGTERM']);
  });

  it('the idle exit is clean, its clients get INTERRUPTED, and the next send relaunches it because ipc (mach)', () => {
    const { svc, client, clock, rec, ptr, spawner } = xpcService();
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS);
    svc.exit({ code: 0, signal: null });
    expect(rec.of('process.exit').at(-1)).toMatchObject({ cause: 'idle-exit', clean: true });
    expect(rec.states(ptr).at(-1)).toBe('interrupted');
    client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: false });
    expect(spawner.count('com.example.app.worker')).toBe(2);
    expect(rec.of('process.spawn').at(-1)).toMatchObject({
      label: 'com.example.app.worker',
      reason: 'ipc (mach)',
    });
  });

  it('an un-replied request holds a transaction, so the service does not idle-exit', () => {
    const { svc, clock } = xpcService();
    clock.advance(XPC_SERVICE_IDLE_MS * 3);
    expect(svc.killedWith).toEqual([]);
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS);
    expect(svc.killedWith).toEqual(['SIGTERM']);
  });

  it('an explicit transaction keeps the service alive until it ends', () => {
    const { svc, clock, broker } = xpcService();
    answer(svc);
    svc.say({ t: 'transaction', delta: 1 });
    expect(broker.lifecycle.txCount(broker.findProc(svc.pid!)!)).toBe(1);
    clock.advance(XPC_SERVICE_IDLE_MS * 2);
    expect(svc.killedWith).toEqual([]);
    svc.say({ t: 'transaction', delta: -1 });
    clock.advance(XPC_SERVICE_IDLE_MS);
    expect(svc.killedWith).toEqual(['SIGTERM']);
  });

  it('activity restarts the idle countdown', () => {
    const { svc, client, clock } = xpcService();
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS - 100);
    client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: false });
    clock.advance(XPC_SERVICE_IDLE_MS - 100);
    expect(svc.killedWith).toEqual([]);
    clock.advance(100);
    expect(svc.killedWith).toEqual(['SIGTERM']);
  });

  it('SIGKILL follows SIGTERM after ExitTimeOut when the process does not exit', () => {
    const { svc, clock, rec } = xpcService();
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS);
    clock.advance(20_000);
    expect(svc.killedWith).toEqual(['SIGTERM', 'SIGKILL']);
    svc.exit({ code: null, signal: 'SIGKILL' });
    expect(rec.of('process.exit').at(-1)).toMatchObject({ cause: 'idle-exit', clean: true });
  });

  it('messages sent after TERMINATION_IMMINENT are not delivered to the exiting instance', () => {
    const { svc, client, clock, spawner } = xpcService();
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS);
    const delivered = svc.of('message').length;
    client.say({ t: 'send', conn: 'c1', id: 2, body: { late: true }, expectsReply: true });
    expect(svc.of('message')).toHaveLength(delivered);
    svc.exit({ code: 0, signal: null });
    expect(client.of('replyError').at(-1)).toMatchObject({
      to: 2,
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
    });
    expect(spawner.count('com.example.app.worker')).toBe(1);
  });

  it('a launchd daemon does not idle-exit on a timer', () => {
    const { svc, clock } = connected(job('com.example.daemon', { enablePressuredExit: true }));
    answer(svc);
    clock.advance(XPC_SERVICE_IDLE_MS * 10);
    expect(svc.killedWith).toEqual([]);
  });
});

describe('memory pressure (XPC-MODEL §4.2)', () => {
  it('reclaims clean, idle EnablePressuredExit jobs and leaves busy or opted-out ones running', () => {
    const pressured = job('com.example.pressured', { enablePressuredExit: true });
    const busy = job('com.example.busy', { enablePressuredExit: true });
    const plain = job('com.example.plain', { runAtLoad: true });
    const t = connected(pressured, [busy, plain]);
    answer(t.svc);
    t.client.say({ t: 'connect', conn: 'c2', name: 'com.example.busy', privileged: false });
    t.client.say({ t: 'send', conn: 'c2', id: 5, body: {}, expectsReply: true });
    checkIn(t.spawner.running('com.example.busy'));
    const reclaimed = t.broker.pressure();
    expect(reclaimed.map((p) => p.job.label)).toEqual(['com.example.pressured']);
    expect(t.svc.of('event')).toMatchObject([{ error: 'XPC_ERROR_TERMINATION_IMMINENT' }]);
    expect(t.svc.killedWith).toEqual(['SIGTERM']);
    expect(t.spawner.running('com.example.busy').killedWith).toEqual([]);
    expect(t.spawner.running('com.example.plain').killedWith).toEqual([]);
    t.svc.exit({ code: 0, signal: null });
    expect(t.rec.of('process.exit').at(-1)).toMatchObject({
      label: 'com.example.pressured',
      cause: 'jetsam',
      clean: true,
    });
    expect(t.rec.of('action').at(-1)).toMatchObject({ action: 'pressure' });
  });

  it('reclaims an idle XPC service too', () => {
    const { svc, broker } = xpcService();
    answer(svc);
    expect(broker.pressure().map((p) => p.job.label)).toEqual(['com.example.app.worker']);
  });
});
