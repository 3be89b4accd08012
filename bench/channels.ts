import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ChildProcessSpawner } from '../main/hosts/headless/child-spawner';
import { startHeadlessServer } from '../main/hosts/headless/server';
import { helperEntryPath } from '../main/hosts/helper-path';
import { demoWorldPath, rendererDir } from '../main/hosts/paths';
import { Session } from '../main/session/session';
import { recordSource } from '../main/trace/live-recording';
import type { TraceEvent } from '../main/trace/schema';
import { loadWorld } from '../main/world/load';
import type { Behaviour, JobSpec, World } from '../main/world/model';
import { launchChromium, SCREENSHOTS } from '../test/support/browser';

/**
 * The broker against a direct channel between two helper-like
 * processes that hold one socket, as a Mach port is held, in the same run.
 *
 *   rtt      round trips/s and p50/p99 round-trip time: direct channel, raw relay, broker capture off / on
 *   console  a world feeding ~20k msg/s with the console's message list open and scrolling in Chromium
 *   upgrade  1,000 connected clients of the network extension through an app upgrade, against a kill
 *   scale    200 helpers holding 10,000 connections: the main process's CPU and memory, the console's frames
 *
 * BENCH_ONLY=rtt,upgrade picks parts; the knobs below make each one small for a smoke run.
 * Everything XPC Lab does is driven through its public surface (Session, the
 * headless server, worlds with built-in behaviours), so the figures follow the
 * broker whatever it does inside.
 */
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ONLY = (process.env.BENCH_ONLY ?? 'rtt,console,upgrade,scale').split(',');
const RTT_MESSAGES = env('BENCH_MESSAGES', 20_000);
const IN_FLIGHT = 64;
const FEED_RATE = env('BENCH_FEED_RATE', 20_000);
const FEED_SECONDS = env('BENCH_FEED_SECONDS', 20);
const IDLE_SECONDS = env('BENCH_IDLE_SECONDS', 5);
const UPGRADE_CLIENTS = env('BENCH_UPGRADE_CLIENTS', 10);
const UPGRADE_CONNECTIONS = env('BENCH_UPGRADE_CONNECTIONS', 100);
const SCALE_HELPERS = env('BENCH_SCALE_HELPERS', 200);
const SCALE_CONNECTIONS = env('BENCH_SCALE_CONNECTIONS', 10_000);
const SCALE_SECONDS = env('BENCH_SCALE_SECONDS', 10);
const SCALE_SHOW_SECONDS = env('BENCH_SCALE_SHOW_SECONDS', 180);
const SCALE_UP_SECONDS = env('BENCH_SCALE_UP_SECONDS', 420);
const BODY = { selector: 'status', counter: 42, detail: 'a typical small status request' };

const OUT = join('bench', 'out');
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stderr.write(`${line}\n`);
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wallMs = () => performance.timeOrigin + performance.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};

/** Samples the 1-minute load average every 5 s while a part runs: the machine is shared. */
const loads: number[] = [];
const loadSampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 5000);

// ---------------------------------------------------------------- rtt

/**
 * A helper-like process: the client side runs the same loop as the `load`
 * behaviour (one warm-up round trip, then `count` requests with `window` in
 * flight, each timed), over either a socket the parent handed it or the
 * parent's IPC channel.
 */
const PEER = `
const [role, mode, count, window, json] = process.argv.slice(2);
let write;
function serve(m) { write({ t: 'reply', to: m.id, body: { ok: true, handledBy: 'server', echo: m.body.selector } }); }
function client() {
  const n = Number(count), inFlight = Number(window), body = JSON.parse(json);
  const times = new Float64Array(n), at = new Map();
  let sent = 0, done = 0, started = 0;
  const one = () => { const id = sent++; at.set(id, performance.now()); write({ t: 'send', id, body }); };
  const next = () => { if (sent < n) one(); };
  return (m) => {
    if (m.to === -1) { started = performance.now(); for (let i = 0; i < inFlight; i++) next(); return; }
    times[m.to] = performance.now() - at.get(m.to); at.delete(m.to); done++;
    if (done === n) {
      const ms = performance.now() - started; times.sort();
      const p = (q) => times[Math.min(n - 1, Math.ceil(q * n) - 1)];
      process.send({ t: 'done', ms, p50: p(0.5), p99: p(0.99) });
    } else next();
  };
}
const handle = role === 'server' ? serve : client();
const warmUp = () => write({ t: 'send', id: -1, body: JSON.parse(json) });
if (mode === 'relay') {
  write = (m) => process.send(m);
  process.on('message', (m) => { if (m.t === 'go') warmUp(); else handle(m); });
} else {
  process.on('message', (m, socket) => {
    if (m !== 'socket' || !socket) return;
    socket.setNoDelay(true);
    write = (m) => socket.write(JSON.stringify(m) + '\\n');
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\\n')) >= 0) { handle(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    });
    socket.on('error', () => {});
    if (role === 'client') warmUp();
    else process.send({ t: 'ready' });
  });
}
`;

