import { describe, expect, it } from 'vitest';
import { CRASH_SIGNALS } from '../../main/broker/signals';
import { importLog } from '../../main/trace/import';
import { app, job, setup } from './harness';

/** A daemon the live broker runs, then loses to `signal`: the exit event, and the launchd.log lines it wrote. */
function liveExit(signal: string) {
  const t = setup([app('com.example.app'), job('com.example.daemon', { runAtLoad: true })]);
  t.spawner.running('com.example.daemon').exit({ code: null, signal });
  const exit = t.rec.of('process.exit').find((e) => e.label === 'com.example.daemon')!;
  const launchdLog = t.rec
    .of('log')
    .filter((e) => e.process === 'launchd' && e.text.includes('com.example.daemon'))
    .map((e) => `2026-11-29 18:00:00.000000 ${e.text}`)
    .join('\n');
  return { exit, launchdLog };
}

describe('one crash-signal set for the live broker and the log importer', () => {
  it.each([...CRASH_SIGNALS])('%s is a crash, live and when the launchd.log is imported', (signal) => {
    const { exit, launchdLog } = liveExit(signal);
    expect(exit).toMatchObject({ cause: 'crash', clean: false, signal });
    const imported = importLog(launchdLog).events.filter((e) => e.kind === 'process.exit');
    expect(imported).toMatchObject([{ cause: 'crash', signal }]);
  });

  it('SIGFPE and SIGTRAP are among them; a SIGTERM nobody explained is a signal, not a crash, both ways', () => {
    expect(CRASH_SIGNALS.has('SIGFPE') && CRASH_SIGNALS.has('SIGTRAP')).toBe(true);
    const { exit, launchdLog } = liveExit('SIGTERM');
    expect(exit.cause).toBe('signal');
    expect(importLog(launchdLog).events.filter((e) => e.kind === 'process.exit')).toMatchObject([
      { cause: 'signal', signal: 'SIGTERM' },
    ]);
  });
});
