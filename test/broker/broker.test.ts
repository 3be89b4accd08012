import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/broker/broker';
import type { JobSpec } from '../../main/world/model';
import { app, FakeClock, type FakeProcess, FakeSpawner, job, Recorder, world } from '../support/fakes';

function setup(jobs: JobSpec[]) {
  const spawner = new FakeSpawner();
  const clock = new FakeClock();
  const rec = new Recorder();
  const broker = new Broker({ world: world(jobs), spawner, clock, emit: rec.emit });
  broker.start();
  return { broker, spawner, clock, rec };
}

/** The pointer the broker gave a helper's local connection id. */
function ptrOf(rec: Recorder, pid: number, name: string, side = 'client'): string {
  const e = rec.of('connection.state').find((s) => s.pid === pid && s.name === name && s.side === side);
  if (!e) throw new Error(`no ${side} connection to ${name} from ${pid}`);
  return e.conn;
}

/** A client app connected to a daemon, with the daemon launched and checked in by the first message. */
function connected(extra: JobSpec[] = []) {
  const t = setup([app('com.example.app'), job('com.example.daemon'), ...extra]);
  const client = t.spawner.running('com.example.app');
  client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
  client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
  const daemon = t.spawner.running('com.example.daemon');
  daemon.say({ t: 'checkIn', listener: 'l1', name: 'com.example.daemon' });
  return { ...t, client, daemon, ptr: ptrOf(t.rec, client.pid!, 'com.example.daemon') };
}

function lastMessage(p: FakeProcess) {
  const m = p.of('message').at(-1);
  if (!m) throw new Error('no message delivered');
  return m;
}

describe('namespaces and lookup (XPC-MODEL §3)', () => {
  it('registers MachServices at load time, before the job has a process', () => {
    const { rec, spawner } = setup([job('com.example.daemon')]);
    expect(rec.of('service.register')).toMatchObject([{ name: 'com.example.daemon', domain: 'system' }]);
    expect(spawner.spawned).toHaveLength(0);
  });

  it('a name in no visible namespace fails the look-up with error 3 and is invalidated after a failed init', () => {
    const { spawner, rec } = setup([app('com.example.app')]);
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.missing', privileged: false });
    const ptr = ptrOf(rec, client.pid!, 'com.example.missing');
    expect(rec.states(ptr)).toEqual(['activating', 'invalidated']);
    expect(rec.logs()).toContain(`[${ptr}] failed to do a bootstrap look-up: xpc_error=[3: No such process]`);
    expect(rec.logs()).toContain(`[${ptr}] invalidated after a failed init`);
    expect(client.of('event')).toMatchObject([{ conn: 'c1', error: 'XPC_ERROR_CONNECTION_INVALID' }]);
    const invalid = rec.of('connection.state').find((e) => e.to === 'invalidated');
    expect(invalid?.nsError).toMatchObject({
      code: 4099,
      debugDescription:
        'The connection to service named com.example.missing was invalidated: failed at lookup with error 3 - No such process.',
    });
  });

  it('a system-domain looker (a system extension) cannot see a gui LaunchAgent name: error 3', () => {
    const agent = job('com.example.agent', { type: 'LaunchAgent', domainKind: 'gui' });
    const ext = job('com.example.ext', { type: 'SystemExtension', runAtLoad: true, machServices: [] });
    const { spawner, rec } = setup([agent, ext]);
    spawner
      .running('com.example.ext')
      .say({ t: 'connect', conn: 'c1', name: 'com.example.agent', privileged: false });
    expect(rec.of('lookup')).toMatchObject([
      { name: 'com.example.agent', ok: false, errno: 3, domain: 'system' },
    ]);
  });

  it('a gui app sees system names', () => {
    const { rec } = connected();
    expect(rec.of('lookup')).toMatchObject([{ ok: true, target: 'system/com.example.daemon' }]);
  });

  it('PRIVILEGED looks only in the system domain, so a gui name squatting it is not found', () => {
    const squatter = job('com.example.helper', { type: 'LaunchAgent', domainKind: 'gui' });
    const { spawner, rec } = setup([app('com.example.app'), squatter]);
    spawner
      .running('com.example.app')
      .say({ t: 'connect', conn: 'c1', name: 'com.example.helper', privileged: true });
    expect(rec.of('lookup')[0]).toMatchObject({ ok: false, errno: 3 });
  });

  it('a sandboxed looker without a mach-lookup exception gets 159 before the namespace is consulted', () => {
    const sandboxed = app('com.example.app', {
      sandbox: { enabled: true, machLookup: [], machRegister: [], appGroups: [] },
    });
    const { spawner, rec } = setup([sandboxed, job('com.example.daemon')]);
    spawner
      .running('com.example.app')
      .say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    expect(rec.of('lookup')[0]).toMatchObject({ ok: false, errno: 159 });
    expect(
      rec
        .logs()
        .some((l) => l.endsWith('failed to do a bootstrap look-up: xpc_error=[159: Unknown error: 159]')),
    ).toBe(true);
    expect(
      rec
        .logs()
        .some(
          (l) =>
            l.includes('denied lookup: name = com.example.daemon') &&
            l.endsWith('error = 159: Sandbox restriction'),
        ),
    ).toBe(true);
  });

  it('a mach-lookup exception lets the sandboxed looker through', () => {
    const sandboxed = app('com.example.app', {
      sandbox: { enabled: true, machLookup: ['com.example.daemon'], machRegister: [], appGroups: [] },
    });
    const { spawner, rec } = setup([sandboxed, job('com.example.daemon')]);
    spawner
      .running('com.example.app')
      .say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    expect(rec.of('lookup')[0]).toMatchObject({ ok: true });
  });

  it('an app sees its own bundled XPC service in its pid domain; another app does not', () => {
    const xpc = job('com.example.app.worker', {
      type: 'XPCService',
      domainKind: 'pid',
      ownerLabel: 'com.example.app',
    });
    const { spawner, rec } = setup([app('com.example.app'), app('com.other.app'), xpc]);
    const owner = spawner.running('com.example.app');
    expect(rec.of('service.register').find((e) => e.name === 'com.example.app.worker')?.domain).toBe(
      `pid/${owner.pid}`,
    );
    owner.say({ t: 'connect', conn: 'c1', name: 'com.example.app.worker', privileged: false });
    spawner
      .running('com.other.app')
      .say({ t: 'connect', conn: 'c1', name: 'com.example.app.worker', privileged: false });
    expect(rec.of('lookup').map((l) => l.ok)).toEqual([true, false]);
  });
});

