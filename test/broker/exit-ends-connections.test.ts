import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../main/trace/model';
import type { TraceEvent } from '../../main/trace/schema';
import { answer, app, checkIn, job, ptrOf, setup } from './harness';

function appWithWorker() {
  const t = setup([
    app('com.example.app'),
    job('com.example.app.worker', { type: 'XPCService', domainKind: 'pid', ownerLabel: 'com.example.app' }),
  ]);
  const client = t.spawner.running('com.example.app');
  client.say({ t: 'connect', conn: 'c1', name: 'com.example.app.worker', privileged: false });
  client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
  const svc = t.spawner.running('com.example.app.worker');
  checkIn(svc);
  answer(svc);
  return { ...t, client, svc, ptr: ptrOf(t.rec, client.pid!, 'com.example.app.worker') };
}

describe('a process that exits ends its own connections (XPC-MODEL §10.2)', () => {
  it('the client connection of a killed client is invalidated with no error; its peer gets INVALID naming the pid', () => {
    const { client, rec, ptr } = appWithWorker();
    client.exit({ code: null, signal: 'SIGKILL' });
    const own = rec
      .of('connection.state')
      .filter((e) => e.conn === ptr)
      .at(-1);
    expect(own).toMatchObject({ to: 'invalidated' });
    expect(own?.error).toBeUndefined();
    expect(own?.cause).toMatch(/^ended with its process: com\.example\.app\[\d+\]/);
    const peer = rec
      .of('connection.state')
      .filter((e) => e.side === 'peer')
      .at(-1);
    expect(peer).toMatchObject({ to: 'invalidated', error: 'XPC_ERROR_CONNECTION_INVALID' });
    expect(peer?.reason).toBe(
      `the client process (pid ${client.pid}) either cancelled the connection or exited`,
    );
  });

  it('a cancelled client connection: the peer names the client, never pid -1', () => {
    const { client, rec } = appWithWorker();
    client.say({ t: 'cancel', conn: 'c1' });
    const peer = rec
      .of('connection.state')
      .filter((e) => e.side === 'peer')
      .at(-1);
    expect(peer).toMatchObject({ to: 'invalidated' });
    expect(peer?.reason).toContain(`(pid ${client.pid})`);
    expect(peer?.nsError?.debugDescription ?? '').not.toContain('-1');
  });

  it('the model ends connections an exit left open, for a stream that does not say so itself', () => {
    const { rec, client, svc } = appWithWorker();
    const m = new WorldModel();
    rec.events.forEach((e, seq) => {
      if (e.kind !== 'process.exit') m.apply({ ...e, v: 1, seq, t: seq } as TraceEvent);
    });
    m.apply({
      v: 1,
      seq: 10_000,
      t: 1,
      kind: 'process.exit',
      pid: svc.pid!,
      label: 'com.example.app.worker',
      domain: `pid/${client.pid}`,
      cause: 'killed',
      code: null,
      signal: 'SIGKILL',
      ranForMs: 1,
      clean: false,
      detail: 'com.example.app.worker was killed (SIGKILL)',
    });
    const ofSvc = Object.values(m.state.connections).filter((c) => c.pid === svc.pid);
    expect(ofSvc.length).toBeGreaterThan(0);
    for (const c of ofSvc) {
      expect(c).toMatchObject({ state: 'invalidated', ownerExited: true });
      expect(c.cause).toMatch(/ended with its process/);
    }
    expect(m.state.errors).not.toHaveProperty('XPC_ERROR_CONNECTION_INVALID');
  });
});
