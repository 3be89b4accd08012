import { describe, expect, it } from 'vitest';
import { keepsAlive, throttle } from '../../main/broker/launchd/keepalive';
import { answer, app, checkIn, connected, job, setup } from './harness';

const facts = (cause: 'exit' | 'crash' | 'killed' | 'idle-exit', code: number | null = null) => ({
  cause,
  code,
  clean: cause === 'idle-exit' || (cause === 'exit' && code === 0),
  ranForMs: 0,
});

describe('KeepAlive conditions (XPC-MODEL §4.1)', () => {
  it('KeepAlive true restarts after any ending', () => {
    expect(keepsAlive({ always: true }, facts('exit', 0))).toBe(true);
  });

  it('SuccessfulExit true restarts after exit(0) only; false after any other ending', () => {
    expect(keepsAlive({ always: false, successfulExit: true }, facts('exit', 0))).toBe(true);
    expect(keepsAlive({ always: false, successfulExit: true }, facts('exit', 1))).toBe(false);
    expect(keepsAlive({ always: false, successfulExit: false }, facts('exit', 1))).toBe(true);
    expect(keepsAlive({ always: false, successfulExit: false }, facts('crash'))).toBe(true);
    expect(keepsAlive({ always: false, successfulExit: false }, facts('exit', 0))).toBe(false);
  });

  it('Crashed true restarts after a crash only; false after any other ending', () => {
    expect(keepsAlive({ always: false, crashed: true }, facts('crash'))).toBe(true);
    expect(keepsAlive({ always: false, crashed: true }, facts('exit', 1))).toBe(false);
    expect(keepsAlive({ always: false, crashed: false }, facts('exit', 1))).toBe(true);
  });

  it('conditions in a KeepAlive dictionary are ORed', () => {
    expect(keepsAlive({ always: false, successfulExit: true, crashed: true }, facts('crash'))).toBe(true);
  });

  it('ThrottleInterval pushes a respawn to the interval boundary', () => {
    expect(throttle(300, 10)).toEqual({ delayMs: 9700, ranForS: 0, pushS: 10 });
    expect(throttle(4200, 10)).toEqual({ delayMs: 5800, ranForS: 4, pushS: 6 });
    expect(throttle(10_000, 10)).toBeUndefined();
  });
});

describe('KeepAlive crash loop (XPC-MODEL §8.10)', () => {
  const daemon = (over = {}) => job('com.example.daemon', { keepAlive: { always: true }, ...over });

  it('a KeepAlive job is launched at load, speculatively', () => {
    const { rec } = setup([daemon()]);
    expect(rec.of('process.spawn')).toMatchObject([{ label: 'com.example.daemon', reason: 'speculative' }]);
  });

  it('a job that exits before ThrottleInterval is respawned at the 10-second boundary', () => {
    const { spawner, clock, rec } = setup([daemon()]);
    clock.advance(300);
    spawner.running('com.example.daemon').exit({ code: null, signal: 'SIGSEGV' });
    expect(rec.logs()).toContain(
      '(system/com.example.daemon) <Notice>: Service only ran for 0 seconds. Pushing respawn out by 10 seconds.',
    );
    expect(rec.logs()).toContain('(system/com.example.daemon) <Info>: service state: spawn scheduled');
    clock.advance(9699);
    expect(spawner.count('com.example.daemon')).toBe(1);
    clock.advance(1);
    expect(spawner.count('com.example.daemon')).toBe(2);
    expect(rec.of('process.spawn').at(-1)).toMatchObject({ reason: 'speculative' });
  });

  it('a job that ran longer than ThrottleInterval is respawned at once', () => {
    const { spawner, clock, rec } = setup([daemon()]);
    clock.advance(12_000);
    spawner.running('com.example.daemon').exit({ code: 1, signal: null });
    expect(spawner.count('com.example.daemon')).toBe(2);
    expect(rec.logs().some((l) => l.includes('Pushing respawn'))).toBe(false);
  });

  it('crashes in a row are counted; a clean exit resets the count', () => {
    const { spawner, clock, rec } = setup([daemon()]);
    spawner.running('com.example.daemon').exit({ code: null, signal: 'SIGSEGV' });
    clock.advance(10_000);
    spawner.running('com.example.daemon').exit({ code: null, signal: 'SIGSEGV' });
    clock.advance(10_000);
    spawner.running('com.example.daemon').exit({ code: 0, signal: null });
    clock.advance(10_000);
    spawner.running('com.example.daemon').exit({ code: null, signal: 'SIGSEGV' });
    const counts = rec.logs().filter((l) => l.includes('times in a row'));
    expect(counts.map((l) => l.replace(/^.*: /, ''))).toEqual([
      'service has crashed 1 times in a row (last was dirty)',
      'service has crashed 2 times in a row (last was dirty)',
      'service has crashed 1 times in a row (last was dirty)',
    ]);
  });

  it('a clean idle exit does not count as a crash for KeepAlive throttling', () => {
    const t = connected(daemon({ enablePressuredExit: true }));
    answer(t.svc);
    t.broker.pressure();
    t.svc.exit({ code: 0, signal: null });
    expect(t.rec.of('process.exit').at(-1)).toMatchObject({ cause: 'jetsam', clean: true });
    expect(t.rec.logs().some((l) => l.includes('Pushing respawn') || l.includes('times in a row'))).toBe(
      false,
    );
    t.clock.advance(60_000);
    expect(t.spawner.count('com.example.daemon')).toBe(1);
    t.client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: false });
    expect(t.rec.of('process.spawn').at(-1)).toMatchObject({
      label: 'com.example.daemon',
      reason: 'ipc (mach)',
    });
  });

  it('a job without KeepAlive is not respawned after a crash', () => {
    const { svc, clock, spawner } = connected(job('com.example.daemon'));
    svc.exit({ code: null, signal: 'SIGSEGV' });
    clock.advance(60_000);
    expect(spawner.count('com.example.daemon')).toBe(1);
  });

  it('a message for a job whose respawn is scheduled waits for the respawn, then is delivered', () => {
    const t = connected(daemon());
    answer(t.svc);
    t.svc.exit({ code: null, signal: 'SIGSEGV' });
    t.client.say({ t: 'send', conn: 'c1', id: 2, body: { selector: 'again' }, expectsReply: true });
    expect(t.spawner.count('com.example.daemon')).toBe(1);
    t.clock.advance(10_000);
    const next = t.spawner.running('com.example.daemon');
    checkIn(next);
    expect(next.of('message').at(-1)).toMatchObject({ body: { selector: 'again' } });
  });

  it('bootout cancels a scheduled respawn', () => {
    const { spawner, clock, broker } = setup([daemon()]);
    spawner.running('com.example.daemon').exit({ code: null, signal: 'SIGSEGV' });
    expect(broker.launchctl.bootout('system/com.example.daemon')).toEqual({ ok: true });
    clock.advance(60_000);
    expect(spawner.count('com.example.daemon')).toBe(1);
  });

  it('a KeepAlive job booted out is not restarted', () => {
    const { spawner, clock, broker } = setup([daemon(), app('com.example.app')]);
    broker.launchctl.bootout('system/com.example.daemon');
    const proc = spawner.running('com.example.daemon');
    expect(proc.killedWith).toEqual(['SIGTERM']);
    proc.exit({ code: 0, signal: null });
    clock.advance(60_000);
    expect(spawner.count('com.example.daemon')).toBe(1);
  });
});
