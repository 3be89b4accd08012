import { describe, expect, it } from 'vitest';
import { app, checkIn, connected, job, setup } from './harness';

const daemon = () => job('com.example.daemon', { exitTimeOutS: 5 });

describe('how a process ends (XPC-MODEL §4.2)', () => {
  it('closing the broker gives every waiting request, sent or queued for a check-in, its INVALID once', () => {
    const t = connected(daemon(), [job('com.example.late')]);
    t.client.say({ t: 'connect', conn: 'c2', name: 'com.example.late', privileged: false });
    t.client.say({ t: 'send', conn: 'c2', id: 7, body: { a: 1 }, expectsReply: true });
    t.client.say({ t: 'send', conn: 'c2', id: 8, body: { a: 2 }, expectsReply: false });
    const late = t.spawner.running('com.example.late');
    t.broker.dispose();
    const cause = 'the broker shut down and ended every helper';
    expect(t.client.of('replyError')).toEqual([
      { t: 'replyError', conn: 'c1', to: 1, error: 'XPC_ERROR_CONNECTION_INVALID' },
      { t: 'replyError', conn: 'c2', to: 7, error: 'XPC_ERROR_CONNECTION_INVALID' },
    ]);
    expect(t.rec.of('reply.failed').map((e) => [e.error, e.cause])).toEqual([
      ['XPC_ERROR_CONNECTION_INVALID', cause],
      ['XPC_ERROR_CONNECTION_INVALID', cause],
    ]);
    for (const p of [t.client, t.svc, late]) expect(p.killedWith).toEqual(['SIGKILL']);
    // The exits that follow find nothing left to fail, and a late check-in nothing to deliver.
    checkIn(late);
    for (const p of [t.svc, late, t.client]) p.exit({ code: null, signal: 'SIGKILL' });
    expect(t.rec.of('reply.failed')).toHaveLength(2);
    expect(late.of('message')).toEqual([]);
  });

  it('a process that exits after SIGTERM gets no SIGKILL when its ExitTimeOut passes', () => {
    const t = connected(daemon());
    t.broker.kill(t.svc.pid!, 'SIGTERM');
    t.svc.exit({ code: 0, signal: null });
    t.clock.advance(10_000);
    expect(t.svc.killedWith).toEqual(['SIGTERM']);
    expect(t.rec.of('action').filter((a) => a.detail?.startsWith('SIGKILL'))).toEqual([]);
  });

  it('one still running after SIGTERM gets SIGKILL at its ExitTimeOut, and the console is told', () => {
    const t = connected(daemon());
    t.broker.kill(t.svc.pid!, 'SIGTERM');
    t.clock.advance(4_999);
    expect(t.svc.killedWith).toEqual(['SIGTERM']);
    t.clock.advance(1);
    expect(t.svc.killedWith).toEqual(['SIGTERM', 'SIGKILL']);
    expect(t.rec.of('action').at(-1)).toMatchObject({
      action: 'kill',
      detail: 'SIGKILL: still running 5 s after SIGTERM (its ExitTimeOut)',
    });
  });

  it('closing the broker while a SIGTERM waits sends SIGKILL now and nothing later', () => {
    const t = connected(daemon());
    t.broker.kill(t.svc.pid!, 'SIGTERM');
    t.broker.dispose();
    t.clock.advance(10_000);
    expect(t.svc.killedWith).toEqual(['SIGTERM', 'SIGKILL']);
    expect(t.rec.of('action').filter((a) => a.detail?.startsWith('SIGKILL'))).toEqual([]);
  });

  it('a bootout ends the process once, explained as a bootout, whichever way it is asked', () => {
    const t = setup([app('com.example.app'), job('com.example.daemon', { runAtLoad: true })]);
    const svc = t.spawner.running('com.example.daemon');
    const proc = t.broker.findProc(svc.pid!)!;
    t.broker.launchd.end(proc, 'was booted out by the installer');
    t.broker.launchd.end(proc, 'again');
    svc.exit({ code: null, signal: 'SIGKILL' });
    expect(svc.killedWith).toEqual(['SIGKILL']);
    expect(t.rec.of('process.exit')).toMatchObject([
      { cause: 'killed', detail: `com.example.daemon[${svc.pid}] was booted out by the installer` },
    ]);
  });
});