interface Rtt {
  ms: number;
  p50: number;
  p99: number;
}

function peers(mode: 'direct' | 'relay'): { server: ChildProcess; client: ChildProcess } {
  mkdirSync(OUT, { recursive: true });
  const script = join(OUT, 'channel-peer.mjs');
  writeFileSync(script, PEER);
  const args = [mode, String(RTT_MESSAGES), String(IN_FLIGHT), JSON.stringify(BODY)];
  const opts = { stdio: 'ignore' as const, serialization: 'json' as const };
  const server = fork(script, ['server', ...args], opts);
  const client = fork(script, ['client', ...args], opts);
  for (const child of [server, client]) child.on('error', () => {});
  return { server, client };
}

/** Two processes on one connected Unix socket: the parent makes the pair, hands each end over and steps aside. */
async function direct(): Promise<Rtt> {
  const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-bench-'));
  const path = join(dir, 'pair.sock');
  const listener = createServer({ pauseOnConnect: true });
  await new Promise<void>((r) => listener.listen(path, r));
  const accepted = new Promise<Socket>((r) => listener.once('connection', r));
  const near = createConnection({ path });
  await new Promise<void>((r) => near.once('connect', () => r()));
  near.pause();
  const far = await accepted;
  const { server, client } = peers('direct');
  const ready = new Promise<void>((r) => server.once('message', () => r()));
  server.send('socket', far);
  await ready;
  const done = new Promise<Rtt>((r) =>
    client.on('message', (m: Rtt & { t: string }) => m.t === 'done' && r(m)),
  );
  client.send('socket', near);
  listener.close();
  const result = await done;
  server.kill();
  client.kill();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** The same processes, every message forwarded by the parent over the two IPC channels with no broker logic. */
async function relay(): Promise<Rtt> {
  const { server, client } = peers('relay');
  const result = await new Promise<Rtt>((resolve) => {
    server.on('message', (m) => client.connected && client.send(m));
    client.on('message', (m: Rtt & { t: string }) => {
      if (m.t === 'done') resolve(m);
      else if (server.connected) server.send(m);
    });
    client.send({ t: 'go' });
  });
  server.kill();
  client.kill();
  return result;
}

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

function server(label: string, behaviours: Behaviour[] = [{ kind: 'reply', delayMs: 0 }]): JobSpec {
  return {
    ...base,
    label,
    program: `/bench/${label}`,
    machServices: [{ name: label, hideUntilCheckIn: false, origin: 'MachServices' }],
    behaviours,
  };
}

function client(label: string, behaviours: Behaviour[], runAtLoad = true): JobSpec {
  return {
    ...base,
    label,
    type: 'App',
    domainKind: 'gui',
    program: `/bench/${label}`,
    machServices: [],
    runAtLoad,
    behaviours,
  };
}

function benchWorld(name: string, jobs: JobSpec[]): World {
  return {
    name,
    root: 'bench',
    uid: 501,
    // The broker's own throughput, not the per-helper budget (docs/security.md, Quotas), which would throttle it.
    quota: { messagesPerSecond: 1_000_000, bytesPerSecond: 1024 * 1024 * 1024 },
    jobs,
  };
}

/** A live session over real helpers, with the log lines its helpers write. */
class Live {
  readonly spawner = new ChildProcessSpawner(helperEntryPath());
  readonly session: Session;
  private readonly waiters: { test: (e: TraceEvent) => boolean; resolve: (e: TraceEvent) => void }[] = [];
  readonly logs: string[] = [];

  constructor(world: World, capturePayloads = false) {
    this.session = new Session({ world, spawner: this.spawner, host: 'headless', windowSize: 50_000 });
    this.session.broker.capturePayloads = capturePayloads;
    // Capture off: counts and sizes only travel from the helpers (docs/design.md, Performance shape).
    this.session.broker.captureCountsOnly = !capturePayloads;
    this.session.hub.subscribe((e) => {
      if (e.kind === 'log') this.logs.push(e.text);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w?.test(e)) {
          this.waiters.splice(i, 1);
          w.resolve(e);
        }
      }
    });
  }

  next(test: (e: TraceEvent) => boolean, what: string, ms = 300_000): Promise<TraceEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Resolves once `count` helpers have logged a line starting with `prefix`, with those lines. */
  async logged(prefix: string, count: number, what: string, ms = 300_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const seen = this.logs.filter((l) => l.startsWith(prefix));
      if (seen.length >= count) return seen;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what} (${seen.length} of ${count})`);
      await sleep(20);
    }
  }

  dispose(): void {
    this.session.dispose();
    this.spawner.dispose();
  }
}

const LOAD_DONE = /^load done: (\d+) replies in (\d+) ms; round trip p50 ([\d.]+) ms, p99 ([\d.]+) ms/;

async function brokered(capture: boolean): Promise<Rtt> {
  const live = new Live(
    benchWorld('bench rtt', [
      client('com.bench.client', [
        {
          kind: 'load',
          service: 'com.bench.server',
          messages: RTT_MESSAGES,
          inFlight: IN_FLIGHT,
          body: BODY,
          privileged: false,
        },
      ]),
      server('com.bench.server'),
    ]),
    capture,
  );
  // Capture on is what `serve` does by default: payloads in the stream, and the stream recorded to a trace.
  const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-bench-trace-'));
  const recorder = capture
    ? recordSource(live.session, { dir, host: 'headless', world: 'bench rtt' })
    : undefined;
  live.session.start();
  const [line = ''] = await live.logged('load done', 1, 'the load to finish');
  live.dispose();
  await recorder?.close();
  rmSync(dir, { recursive: true, force: true });
  const m = LOAD_DONE.exec(line);
  if (!m) throw new Error(`the client said: ${line}`);
  return { ms: Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

async function rtt(): Promise<void> {
  const atStart = load();
  const d = await direct();
  const r = await relay();
  const off = await brokered(false);
  const on = await brokered(true);
  const rate = (x: Rtt) => (RTT_MESSAGES / x.ms) * 1000;
  say(
    `round trips: ${fmt(RTT_MESSAGES)} request/reply, ${IN_FLIGHT} in flight, the same small body, 2 processes; timed by the client (load average ${atStart} at start, ${load()} at end)`,
  );
  say(
    '  path                                      round trips/s  vs direct   p50 ms   p99 ms  p99 vs direct',
  );
  const row = (name: string, x: Rtt, target = '') =>
    say(
      `  ${name.padEnd(40)}  ${fmt(rate(x)).padStart(13)}  ${(rate(x) / rate(d)).toFixed(2).padStart(8)}  ${x.p50.toFixed(2).padStart(7)}  ${x.p99.toFixed(2).padStart(7)}  ${(x.p99 / d.p99).toFixed(2).padStart(12)}x${target}`,
    );
  row('direct channel (one socket, both ends held)', d);
  row('raw relay through the parent', r);
  row('XPC Lab broker, capture off', off, '   target ≥0.80, p99 ≤2x');
  row('XPC Lab broker, capture on, recorded', on, '   target ≥0.50, p99 ≤2x');
}

// ---------------------------------------------------------------- console pages

/** A rAF probe, and a scroller that sweeps the element at `selector` up and down 90 px a frame. */
async function instrument(page: Page, selector: string): Promise<void> {
  await page.evaluate((css) => {
    const w = window as unknown as { __frames: number[]; __dir: number };
    w.__frames = [];
    w.__dir = -1;
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      const el = document.querySelector<HTMLElement>(css);
      if (el) {
        el.scrollTop += w.__dir * 90;
        if (el.scrollTop <= 0) w.__dir = 1;
        else if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) w.__dir = -1;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, selector);
}

async function frames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[] };
    const out = w.__frames.slice(1);
    w.__frames = [];
    return out;
  });
}

/** What the header shows: messages, and the dropped counter with what it is made of. */
async function header(page: Page) {
  return page.evaluate(() => {
    const summary = document.querySelector('[aria-label="Summary"]');
    const dropped = summary?.querySelector('[data-dropped]');
    const b = [...(summary?.querySelectorAll('b') ?? [])].map((x) =>
      Number((x.textContent ?? '').replace(/,/g, '')),
    );
    return {
      connected: b[1] ?? 0,
      interrupted: b[2] ?? 0,
      invalidated: b[3] ?? 0,
      dropped: Number(dropped?.getAttribute('data-dropped') ?? 0),
      lost: Number(dropped?.getAttribute('data-lost') ?? 0),
      windowDropped: Number(dropped?.getAttribute('data-window-dropped') ?? 0),
      shown: (dropped?.textContent ?? '').trim(),
    };
  });
}

async function messagesInWindow(page: Page): Promise<number> {
  const text = (await page.getByLabel('Message count').textContent()) ?? '';
  const all = /of ([\d,]+) messages/.exec(text)?.[1] ?? /^([\d,]+) messages/.exec(text)?.[1] ?? '0';
  return Number(all.replace(/,/g, ''));
}

async function withConsole<T>(
  session: Session,
  body: (page: Page, browser: Browser) => Promise<T>,
): Promise<T> {
  const server = await startHeadlessServer({ session, rendererDir: rendererDir() });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('.status-live');
    const result = await body(page, browser);
    if (errors.length > 0) say(`  page errors: ${errors.slice(0, 3).join(' | ')}`);
    return result;
  } finally {
    await browser?.close();
    await server.close();
  }
}

// ---------------------------------------------------------------- console at 20k msg/s

async function consoleFeed(): Promise<void> {
  // Round trips make two messages each; two clients share the rate.
  const perClient = FEED_RATE / 2 / 2;
  const messages = Math.round(perClient * FEED_SECONDS);
  const feeder = (n: number) =>
    client(`com.bench.feeder${n}`, [
      {
        kind: 'load',
        service: 'com.bench.server',
        messages,
        inFlight: 256,
        body: BODY,
        privileged: false,
        ratePerSecond: perClient,
      },
    ]);
  const live = new Live(benchWorld('bench feed', [server('com.bench.server'), feeder(1), feeder(2)]), true);
  let hubMessages = 0;
  live.session.hub.subscribe((e) => {
    if (e.kind === 'message') hubMessages++;
  });
  const atStart = load();
  try {
    await withConsole(live.session, async (page, browser) => {
      await page.getByRole('tab', { name: 'Messages' }).click();
      await page.getByLabel('Capture window').selectOption('1000000');
      await instrument(page, '[aria-label="Messages"]');
      await sleep(500);
      await frames(page);
      // Idle: the page open and scrolling an empty list, before the world starts.
      await sleep(IDLE_SECONDS * 1000);
      const idle = await frames(page);
      live.session.start();
      const started = performance.now();
      // Each feeder's warm-up round trip and its load, two messages a round trip.
      const expected = 2 * 2 * (messages + 1);
      const samples: { t: number; n: number }[] = [];
      const done = live.logged('load done', 2, 'both feeders to finish', (FEED_SECONDS * 10 + 60) * 1000);
      let feedMs = 0;
      void done.then(() => {
        feedMs = performance.now() - started;
      });
      let busy: number[] = [];
      const deadline = performance.now() + (FEED_SECONDS * 10 + 90) * 1000;
      for (;;) {
        const n = await messagesInWindow(page);
        samples.push({ t: performance.now(), n });
        if (feedMs > 0 && busy.length === 0) busy = await frames(page);
        if ((n >= expected && feedMs > 0) || performance.now() > deadline) break;
        await sleep(250);
      }
      if (busy.length === 0) busy = await frames(page);
      const doneLines = await done;
      await page.screenshot({ path: join(SCREENSHOTS, 'bench-console-feed.png') });
      const shown = await messagesInWindow(page);
      const h = await header(page);
      const first = samples.find((x) => x.n > 0);
      const full = samples.find((x) => x.n >= shown);
      const pageRate =
        first && full && full.t > first.t ? ((full.n - first.n) / (full.t - first.t)) * 1000 : 0;
      const clientRate = doneLines.reduce((sum, l) => {
        const m = LOAD_DONE.exec(l);
        return sum + (m ? (2 * Number(m[1])) / (Number(m[2]) / 1000) : 0);
      }, 0);
      say(
        `console attached, Messages list open and scrolling 90 px a frame, a world feeding ${fmt(FEED_RATE)} msg/s (2 clients' paced round trips, payloads captured) for ${FEED_SECONDS} s`,
      );
      say(
        `  Chromium ${browser.version()} headless, software rendering; ${cpus().length} CPUs, load average ${atStart} at start, ${load()} at end`,
      );
      say(
        `  sent by the clients ${fmt(clientRate)} msg/s · the broker emitted ${fmt(hubMessages)} messages in ${(feedMs / 1000).toFixed(1)} s · the page's count rose at ${fmt(pageRate)} msg/s`,
      );
      say(
        `  the page holds ${fmt(shown)} of ${fmt(hubMessages)} messages; header shows "${h.shown}" (lost in the stream ${h.lost}, pushed out of the window ${h.windowDropped})`,
      );
      const i95 = pct(idle, 95);
      const b95 = pct(busy, 95);
      say(
        `  frame p50/p95: idle ${pct(idle, 50).toFixed(1)}/${i95.toFixed(1)} ms · feeding ${pct(busy, 50).toFixed(1)}/${b95.toFixed(1)} ms · p95 ${(b95 / i95).toFixed(2)}x idle`,
      );
    });
  } finally {
    live.dispose();
  }
}

