import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHeadless } from '../main/hosts/headless';
import { ChildProcessSpawner } from '../main/hosts/headless/child-spawner';
import { helperEntryPath } from '../main/hosts/helper-path';
import { Session } from '../main/session/session';
import type { World } from '../main/world/model';

/**
 * Round trips per second through the broker between two real helper
 * processes, against a raw relay between the same kind of processes in the
 * same run: the parent forwards each message with no broker logic.
 */
const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const IN_FLIGHT = 64;
const BODY = { selector: 'status', counter: 42, detail: 'a typical small status request' };

const RAW_PEER = `
const [role, count, window, json] = process.argv.slice(2);
if (role === 'server') {
  process.on('message', (m) => process.send({ t: 'reply', to: m.id, body: { ok: true, echo: m.body.selector } }));
} else {
  const n = Number(count), inFlight = Number(window), body = JSON.parse(json);
  let sent = 0, done = 0;
  const next = () => { if (sent < n) process.send({ t: 'send', id: sent++, body }); };
  process.on('message', () => { done++; if (done === n) { process.send({ t: 'done' }); } else next(); });
  setTimeout(() => { for (let i = 0; i < inFlight; i++) next(); }, 50);
}
`;

async function raw(): Promise<number> {
  const dir = join('bench', 'out');
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'raw-peer.mjs');
  writeFileSync(script, RAW_PEER);
  const server = fork(script, ['server'], { stdio: 'ignore', serialization: 'json' });
  const client = fork(script, ['client', String(N), String(IN_FLIGHT), JSON.stringify(BODY)], {
    stdio: 'ignore',
    serialization: 'json',
  });
  const started = performance.now();
  for (const child of [server, client]) child.on('error', () => {});
  return new Promise((resolve) => {
    server.on('message', (m: { to: number }) => client.connected && client.send(m));
    client.on('message', (m: { t: string }) => {
      if (m.t === 'done') {
        const ms = performance.now() - started - 50;
        server.kill();
        client.kill();
        resolve(ms);
      } else if (server.connected) server.send(m);
    });
  });
}

function loadWorld(): World {
  const base = {
    type: 'LaunchDaemon' as const,
    domainKind: 'system' as const,
    path: 'bench',
    runAtLoad: false,
    keepAlive: { always: false },
    throttleIntervalS: 10,
    exitTimeOutS: 20,
    signing: { anchor: 'developer-id' as const, notarized: false },
    entitlements: {},
    sandbox: { enabled: false, machLookup: [], machRegister: [], appGroups: [] },
  };
  return {
    name: 'bench',
    root: 'bench',
    uid: 501,
    // The broker's own throughput, not the per-helper budget (docs/security.md, Quotas), which would throttle it.
    quota: { messagesPerSecond: 1_000_000, bytesPerSecond: 1024 * 1024 * 1024 },
    jobs: [
      {
        ...base,
        label: 'com.bench.client',
        type: 'App',
        domainKind: 'gui',
        program: '/bench/client',
        machServices: [],
        behaviours: [
          {
            kind: 'load',
            service: 'com.bench.server',
            messages: N,
            inFlight: IN_FLIGHT,
            body: BODY,
            privileged: false,
          },
        ],
      },
      {
        ...base,
        label: 'com.bench.server',
        program: '/bench/server',
        machServices: [{ name: 'com.bench.server', hideUntilCheckIn: false, origin: 'MachServices' }],
        behaviours: [{ kind: 'reply', delayMs: 0 }],
      },
    ],
  };
}

async function brokered(capture: boolean): Promise<{ ms: number; heapMb: number }> {
  const spawner = new ChildProcessSpawner(helperEntryPath());
  const session = new Session({ world: loadWorld(), spawner, host: 'headless', windowSize: 50_000 });
  session.broker.capturePayloads = capture;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    session.hub.subscribe((e) => {
      if (e.kind === 'message' && first === 0) first = performance.now();
      if (e.kind === 'log' && e.text.startsWith('load done')) resolve(performance.now());
    });
  });
  session.start();
  const end = await done;
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  session.dispose();
  spawner.dispose();
  return { ms: end - first, heapMb };
}

async function firstConnected(): Promise<number> {
  const started = performance.now();
  const host = await startHeadless({});
  const ms = await new Promise<number>((resolve) => {
    host.session.hub.subscribe((e) => {
      if (e.kind === 'connection.state' && e.side === 'client' && e.to === 'connected')
        resolve(performance.now() - started);
    });
  });
  await host.stop();
  return ms;
}

const rate = (ms: number) => Math.round((N / ms) * 1000);
const rawMs = await raw();
const on = await brokered(true);
const off = await brokered(false);
const startup = await firstConnected();
const lines = [
  `broker throughput (${N} request/reply round trips, ${IN_FLIGHT} in flight, 2 real helper processes)`,
  `  raw relay baseline      ${rate(rawMs).toLocaleString()} round trips/s`,
  `  broker, capture on      ${rate(on.ms).toLocaleString()} round trips/s  (ratio ${(rawMs / on.ms).toFixed(2)} of raw, heap ${on.heapMb.toFixed(0)} MB)`,
  `  broker, capture off     ${rate(off.ms).toLocaleString()} round trips/s  (ratio ${(rawMs / off.ms).toFixed(2)} of raw, heap ${off.heapMb.toFixed(0)} MB)`,
  `serve → first connected connection (demo world, headless host): ${startup.toFixed(0)} ms`,
];
process.stdout.write(`${lines.join('\n')}\n`);