describe('on-demand launch (XPC-MODEL §4.2, §8.9)', () => {
  it('the first message launches the service because ipc (mach); it is delivered once the listener checks in', () => {
    const t = setup([app('com.example.app'), job('com.example.daemon')]);
    const client = t.spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    expect(t.spawner.count('com.example.daemon')).toBe(0);
    client.say({ t: 'send', conn: 'c1', id: 7, body: { selector: 'ping' }, expectsReply: true });
    const daemon = t.spawner.running('com.example.daemon');
    expect(t.rec.of('process.spawn').find((e) => e.label === 'com.example.daemon')?.reason).toBe(
      'ipc (mach)',
    );
    expect(daemon.of('message')).toHaveLength(0);
    daemon.say({ t: 'checkIn', listener: 'l1', name: 'com.example.daemon' });
    expect(daemon.of('peer')).toMatchObject([{ listener: 'l1', clientPid: client.pid }]);
    expect(lastMessage(daemon)).toMatchObject({ body: { selector: 'ping' }, expectsReply: true });
    expect(
      t.rec
        .logs()
        .some((l) => /Successfully spawned com\.example\.daemon\[\d+\] because ipc \(mach\)/.test(l)),
    ).toBe(true);
  });

  it('a reply travels back to the request it answers, with its latency', () => {
    const { daemon, client, clock, rec } = connected();
    const request = lastMessage(daemon);
    clock.advance(12);
    const peer = daemon.of('peer')[0]!.conn;
    daemon.say({ t: 'reply', conn: peer, to: request.id, id: 1, body: { ok: true } });
    expect(client.of('reply')).toMatchObject([{ conn: 'c1', to: 1, body: { ok: true } }]);
    expect(rec.of('message').find((m) => m.dir === 'reply')).toMatchObject({
      replyTo: request.id,
      latencyMs: 12,
    });
  });

  it('replies may arrive in a different order from the requests', () => {
    const { daemon, client } = connected();
    client.say({ t: 'send', conn: 'c1', id: 2, body: { n: 2 }, expectsReply: true });
    const [first, second] = daemon.of('message');
    const peer = daemon.of('peer')[0]!.conn;
    daemon.say({ t: 'reply', conn: peer, to: second!.id, id: 10, body: { answer: 2 } });
    daemon.say({ t: 'reply', conn: peer, to: first!.id, id: 11, body: { answer: 1 } });
    expect(client.of('reply').map((r) => [r.to, r.body.answer])).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });

  it('a listener may check in only names in its own MachServices: listener failed to activate with EPERM', () => {
    const { daemon, rec } = connected();
    daemon.say({ t: 'checkIn', listener: 'l2', name: 'com.example.not-mine' });
    expect(daemon.of('listenerFailed')).toMatchObject([{ listener: 'l2', errno: 1 }]);
    expect(
      rec
        .logs()
        .some((l) => l.endsWith('listener failed to activate: xpc_error=[1: Operation not permitted]')),
    ).toBe(true);
  });
});