// ---------------------------------------------------------------- upgrade with 1,000 clients

const TUNNEL = 'ABCDE12345.com.acme.vpn.tunnel';
const HOLD_ERRORS = /last handler at ([\d.]+) \(INTERRUPTED (\d+), INVALID (\d+)\)/;

/** The demo world with UPGRADE_CLIENTS daemons each holding UPGRADE_CONNECTIONS connections to its network extension. */
function upgradeWorld(): World {
  const { world } = loadWorld(resolve(demoWorldPath()));
  for (let i = 1; i <= UPGRADE_CLIENTS; i++) {
    world.jobs.push({
      ...base,
      label: `com.bench.tunnel-client${i}`,
      program: `/usr/local/libexec/bench-client${i}`,
      path: `Library/LaunchDaemons/com.bench.tunnel-client${i}.plist`,
      machServices: [],
      runAtLoad: true,
      behaviours: [
        {
          kind: 'hold',
          service: TUNNEL,
          connections: UPGRADE_CONNECTIONS,
          body: { selector: 'tunnelStatus' },
          privileged: true,
          everyMs: 0,
        },
      ],
    });
  }
  world.quota = { messagesPerSecond: 1_000_000, bytesPerSecond: 1024 * 1024 * 1024 };
  return world;
}

interface Fanout {
  clientsMs: number;
  brokerMs: number;
  pageMs: number;
  interrupted: number;
  invalid: number;
  shown: number;
}

