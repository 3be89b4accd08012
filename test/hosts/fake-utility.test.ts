import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeUtility, type FakeUtility, type GoneDetails } from '../support/fake-utility';

/**
 * The fake `electron` that the utility-spawner runs of test/integration rely on, held to what Electron
 * documents for utilityProcess, parentPort and MessageChannelMain.
 */

/** A utility-process program: reports what it was given, and echoes on any port it receives. */
function echoProgram(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'xpc-lab-fake-utility-')), 'echo.mjs');
  writeFileSync(
    path,
    `const parent = process.parentPort;
// Listening late: what the parent posted meanwhile must wait for this listener.
setTimeout(() => {
  parent.on('message', (e) => {
    const [port] = e.ports;
    if (port) {
      port.on('message', (m) => {
        port.postMessage({ echo: m.data });
        parent.postMessage({ echoed: m.data });
      });
      port.on('close', () => parent.postMessage({ closed: true }));
      port.start();
    }
    parent.postMessage({ got: e.data, ports: e.ports.length, send: typeof process.send });
  });
}, 200);
`,
  );
  return path;
}

type Child = ReturnType<FakeUtility['utilityProcess']['fork']>;

function collect(child: Child): unknown[] {
  const seen: unknown[] = [];
  child.on('message', (m: unknown) => seen.push(m));
  return seen;
}

let fake: FakeUtility | undefined;
afterEach(() => fake?.dispose());

describe('the fake utilityProcess', () => {
  it('queues what the parent posts until the child listens on parentPort, and gives the child no process.send', async () => {
    fake = createFakeUtility();
    const child = fake.utilityProcess.fork(echoProgram(), [], { serviceName: 'echo#1', stdio: 'ignore' });
    expect(child.pid).toBeUndefined();
    const seen = collect(child);
    child.postMessage({ n: 1 });
    child.postMessage({ n: 2, nothing: undefined });
    await expect.poll(() => seen).toHaveLength(2);
    expect(seen).toEqual([
      { got: { n: 1 }, ports: 0, send: 'undefined' },
      { got: { n: 2, nothing: undefined }, ports: 0, send: 'undefined' },
    ]);
    expect(child.pid).toBeGreaterThan(0);
  });

  it('reports a killed child as Electron does: exit with the signal number, child-process-gone "killed", no pid', async () => {
    fake = createFakeUtility();
    const gone: GoneDetails[] = [];
    fake.app.on('child-process-gone', (_e: unknown, details: GoneDetails) => gone.push(details));
    const child = fake.utilityProcess.fork(echoProgram(), [], { serviceName: 'echo#2', stdio: 'ignore' });
    const exits: number[] = [];
    child.on('exit', (code: number) => exits.push(code));
    await expect.poll(() => child.pid).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGKILL');
    await expect.poll(() => exits).toEqual([9]);
    expect(gone).toEqual([{ type: 'Utility', reason: 'killed', exitCode: 9, serviceName: 'echo#2' }]);
    expect(child.pid).toBeUndefined();
    expect(child.kill()).toBe(false);
  });

  it('reports a crash as "crashed"', async () => {
    fake = createFakeUtility();
    const gone: GoneDetails[] = [];
    fake.app.on('child-process-gone', (_e: unknown, details: GoneDetails) => gone.push(details));
    const child = fake.utilityProcess.fork(echoProgram(), [], { serviceName: 'echo#3', stdio: 'ignore' });
    await expect.poll(() => child.pid).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGSEGV');
    await expect.poll(() => gone.map((g) => g.reason)).toEqual(['crashed']);
  });
});

describe('the fake MessageChannelMain', () => {
  it('carries what was posted on one end before the other was transferred, in order, then both ways', async () => {
    fake = createFakeUtility();
    const child = fake.utilityProcess.fork(echoProgram(), [], { serviceName: 'echo#4', stdio: 'ignore' });
    const seen = collect(child);
    const { port1, port2 } = new fake.MessageChannelMain();
    // Posted at once, before the channel's sockets exist and before port2 has gone anywhere.
    port1.postMessage({ i: 1 });
    port1.postMessage({ i: 2 });
    child.postMessage({ hello: 'port' }, [port2]);
    port1.postMessage({ i: 3 });
    const echoes: unknown[] = [];
    port1.on('message', (e) => echoes.push(e.data));
    port1.start();
    await expect.poll(() => echoes).toEqual([{ echo: { i: 1 } }, { echo: { i: 2 } }, { echo: { i: 3 } }]);
    expect(seen[0]).toEqual({ got: { hello: 'port' }, ports: 1, send: 'undefined' });
    expect(fake.transfers.map((t) => t.message)).toEqual([{ hello: 'port' }]);
    // A transferred port is gone from the parent: it cannot be transferred again.
    expect(() => child.postMessage({ again: true }, [port2])).toThrow(/DataCloneError/);
  });

  it('queues messages on a port until start(), and closes it when the process holding the other end dies', async () => {
    fake = createFakeUtility();
    const child = fake.utilityProcess.fork(echoProgram(), [], { serviceName: 'echo#5', stdio: 'ignore' });
    const seen = collect(child);
    const { port1, port2 } = new fake.MessageChannelMain();
    child.postMessage({}, [port2]);
    port1.postMessage({ i: 1 });
    const echoes: unknown[] = [];
    let closed = 0;
    port1.on('message', (e) => echoes.push(e.data));
    port1.on('close', () => closed++);
    // The child has echoed (it says so after writing the echo), but port1 is not started: the echo waits.
    await expect.poll(() => seen).toContainEqual({ echoed: { i: 1 } });
    expect(echoes).toEqual([]);
    port1.start();
    await expect.poll(() => echoes).toEqual([{ echo: { i: 1 } }]);
    await expect.poll(() => child.pid).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGKILL');
    await expect.poll(() => closed).toBe(1);
  });

  it('tells the child when the parent closes its end', async () => {
    fake = createFakeUtility();
    const child = fake.utilityProcess.fork(echoProgram(), [], { serviceName: 'echo#6', stdio: 'ignore' });
    const seen = collect(child);
    const { port1, port2 } = new fake.MessageChannelMain();
    child.postMessage({}, [port2]);
    await expect.poll(() => seen).toHaveLength(1);
    port1.close();
    await expect.poll(() => seen).toContainEqual({ closed: true });
  });
});