describe('interruption and invalidation (XPC-MODEL §1.2)', () => {
  it('client gets INTERRUPTED when the service exits; next send relaunches it', () => {
    const { daemon, client, spawner, rec, ptr } = connected();
    daemon.exit({ code: null, signal: 'SIGSEGV' });
    expect(rec.states(ptr).slice(-1)).toEqual(['interrupted']);
    expect(client.of('event')).toMatchObject([{ conn: 'c1', error: 'XPC_ERROR_CONNECTION_INTERRUPTED' }]);
    expect(rec.logs()).toContain(
      `[${ptr}] Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED`,
    );
    expect(spawner.count('com.example.daemon')).toBe(1);
    client.say({ t: 'send', conn: 'c1', id: 5, body: { selector: 'again' }, expectsReply: false });
    expect(spawner.count('com.example.daemon')).toBe(2);
    expect(rec.states(ptr).slice(-1)).toEqual(['connected']);
    const relaunched = spawner.running('com.example.daemon');
    relaunched.say({ t: 'checkIn', listener: 'l1', name: 'com.example.daemon' });
    expect(lastMessage(relaunched).body).toEqual({ selector: 'again' });
  });

  it('a reply handler waiting when the service exits gets INTERRUPTED exactly once', () => {
    const { daemon, client, rec } = connected();
    daemon.exit({ code: null, signal: 'SIGKILL' });
    expect(client.of('replyError')).toEqual([
      { t: 'replyError', conn: 'c1', to: 1, error: 'XPC_ERROR_CONNECTION_INTERRUPTED' },
    ]);
    expect(rec.of('reply.failed')).toHaveLength(1);
  });

  it('messages queued before check-in are unwound when the service dies before checking in', () => {
    const t = setup([app('com.example.app'), job('com.example.daemon')]);
    const client = t.spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: { a: 1 }, expectsReply: true });
    client.say({ t: 'send', conn: 'c1', id: 2, body: { a: 2 }, expectsReply: false });
    t.spawner.running('com.example.daemon').exit({ code: 1, signal: null });
    expect(client.of('replyError')).toMatchObject([{ to: 1, error: 'XPC_ERROR_CONNECTION_INTERRUPTED' }]);
    expect(client.of('event')).toMatchObject([{ error: 'XPC_ERROR_CONNECTION_INTERRUPTED' }]);
  });

  it('the service-side peer gets INVALID, never INTERRUPTED, when the client process exits', () => {
    const { daemon, client, rec } = connected();
    const peer = rec.of('connection.state').find((e) => e.pid === daemon.pid && e.side === 'peer');
    expect(peer?.name).toBe(`com.example.daemon.peer[${client.pid}].${peer?.conn}`);
    const peerPtr = peer!.conn;
    client.exit({ code: 0, signal: null });
    expect(rec.states(peerPtr)).toEqual(['activating', 'connected', 'invalidated']);
    expect(rec.logs()).toContain(
      `[${peerPtr}] invalidated because the client process (pid ${client.pid}) either cancelled the connection or exited`,
    );
    expect(daemon.of('event')).toMatchObject([{ error: 'XPC_ERROR_CONNECTION_INVALID' }]);
  });

  it('cancel invalidates the connection for good: pending replies get INVALID and later sends fail', () => {
    const { broker, client, rec, ptr, spawner } = connected();
    expect(broker.cancelConnection(ptr)).toBe(true);
    expect(rec.states(ptr).at(-1)).toBe('invalidated');
    expect(rec.logs()).toContain(
      `[${ptr}] invalidated because the current process cancelled the connection by calling xpc_connection_cancel()`,
    );
    expect(client.of('replyError')).toMatchObject([{ to: 1, error: 'XPC_ERROR_CONNECTION_INVALID' }]);
    client.say({ t: 'send', conn: 'c1', id: 9, body: { x: 1 }, expectsReply: true });
    expect(client.of('replyError').at(-1)).toMatchObject({ to: 9, error: 'XPC_ERROR_CONNECTION_INVALID' });
    expect(spawner.count('com.example.daemon')).toBe(1);
    expect(broker.cancelConnection(ptr)).toBe(false);
  });

  it('an interrupted client whose name has left the namespace is invalidated after a failed reconnect', () => {
    const { daemon, client, broker, rec, ptr } = connected();
    daemon.exit({ code: 0, signal: null });
    broker.namespace.unregister('system', 'com.example.daemon');
    client.say({ t: 'send', conn: 'c1', id: 3, body: {}, expectsReply: false });
    expect(rec.states(ptr).at(-1)).toBe('invalidated');
    expect(rec.logs()).toContain(`[${ptr}] invalidated after a failed reconnect`);
  });

  it('a crash is told apart from a clean exit in the exit event', () => {
    const { daemon, rec } = connected();
    daemon.exit({ code: null, signal: 'SIGSEGV' });
    expect(rec.of('process.exit').at(-1)).toMatchObject({ cause: 'crash', clean: false, signal: 'SIGSEGV' });
    expect(rec.logs().some((l) => /exited due to SIGSEGV, ran for \d+ms$/.test(l))).toBe(true);
  });
});

