import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../main/trace/schema';
import { app, job, world } from '../support/fakes';
import { LiveSession } from '../support/live';

type StateEvent = Extract<TraceEvent, { kind: 'connection.state' }>;
const isState = (e: TraceEvent): e is StateEvent => e.kind === 'connection.state';

/** A client polling a slow service (so a request is always in flight), and a bystander service. */
function slowWorld() {
  return world([
    app('com.example.app', {
      behaviours: [
        {
          kind: 'poll',
          service: 'com.example.slow',
          intervalMs: 60,
          body: { selector: 'status' },
          privileged: false,
          reconnectAfterMs: 0,
        },
        {
          kind: 'poll',
          service: 'com.example.bystander',
          intervalMs: 200,
          body: { selector: 'ping' },
          privileged: false,
          reconnectAfterMs: 0,
        },
      ],
    }),
    job('com.example.slow', { behaviours: [{ kind: 'reply', delayMs: 250 }] }),
    job('com.example.bystander', { behaviours: [{ kind: 'reply', delayMs: 0 }] }),
  ]);
}

let live: LiveSession | undefined;
afterEach(() => live?.dispose());

async function clientConn(s: LiveSession, name: string): Promise<string> {
  const e = await s.waitFor(
    `a client connection to ${name}`,
    (x) => isState(x) && x.side === 'client' && x.name === name && x.to === 'connected',
  );
  return (e as StateEvent).conn;
}

