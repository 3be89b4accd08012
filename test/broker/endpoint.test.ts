import { describe, expect, it } from 'vitest';
import { answer, app, checkIn, job, ptrOf, setup } from './harness';

/** A daemon with an anonymous listener, and an app connected to it by name and from its endpoint. */
function withEndpoint() {
  const t = setup([app('com.example.app'), job('com.example.broker')]);
  const client = t.spawner.running('com.example.app');
  client.say({ t: 'connect', conn: 'c1', name: 'com.example.broker', privileged: false });
  client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: true });
  const svc = t.spawner.running('com.example.broker');
  checkIn(svc);
  svc.say({ t: 'listen', listener: 'anon' });
  const endpoint = svc.of('endpoint')[0]!.endpoint;
  client.say({ t: 'connectEndpoint', conn: 'c2', endpoint });
  const ptr2 = ptrOf(t.rec, client.pid!, `com.apple.xpc.anonymous.${endpoint}`);
  return { ...t, client, svc, endpoint, ptr1: ptrOf(t.rec, client.pid!, 'com.example.broker'), ptr2 };
}

describe('anonymous listeners and endpoints (XPC-MODEL §1.1, §1.2 rule 3)', () => {
  it('an anonymous listener is activated with listener=true and mach=false, and answers with its endpoint', () => {
    const { rec, endpoint } = withEndpoint();
    expect(rec.logs()).toContain(
      `[${endpoint}] activating connection: mach=false listener=true peer=false name=com.apple.xpc.anonymous.${endpoint}`,
    );
  });

  it('a message on a connection made from the endpoint reaches a peer named com.apple.xpc.anonymous.<p>.peer[pid].<p>', () => {
    const { client, svc, rec, endpoint } = withEndpoint();
    client.say({ t: 'send', conn: 'c2', id: 2, body: { selector: 'hello' }, expectsReply: true });
    const peer = svc.of('peer').find((p) => p.listener === 'anon');
    expect(peer).toBeDefined();
    expect(svc.of('message').at(-1)).toMatchObject({ conn: peer!.conn, body: { selector: 'hello' } });
    const name = new RegExp(
      `^\\[0x[0-9a-f]+\\] activating connection: mach=false listener=false peer=true name=com\\.apple\\.xpc\\.anonymous\\.${endpoint}\\.peer\\[${client.pid}\\]\\.0x[0-9a-f]+$`,
    );
    expect(rec.logs().some((l) => name.test(l))).toBe(true);
    answer(svc);
    expect(client.of('reply').at(-1)).toMatchObject({ conn: 'c2', to: 2 });
  });

  it('when the listener dies, the connection made from its endpoint gets INVALID, the named one INTERRUPTED', () => {
    const { client, svc, rec, ptr1, ptr2 } = withEndpoint();
    client.say({ t: 'send', conn: 'c2', id: 2, body: {}, expectsReply: true });
    svc.exit({ code: null, signal: 'SIGSEGV' });
    expect(rec.states(ptr1).at(-1)).toBe('interrupted');
    expect(
      rec
        .of('connection.state')
        .filter((e) => e.conn === ptr2)
        .at(-1),
    ).toMatchObject({
      to: 'invalidated',
      error: 'XPC_ERROR_CONNECTION_INVALID',
      reason: 'the listener the endpoint came from crashed, exited or cancelled',
    });
    expect(client.of('replyError').find((r) => r.conn === 'c2')).toMatchObject({
      error: 'XPC_ERROR_CONNECTION_INVALID',
    });
  });

  it('cancelling the anonymous listener invalidates the connections made from its endpoint and their peers', () => {
    const { client, svc, rec, ptr2 } = withEndpoint();
    client.say({ t: 'send', conn: 'c2', id: 2, body: {}, expectsReply: false });
    svc.say({ t: 'cancel', conn: 'anon' });
    expect(rec.states(ptr2).at(-1)).toBe('invalidated');
    const peer = rec
      .of('connection.state')
      .find((e) => e.side === 'peer' && e.name.startsWith('com.apple.xpc.anonymous.'));
    expect(rec.states(peer!.conn).at(-1)).toBe('invalidated');
  });

  it('an endpoint whose listener is gone gives INVALID at once', () => {
    const { client, svc, rec, endpoint } = withEndpoint();
    svc.say({ t: 'cancel', conn: 'anon' });
    client.say({ t: 'connectEndpoint', conn: 'c3', endpoint });
    const ptr3 = rec
      .of('connection.state')
      .filter((e) => e.pid === client.pid)
      .at(-1)!.conn;
    expect(rec.states(ptr3)).toEqual(['activating', 'invalidated']);
    expect(rec.logs()).toContain(`[${ptr3}] invalidated after a failed init`);
  });
});

describe('barriers (XPC-MODEL §1.3)', () => {
  it('a barrier runs once every message sent before it has been sent, here after the service checked in', () => {
    const t = setup([app('com.example.app'), job('com.example.daemon')]);
    const client = t.spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: false });
    client.say({ t: 'barrier', conn: 'c1', id: 2 });
    expect(client.of('barrier')).toEqual([]);
    checkIn(t.spawner.running('com.example.daemon'));
    expect(client.of('barrier')).toEqual([{ t: 'barrier', conn: 'c1', id: 2 }]);
  });

  it('on a connection with nothing waiting, or an invalid one, the barrier runs at once', () => {
    const t = setup([app('com.example.app')]);
    const client = t.spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.missing', privileged: false });
    client.say({ t: 'barrier', conn: 'c1', id: 7 });
    expect(client.of('barrier')).toEqual([{ t: 'barrier', conn: 'c1', id: 7 }]);
  });

  it('a barrier behind messages that are unwound runs when they are', () => {
    const t = setup([app('com.example.app'), job('com.example.daemon')]);
    const client = t.spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: true });
    client.say({ t: 'barrier', conn: 'c1', id: 2 });
    t.spawner.running('com.example.daemon').exit({ code: 1, signal: null });
    expect(client.of('barrier')).toHaveLength(1);
  });
});

describe('a scenario speaking for a process', () => {
  it('goes through the same path as the helper: validation included', () => {
    const t = setup([app('com.example.app'), job('com.example.daemon')]);
    const client = t.spawner.running('com.example.app');
    expect(
      t.broker.speakFor(client.pid!, { t: 'connect', conn: 'scenario.c1', name: 'com.example.daemon' }),
    ).toBe(true);
    expect(t.rec.of('lookup').at(-1)).toMatchObject({ ok: true, pid: client.pid });
    t.broker.speakFor(client.pid!, {
      t: 'send',
      conn: 'scenario.c1',
      id: 'x',
      body: {},
      expectsReply: false,
    });
    expect(t.rec.of('connection.state').at(-1)).toMatchObject({
      to: 'invalidated',
      cause: expect.stringMatching(/malformed message/),
    });
    expect(t.broker.speakFor(424242, { t: 'cancel', conn: 'x' })).toBe(false);
  });
});
