import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Broker } from '../../main/broker/broker';
import type { ProcessExit } from '../../main/broker/spawner';
import { UtilityProcessSpawner } from '../../main/hosts/electron/utility-spawner';
import { SCHEMA_VERSION, TraceEventSchema } from '../../main/trace/schema';
import { app, FakeClock, job, Recorder, world } from '../support/fakes';

/** The `utilityProcess` of a fake `electron` module: each fork is a child the test ends by hand. */
function fakeUtility() {
  const children: FakeChild[] = [];
  class FakeChild extends EventEmitter {
    pid = 41_000 + children.length;
    serviceName = '';
    posted: unknown[] = [];
    postMessage(m: unknown) {
      this.posted.push(m);
    }
    kill() {
      return true;
    }
  }
  const utilityProcess = {
    fork: (_path: string, _args: string[], options: { serviceName: string }) => {
      const child = new FakeChild();
      child.serviceName = options.serviceName;
      children.push(child);
      queueMicrotask(() => child.emit('spawn'));
      return child;
    },
  };
  return { utilityProcess: utilityProcess as never, children };
}

const turn = () => new Promise((r) => setImmediate(r));

let signalled: { pid: number; signal: string | number | undefined }[] = [];
beforeEach(() => {
  signalled = [];
  vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
    signalled.push({ pid, signal });
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

/** Spawns one helper, lets Electron report it gone with `reason`, and returns the exit the broker is told of. */
async function exitFor(reason: string | undefined, code: number): Promise<ProcessExit> {
  const { utilityProcess, children } = fakeUtility();
  const spawner = new UtilityProcessSpawner(utilityProcess, '/fake/entry.mjs');
  const exits: ProcessExit[] = [];
  const request = { label: 'com.example.svc', serviceName: 'com.example.svc#1', env: {} };
  spawner.spawn(request, { onSpawn: () => {}, onMessage: () => {}, onExit: (e) => exits.push(e) });
  const child = children[0]!;
  if (reason) {
    spawner.onChildProcessGone({ type: 'Utility', reason, exitCode: code, serviceName: child.serviceName });
  }
  child.emit('exit', code);
  expect(exits).toEqual([]);
  await turn();
  expect(exits).toHaveLength(1);
  return exits[0]!;
}

describe('the utility spawner tells the broker how a helper went', () => {
  it.each([
    ['crashed', 11, { code: null, signal: 'SIGSEGV', goneReason: 'crashed' }],
    ['killed', 9, { code: null, signal: 'SIGKILL', goneReason: 'killed' }],
    ['oom', 9, { code: null, signal: 'SIGKILL', goneReason: 'oom' }],
    ['clean-exit', 0, { code: 0, signal: null, goneReason: 'clean-exit' }],
    ['abnormal-exit', 3, { code: 3, signal: null, goneReason: 'abnormal-exit' }],
    [
      'launch-failed',
      1,
      { code: null, signal: null, launchError: 'launch-failed', goneReason: 'launch-failed' },
    ],
    ['a-reason-no-electron-documents', 4, { code: 4, signal: null }],
    [undefined, 0, { code: 0, signal: null }],
  ])('child-process-gone %s, exit code %i', async (reason, code, expected) => {
    expect(await exitFor(reason, code)).toEqual(expected);
  });

  it('a child-process-gone for another kind of process, or another helper, changes nothing', async () => {
    const { utilityProcess, children } = fakeUtility();
    const spawner = new UtilityProcessSpawner(utilityProcess, '/fake/entry.mjs');
    const exits: ProcessExit[] = [];
    spawner.spawn(
      { label: 'a', serviceName: 'a#1', env: {} },
      { onSpawn: () => {}, onMessage: () => {}, onExit: (e) => exits.push(e) },
    );
    spawner.onChildProcessGone({ type: 'GPU', reason: 'oom', exitCode: 9, serviceName: 'a#1' });
    spawner.onChildProcessGone({ type: 'Utility', reason: 'oom', exitCode: 9, serviceName: 'b#1' });
    children[0]!.emit('exit', 0);
    await turn();
    expect(exits).toEqual([{ code: 0, signal: null }]);
  });

  it('dispose ends every helper still running with SIGKILL, and leaves the exited ones alone', async () => {
    const { utilityProcess, children } = fakeUtility();
    const spawner = new UtilityProcessSpawner(utilityProcess, '/fake/entry.mjs');
    const callbacks = { onSpawn: () => {}, onMessage: () => {}, onExit: () => {} };
    const handles = ['a', 'b', 'c'].map((l) =>
      spawner.spawn({ label: l, serviceName: `${l}#1`, env: {} }, callbacks),
    );
    children[1]!.emit('exit', 0);
    expect(handles[1]!.kill('SIGKILL')).toBe(false);
    spawner.dispose();
    expect(signalled).toEqual([
      { pid: children[0]!.pid, signal: 'SIGKILL' },
      { pid: children[2]!.pid, signal: 'SIGKILL' },
    ]);
  });
});

describe('an Electron exit reason in the broker', () => {
  async function brokerWith(reason: string, code: number) {
    const { utilityProcess, children } = fakeUtility();
    const spawner = new UtilityProcessSpawner(utilityProcess, '/fake/entry.mjs');
    const rec = new Recorder();
    const broker = new Broker({
      world: world([app('com.example.app'), job('com.example.daemon', { runAtLoad: true })]),
      spawner,
      clock: new FakeClock(),
      emit: rec.emit,
    });
    broker.start();
    await turn();
    const child = children.find((c) => c.serviceName.startsWith('com.example.daemon#'))!;
    spawner.onChildProcessGone({ type: 'Utility', reason, exitCode: code, serviceName: child.serviceName });
    child.emit('exit', code);
    await turn();
    broker.dispose();
    return rec.of('process.exit').find((e) => e.label === 'com.example.daemon')!;
  }

  it('oom reads as jetsam: the process ran out of memory, it was not killed', async () => {
    const exit = await brokerWith('oom', 9);
    expect(exit).toMatchObject({ cause: 'jetsam', clean: false, signal: 'SIGKILL', goneReason: 'oom' });
    expect(TraceEventSchema.safeParse({ ...exit, v: SCHEMA_VERSION, seq: 1, t: 0 }).success).toBe(true);
    expect(exit.detail).toMatch(
      /^com\.example\.daemon\[\d+\] was killed by jetsam: it ran out of memory \(oom\)$/,
    );
  });

  it('killed reads as killed, crashed as a crash', async () => {
    expect(await brokerWith('killed', 9)).toMatchObject({ cause: 'killed', goneReason: 'killed' });
    expect(await brokerWith('crashed', 11)).toMatchObject({ cause: 'crash', goneReason: 'crashed' });
  });
});