/** Runs `act` once every held connection is up, and times the fan-out of errors to the clients and to the page. */
async function fanout(name: string, act: (live: Live) => Promise<void>): Promise<Fanout> {
  const total = UPGRADE_CLIENTS * UPGRADE_CONNECTIONS;
  const live = new Live(upgradeWorld());
  const clientConns = new Set<string>();
  let brokerLast = 0;
  let brokerSeen = 0;
  const erred = new Set<string>();
  live.session.hub.subscribe((e) => {
    if (e.kind !== 'connection.state' || e.side !== 'client' || e.name !== TUNNEL) return;
    if (e.to === 'connected') clientConns.add(e.conn);
    if ((e.to === 'interrupted' || e.to === 'invalidated') && clientConns.has(e.conn) && !erred.has(e.conn)) {
      erred.add(e.conn);
      brokerSeen++;
      brokerLast = wallMs();
    }
  });
  try {
    return await withConsole(live.session, async (page) => {
      live.session.start();
      await live.logged('hold up', UPGRADE_CLIENTS, 'every client to hold its connections');
      // The page must show every connection up before anything is timed.
      await page.waitForFunction(
        (n) => {
          const b = document.querySelectorAll('[aria-label="Summary"] b');
          return Number((b[1]?.textContent ?? '0').replace(/,/g, '')) >= n;
        },
        total,
        { timeout: 120_000, polling: 100 },
      );
      await sleep(1000);
      const before = await header(page);
      // The page stamps each frame in which the header's count of failed connections changes.
      await page.evaluate(() => {
        const w = window as unknown as { __changes: [number, number][] };
        w.__changes = [];
        let last = -1;
        const tick = () => {
          const b = document.querySelectorAll('[aria-label="Summary"] b');
          const count = [2, 3].reduce(
            (sum, i) => sum + Number((b[i]?.textContent ?? '0').replace(/,/g, '')),
            0,
          );
          if (count !== last) w.__changes.push([count, performance.timeOrigin + performance.now()]);
          last = count;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      const errorsBefore = live.logs.filter((l) => l.startsWith('hold errors')).length;
      const t0 = wallMs();
      await act(live);
      const reports = (
        await live.logged(
          'hold errors',
          errorsBefore + UPGRADE_CLIENTS,
          'every client to see its errors',
          60_000,
        )
      ).slice(errorsBefore);
      const stamps = reports.map((l) => HOLD_ERRORS.exec(l));
      // The header has shown everything once it holds its final count, at least one per held connection.
      await page.waitForFunction(
        (n) => {
          const changes = (window as unknown as { __changes: [number, number][] }).__changes;
          return (changes.at(-1)?.[0] ?? 0) >= n;
        },
        before.interrupted + before.invalidated + total,
        { timeout: 60_000, polling: 100 },
      );
      await sleep(1000);
      await page.screenshot({ path: join(SCREENSHOTS, `bench-fanout-${name}.png`) });
      const changes = await page.evaluate(
        () => (window as unknown as { __changes: [number, number][] }).__changes,
      );
      const final = changes.at(-1)?.[0] ?? 0;
      const shownAt = changes.find(([count]) => count === final)?.[1] ?? Number.NaN;
      const after = await header(page);
      return {
        clientsMs: Math.max(...stamps.map((m) => Number(m?.[1]))) - t0,
        brokerMs: brokerSeen >= total ? brokerLast - t0 : Number.NaN,
        pageMs: shownAt - t0,
        interrupted: stamps.reduce((s, m) => s + Number(m?.[2] ?? 0), 0),
        invalid: stamps.reduce((s, m) => s + Number(m?.[3] ?? 0), 0),
        shown: after.interrupted + after.invalidated - before.interrupted - before.invalidated,
      };
    });
  } finally {
    live.dispose();
  }
}

async function upgrade(): Promise<void> {
  const total = UPGRADE_CLIENTS * UPGRADE_CONNECTIONS;
  const atStart = load();
  const pidOf = (live: Live, label: string) => {
    const proc = live.session.broker.processes().find((p) => p.job.label === label);
    if (!proc) throw new Error(`${label} is not running`);
    return proc.displayPid;
  };
  const killed = await fanout('kill', async (live) => {
    await live.session.handle({ type: 'kill', pid: pidOf(live, 'com.acme.vpn.tunnel'), signal: 'SIGKILL' });
  });
  const upgraded = await fanout('upgrade', async (live) => {
    const reply = await live.session.handle({ type: 'upgrade', app: 'com.acme.vpn', mode: 'bump' });
    if (!reply.ok) throw new Error(`the upgrade failed: ${JSON.stringify(reply)}`);
  });
  say(
    `${fmt(total)} connected clients of the network extension (${UPGRADE_CLIENTS} helpers × ${UPGRADE_CONNECTIONS}, demo world), console attached in Chromium (load average ${atStart} at start, ${load()} at end)`,
  );
  say(
    '  from the command to …           last client handler   broker emitted all   header shows all   errors seen (INTERRUPTED / INVALID)',
  );
  const row = (name: string, f: Fanout) =>
    say(
      `  ${name.padEnd(32)} ${f.clientsMs.toFixed(0).padStart(12)} ms  ${f.brokerMs.toFixed(0).padStart(15)} ms  ${f.pageMs.toFixed(0).padStart(13)} ms   ${f.interrupted} / ${f.invalid}, header +${f.shown}`,
    );
  row('kill the extension (baseline)', killed);
  row('upgrade the app (pkg, bump)', upgraded);
  say('  target: every invalidation delivered and shown within 250 ms of the upgrade');
}

// ---------------------------------------------------------------- 200 helpers, 10,000 connections

function rssOf(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // A helper that has exited holds nothing.
    }
  }
  return kb / 1024;
}

interface Footprint {
  helpers: number;
  connections: number;
  upMs: number;
  upCpuS: number;
  cpuPct: number;
  rssMb: number;
  heapMb: number;
  helpersRssMb: number;
  p50: number;
  p95: number;
  /** Messages a second the broker emitted while measured. */
  rate: number;
  /** Client connections the page's header counts as connected, when it first showed them all, and its status badge. */
  shown: number;
  showMs: number;
  status: string;
}

/** `services` reply helpers and as many clients, each client holding its share of `connections` to one service. */
async function footprint(helpers: number, connections: number): Promise<Footprint> {
  const services = Math.max(1, Math.floor(helpers / 2));
  const clients = Math.max(1, helpers - services);
  const per = Math.ceil(connections / clients);
  const jobs: JobSpec[] = [];
  for (let i = 0; i < services; i++) jobs.push({ ...server(`com.bench.svc${i}`), runAtLoad: true });
  for (let i = 0; i < clients; i++)
    jobs.push(
      client(`com.bench.holder${i}`, [
        {
          kind: 'hold',
          service: `com.bench.svc${i % services}`,
          connections: per,
          body: { selector: 'hello' },
          privileged: false,
          // Every connection asks again every 10 s: a live world, not a frozen one.
          everyMs: 10_000,
        },
      ]),
    );
  const live = new Live(benchWorld('bench scale', jobs), true);
  let messages = 0;
  live.session.hub.subscribe((e) => {
    if (e.kind === 'message') messages++;
  });
  try {
    return await withConsole(live.session, async (page) => {
      const started = performance.now();
      const upCpu0 = process.cpuUsage();
      live.session.start();
      // Every client up, or as many as are after the limit: what did not come up is reported, not waited for.
      const upBy = Date.now() + SCALE_UP_SECONDS * 1000;
      let upClients = 0;
      for (let tick = 0; Date.now() < upBy; tick++) {
        upClients = live.logs.filter((l) => l.startsWith('hold up')).length;
        if (upClients >= clients) break;
        if (tick % 50 === 0)
          process.stderr.write(`scale: ${upClients} of ${clients} clients hold their connections\n`);
        await sleep(200);
      }
      const upMs = performance.now() - started;
      const upCpu = process.cpuUsage(upCpu0);
      process.stderr.write(
        `scale: ${upClients} of ${clients} clients hold ${fmt(upClients * per)} connections after ${fmt(upMs)} ms\n`,
      );
      // The page should show every connection before it is measured; if it cannot within the limit, what it shows is reported.
      const showBy = Date.now() + SCALE_SHOW_SECONDS * 1000;
      // A page too busy to answer within 10 s counts as not showing them yet.
      const ask = () =>
        Promise.race([header(page), sleep(10_000).then(() => undefined)]).then((h) => h?.connected ?? 0);
      let showing = await ask();
      while (showing < upClients * per && Date.now() < showBy) {
        await sleep(1000);
        showing = await ask();
      }
      const showMs = performance.now() - started;
      process.stderr.write(`scale: the page shows ${fmt(showing)} connected after ${fmt(showMs)} ms\n`);
      // The main process is measured whether or not the page answers; a page that does not is reported as such.
      const within = <T>(p: Promise<T>, ms: number) =>
        Promise.race([p, sleep(ms).then(() => undefined)]).catch(() => undefined);
      const answering =
        (await within(
          page
            .getByRole('tab', { name: 'Connections' })
            .click({ timeout: 60_000 })
            .then(() => instrument(page, '.table-scroll'))
            .then(() => true),
          70_000,
        )) === true;
      await sleep(2000);
      if (answering) await within(frames(page), 30_000);
      const messages0 = messages;
      global.gc?.();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(SCALE_SECONDS * 1000);
      const cpu = process.cpuUsage(cpu0);
      const ms = performance.now() - t0;
      const f = answering ? ((await within(frames(page), 30_000)) ?? []) : [];
      const rate = ((messages - messages0) / ms) * 1000;
      await within(page.screenshot({ path: join(SCREENSHOTS, `bench-scale-${helpers}.png`) }), 30_000);
      const shown = (await within(header(page), 10_000))?.connected ?? 0;
      const status = answering
        ? ((await within(page.locator('.badge[class*="status-"]').first().textContent(), 10_000)) ?? '')
        : 'page not answering';
      const mem = process.memoryUsage();
      const pids = live.session.broker
        .processes()
        .map((p) => (p.handle as { pid?: number }).pid)
        .filter((p): p is number => typeof p === 'number');
      return {
        helpers: live.session.broker.processes().length,
        connections: upClients * per,
        upMs,
        upCpuS: (upCpu.user + upCpu.system) / 1e6,
        cpuPct: ((cpu.user + cpu.system) / 1000 / ms) * 100,
        rssMb: mem.rss / 1024 / 1024,
        heapMb: mem.heapUsed / 1024 / 1024,
        helpersRssMb: rssOf(pids),
        p50: pct(f, 50),
        p95: pct(f, 95),
        rate,
        shown,
        showMs,
        status,
      };
    });
  } finally {
    live.dispose();
  }
}

async function scale(): Promise<void> {
  const atStart = load();
  const idle = await footprint(2, 1);
  const big = await footprint(SCALE_HELPERS, SCALE_CONNECTIONS);
  say(
    `${fmt(SCALE_HELPERS)} helpers holding ${fmt(SCALE_CONNECTIONS)} connections, each asking again every 10 s; console in Chromium on the Connections view, scrolling; measured over ${SCALE_SECONDS} s (load average ${atStart} at start, ${load()} at end)`,
  );
  say(
    '  world                            helpers  connections  all up in (main CPU)  main CPU after   main RSS  main heap  helpers RSS  frame p50/p95  msg/s  header',
  );
  const row = (name: string, x: Footprint) =>
    say(
      `  ${name.padEnd(32)} ${String(x.helpers).padStart(7)}  ${fmt(x.connections).padStart(11)}  ${fmt(x.upMs).padStart(6)} ms (${x.upCpuS.toFixed(1).padStart(5)} s)  ${x.cpuPct.toFixed(1).padStart(10)} %  ${x.rssMb.toFixed(0).padStart(6)} MB  ${x.heapMb.toFixed(0).padStart(6)} MB  ${fmt(x.helpersRssMb).padStart(8)} MB  ${x.p50.toFixed(1)}/${x.p95.toFixed(1)} ms  ${fmt(x.rate).padStart(5)}  ${fmt(x.shown)} connected (${x.shown >= x.connections ? `all shown at ${fmt(x.showMs)} ms` : 'not all shown'}, ${x.status.trim()})`,
    );
  row('idle (1 service, 1 client)', idle);
  row('scale', big);
  say(
    `  frame p95 ${(big.p95 / idle.p95).toFixed(2)}x idle; main CPU is the broker and the headless server together`,
  );
}

// ----------------------------------------------------------------

const parts: [string, () => Promise<void>][] = [
  ['rtt', rtt],
  ['console', consoleFeed],
  ['upgrade', upgrade],
  ['scale', scale],
];
const startedAt = new Date().toISOString();
for (const [name, run] of parts) {
  if (!ONLY.includes(name)) continue;
  try {
    await run();
  } catch (error) {
    say(`${name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  }
  say('');
}
clearInterval(loadSampler);
const avg = loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : (loadavg()[0] ?? 0);
say(
  `run started ${startedAt}; ${cpus().length} CPUs shared with other work; 1-minute load average during the run: mean ${avg.toFixed(1)}, max ${Math.max(...loads, 0).toFixed(1)}`,
);
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit();