describe('real helper processes', () => {
  it('a client connects by name, the service launches on demand, and replies come back', async () => {
    live = new LiveSession(slowWorld());
    const s = live;
    const conn = await clientConn(s, 'com.example.slow');
    const spawn = await s.waitFor(
      'the service to launch',
      (e) => e.kind === 'process.spawn' && e.label === 'com.example.slow',
    );
    expect(spawn).toMatchObject({ reason: 'ipc (mach)', domain: 'system' });
    const replyEvent = await s.waitFor(
      'a reply',
      (e) => e.kind === 'message' && e.dir === 'reply' && e.from === s.pidOf('com.example.slow'),
    );
    expect(replyEvent).toMatchObject({ to: s.pidOf('com.example.app') });
    expect(s.session.hub.model.state.connections[conn]?.state).toBe('connected');
  });

  it('crash → INTERRUPTED with the in-flight reply failed → relaunch on the next send; the bystander is untouched', async () => {
    live = new LiveSession(slowWorld());
    const s = live;
    const conn = await clientConn(s, 'com.example.slow');
    await s.waitFor('a request in flight', (e) => e.kind === 'message' && e.conn === conn && e.expectsReply);
    await s.waitFor(
      'the bystander to answer',
      (e) => e.kind === 'message' && e.dir === 'reply' && e.from === s.pidOf('com.example.bystander'),
    );
    const slowPid = s.pidOf('com.example.slow');
    const bystanderPid = s.pidOf('com.example.bystander');

    expect(s.session.broker.crash(slowPid)).toBe(true);

    const exit = await s.next('the crash', (e) => e.kind === 'process.exit' && e.pid === slowPid);
    expect(exit).toMatchObject({ cause: 'crash', signal: 'SIGSEGV', clean: false });
    const interrupted = await s.waitFor(
      'INTERRUPTED',
      (e) => isState(e) && e.conn === conn && e.to === 'interrupted',
    );
    expect(interrupted).toMatchObject({ error: 'XPC_ERROR_CONNECTION_INTERRUPTED', nsError: { code: 4097 } });
    const failed = await s.waitFor(
      'the pending reply to fail',
      (e) => e.kind === 'reply.failed' && e.conn === conn,
    );
    expect(failed).toMatchObject({ error: 'XPC_ERROR_CONNECTION_INTERRUPTED' });

    // The relaunch can come in the same turn as the failed replies, so it is looked for after them in the stream, not after the moment they were seen.
    const relaunch = await s.waitFor(
      'a relaunch',
      (e) => e.kind === 'process.spawn' && e.label === 'com.example.slow' && e.seq > failed.seq,
    );
    expect(relaunch).toMatchObject({ reason: 'ipc (mach)' });
    expect((relaunch as Extract<TraceEvent, { kind: 'process.spawn' }>).pid).not.toBe(slowPid);
    await s.waitFor(
      'connected again',
      (e) => isState(e) && e.conn === conn && e.from === 'interrupted' && e.to === 'connected',
    );
    await s.next(
      'replies from the new instance',
      (e) =>
        e.kind === 'message' &&
        e.dir === 'reply' &&
        e.conn !== conn &&
        e.from === s.pidOf('com.example.slow'),
    );

    expect(s.session.broker.findProc(bystanderPid)).toBeDefined();
    await s.next(
      'the bystander still answering',
      (e) => e.kind === 'message' && e.dir === 'reply' && e.from === bystanderPid,
    );
    expect(s.events.filter((e) => e.kind === 'process.exit').map((e) => (e as { pid: number }).pid)).toEqual([
      slowPid,
    ]);
  });

  it('cancel → invalidated, and it stays invalidated with no more traffic', async () => {
    live = new LiveSession(slowWorld());
    const s = live;
    const conn = await clientConn(s, 'com.example.bystander');
    await s.waitFor('traffic', (e) => e.kind === 'message' && e.conn === conn);
    expect(s.session.broker.cancelConnection(conn)).toBe(true);
    const invalid = await s.waitFor(
      'INVALID',
      (e) => isState(e) && e.conn === conn && e.to === 'invalidated',
    );
    expect(invalid).toMatchObject({
      error: 'XPC_ERROR_CONNECTION_INVALID',
      reason: 'the current process cancelled the connection by calling xpc_connection_cancel()',
    });
    const after = s.events.length;
    await new Promise((r) => setTimeout(r, 700));
    const later = s.events.slice(after);
    expect(later.filter((e) => e.kind === 'message' && e.conn === conn)).toEqual([]);
    expect(later.filter((e) => isState(e) && e.conn === conn)).toEqual([]);
    expect(s.session.hub.model.state.connections[conn]?.state).toBe('invalidated');
  });

  it('a helper that exits mid-request makes the pending reply fail with INTERRUPTED', async () => {
    live = new LiveSession(slowWorld());
    const s = live;
    const conn = await clientConn(s, 'com.example.slow');
    await s.waitFor('a request in flight', (e) => e.kind === 'message' && e.conn === conn && e.expectsReply);
    const pid = s.pidOf('com.example.slow');
    s.session.broker.kill(pid, 'SIGTERM');
    const exit = await s.next('a clean exit', (e) => e.kind === 'process.exit' && e.pid === pid);
    expect(exit).toMatchObject({ code: 0 });
    await s.waitFor(
      'the reply failure',
      (e) => e.kind === 'reply.failed' && e.conn === conn && e.error === 'XPC_ERROR_CONNECTION_INTERRUPTED',
    );
  });

  it('the service-side peer is invalidated, not interrupted, when its client crashes', async () => {
    live = new LiveSession(slowWorld());
    const s = live;
    const peer = await s.waitFor('a peer', (e) => isState(e) && e.side === 'peer' && e.to === 'connected');
    s.session.broker.crash(s.pidOf('com.example.app'));
    const end = await s.waitFor(
      'the peer to end',
      (e) =>
        isState(e) && e.conn === (peer as StateEvent).conn && e.to !== 'connected' && e.to !== 'activating',
    );
    expect(end).toMatchObject({ to: 'invalidated', error: 'XPC_ERROR_CONNECTION_INVALID' });
    expect((end as StateEvent).reason).toMatch(
      /^the client process \(pid \d+\) either cancelled the connection or exited$/,
    );
  });
});