describe('untrusted helpers (docs/design.md, Trust boundaries)', () => {
  it('a malformed message costs only the connection it names', () => {
    const { client, rec, ptr, daemon } = connected();
    client.say({ t: 'send', conn: 'c1', id: 'not-a-number', body: {}, expectsReply: false });
    expect(rec.states(ptr).at(-1)).toBe('invalidated');
    expect(rec.of('connection.state').find((e) => e.conn === ptr && e.to === 'invalidated')?.cause).toMatch(
      /malformed message from com\.example\.app/,
    );
    expect(daemon.alive).toBe(true);
  });

  it('a non-dictionary message is API misuse and invalidates its connection', () => {
    const { client, rec, ptr } = connected();
    client.say({ t: 'send', conn: 'c1', id: 4, body: ['not', 'a', 'dictionary'], expectsReply: false });
    const e = rec.of('connection.state').find((s) => s.conn === ptr && s.to === 'invalidated');
    expect(e?.cause).toContain('Message types other than dictionaries are not supported.');
  });

  it('an oversized message invalidates its connection and names the limit', () => {
    const spawner = new FakeSpawner();
    const rec = new Recorder();
    const broker = new Broker({
      world: world([app('com.example.app'), job('com.example.daemon')]),
      spawner,
      clock: new FakeClock(),
      emit: rec.emit,
      maxMessageBytes: 1000,
    });
    broker.start();
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: { blob: 'x'.repeat(2000) }, expectsReply: false });
    expect(rec.of('connection.state').at(-1)?.cause).toMatch(/exceeds the 1000-byte limit/);
  });

  it('a reply to a request that is not waiting is refused without touching other connections', () => {
    const { daemon, client, rec } = connected();
    const peer = daemon.of('peer')[0]!.conn;
    daemon.say({ t: 'reply', conn: peer, to: 999, id: 1, body: {} });
    expect(client.of('reply')).toHaveLength(0);
    expect(
      rec
        .of('connection.state')
        .filter((e) => e.to === 'invalidated')
        .map((e) => e.side),
    ).toEqual(['peer']);
  });

  it('garbage with no connection is a diagnostic and nothing else', () => {
    const { client, rec } = connected();
    const before = rec.of('connection.state').length;
    client.say({ hello: 'world' });
    expect(rec.of('diagnostic').at(-1)?.message).toMatch(/malformed message/);
    expect(rec.of('connection.state')).toHaveLength(before);
  });
});

describe('commands', () => {
  it('crash sends SIGSEGV to the helper; kill sends SIGKILL', () => {
    const { broker, daemon, client } = connected();
    expect(broker.crash(daemon.pid!)).toBe(true);
    expect(broker.kill(client.pid!)).toBe(true);
    expect(daemon.killedWith).toEqual(['SIGSEGV']);
    expect(client.killedWith).toEqual(['SIGKILL']);
    expect(broker.crash(424242)).toBe(false);
  });
});
