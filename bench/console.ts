import { cpus, loadavg } from 'node:os';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startHeadlessServer } from '../main/hosts/headless/server';
import { rendererDir } from '../main/hosts/paths';
import { Session } from '../main/session/session';
import { emptySnapshot, newConnection } from '../main/trace/model';
import type { EventInput, MessageEvent } from '../main/trace/schema';
import { CaptureView } from '../renderer/capture/view';
import { CaptureWindow } from '../renderer/capture/window';
import { compileFilter } from '../renderer/filter';
import { launchChromium } from '../test/support/browser';

/**
 * The console under load: a session whose event stream is fed synthetic
 * messages at 5k, 20k and 50k a second, served by the headless host to
 * Chromium while the message list is on screen and scrolling. Reports frame
 * times against a baseline run of the same page with the feed at 0 msg/s,
 * what the bounded windows kept and dropped, and the page's JS heap. Then
 * fills a million-message window and times the filter over it, in the page
 * and in Node with the same compiled predicate.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATES = [0, 5_000, 20_000, 50_000];
const LIST_WINDOW = 100_000;
const FILTER_WINDOW = 1_000_000;
/** What the host's stream sustains while filling a window without dropping: the fill is not the thing measured. */
const FILL_RATE = 30_000;
const FILTERS = [
  'size > 4096',
  'service == "com.bench.tunnel" && state == connected',
  'dir == reply && latency > 50ms',
  'key == tunnelStatus || pid == 123',
  '!(error)',
];

const CLIENT = 1001;
const SERVICE = 1002;
const CONN = '0x600000c04000';
const PEER = '0x600000c04050';

function world() {
  return { name: 'console bench', root: 'bench', uid: 501, jobs: [] };
}

/** A spawner the empty world never calls. */
const noSpawner = {
  spawn(): never {
    throw new Error('the console bench world has no jobs');
  },
};

function seed(session: Session): void {
  const emit = session.hub.emit;
  emit({
    kind: 'process.spawn',
    pid: CLIENT,
    label: 'com.bench.app',
    domain: 'gui/501',
    program: '/bench/app',
    reason: 'app launch',
  });
  emit({
    kind: 'process.spawn',
    pid: SERVICE,
    label: 'com.bench.tunnel',
    domain: 'system',
    program: '/bench/tunnel',
    reason: 'ipc (mach)',
  });
  emit({
    kind: 'service.register',
    name: 'com.bench.tunnel',
    domain: 'system',
    label: 'com.bench.tunnel',
    origin: 'MachServices',
  });
  emit({
    kind: 'connection.state',
    conn: CONN,
    side: 'client',
    pid: CLIENT,
    name: 'com.bench.tunnel',
    from: 'activating',
    to: 'connected',
    peerConn: PEER,
    peerPid: SERVICE,
  });
  emit({
    kind: 'connection.state',
    conn: PEER,
    side: 'peer',
    pid: SERVICE,
    name: 'com.bench.tunnel.peer[1001]',
    from: 'activating',
    to: 'connected',
    peerConn: CONN,
    peerPid: CLIENT,
  });
}

let nextId = 1;
function message(): EventInput {
  const id = nextId++;
  const reply = id % 2 === 0;
  const key = id % 10 === 0 ? 'routeTable' : 'tunnelStatus';
  return {
    kind: 'message',
    id,
    conn: reply ? PEER : CONN,
    from: reply ? SERVICE : CLIENT,
    to: reply ? CLIENT : SERVICE,
    dir: reply ? 'reply' : 'send',
    size: id % 97 === 0 ? 8192 : 36 + (id % 64),
    expectsReply: !reply,
    key,
    ...(reply ? { replyTo: id - 1, latencyMs: (id % 200) / 2 } : {}),
    payload: { selector: key, n: id },
  } as EventInput;
}

/** Emits `rate` messages a second in 10 ms ticks; returns the stop function and the count emitted. */
function feed(session: Session, rate: number): { stop: () => number } {
  let emitted = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    // Never more than 50 ms' worth in one tick: a feed that falls behind must not turn into one long burst.
    const due = Math.min(Math.floor(((performance.now() - started) / 1000) * rate), emitted + rate / 20);
    while (emitted < due) {
      session.hub.emit(message());
      emitted++;
    }
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return emitted;
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** Installs a requestAnimationFrame probe and a scroller that sweeps the message list up and down. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __dir: number };
    w.__frames = [];
    w.__dir = -1;
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      const list = document.querySelector<HTMLElement>('[aria-label="Messages"]');
      if (list) {
        list.scrollTop += w.__dir * 90;
        if (list.scrollTop <= 0) w.__dir = 1;
        else if (list.scrollTop + list.clientHeight >= list.scrollHeight - 2) w.__dir = -1;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function frames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[] };
    const out = w.__frames.slice(1);
    w.__frames = [];
    return out;
  });
}

async function counts(page: Page) {
  return page.evaluate(() => {
    const dropped = document.querySelector('[data-dropped]');
    return {
      lost: Number(dropped?.getAttribute('data-lost') ?? 0),
      windowDropped: Number(dropped?.getAttribute('data-window-dropped') ?? 0),
    };
  });
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usedSize / 1024 / 1024;
}

async function messagesInWindow(page: Page): Promise<number> {
  const text = (await page.getByLabel('Message count').textContent()) ?? '';
  const all = /of ([\d,]+) messages/.exec(text)?.[1] ?? /^([\d,]+) messages/.exec(text)?.[1] ?? '0';
  return Number(all.replace(/,/g, ''));
}

/** Feeds until the page holds `target` messages; the list must have rows to scroll before anything is measured. */
async function fill(session: Session, page: Page, target: number): Promise<number> {
  const run = feed(session, FILL_RATE);
  const deadline = Date.now() + 180_000;
  while ((await messagesInWindow(page)) < target && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 1000));
  run.stop();
  await new Promise((r) => setTimeout(r, 500));
  return messagesInWindow(page);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function filterInPage(page: Page, text: string): Promise<{ ms: number; matched: string }> {
  const input = page.getByLabel('Filter', { exact: true });
  await input.fill(text);
  await input.press('Enter');
  await page.waitForFunction(() =>
    /filtered [\d,]+ in \d+ ms/.test(
      document.querySelector('[aria-label="Message count"]')?.textContent ?? '',
    ),
  );
  const label = (await page.getByLabel('Message count').textContent()) ?? '';
  await input.fill('');
  await input.press('Enter');
  return { ms: Number(/in (\d+) ms/.exec(label)?.[1]), matched: label.replace(/ · filtered.*/, '') };
}

function filterInNode(): string[] {
  const w = emptySnapshot();
  const base = { state: 'connected', since: 0 } as const;
  w.connections[CONN] = newConnection({
    ...base,
    conn: CONN,
    side: 'client',
    pid: CLIENT,
    name: 'com.bench.tunnel',
    peerConn: PEER,
    peerPid: SERVICE,
  });
  w.connections[PEER] = newConnection({
    ...base,
    conn: PEER,
    side: 'peer',
    pid: SERVICE,
    name: 'com.bench.tunnel.peer[1001]',
    peerConn: CONN,
    peerPid: CLIENT,
  });
  const window = new CaptureWindow<MessageEvent>(FILTER_WINDOW);
  nextId = 1;
  // Built the way the console receives them, parsed from JSON: objects spread together in Node take V8's slow
  // dictionary path and would measure that instead of the filter.
  const t = Date.now();
  for (let chunk = 0; chunk < FILTER_WINDOW; chunk += 10_000) {
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ ...message(), v: 1, seq: chunk + i, t }));
    for (const m of JSON.parse(JSON.stringify(batch)) as MessageEvent[]) window.push(m);
  }
  const view = new CaptureView(window, () => w);
  return FILTERS.map((f) => {
    const r = compileFilter(f);
    if (!r.ok || !r.filter?.message) throw new Error(`bench filter ${f} does not compile for messages`);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      view.setFilter(r.filter.message);
      runs.push(view.lastRefilter?.ms ?? Number.NaN);
    }
    return `  ${f.padEnd(52)} ${Math.min(...runs)
      .toFixed(0)
      .padStart(4)} ms (best of 3)  ${view.count.toLocaleString()} match`;
  });
}

async function main(): Promise<void> {
  const session = new Session({ world: world(), spawner: noSpawner, host: 'headless', windowSize: 50_000 });
  session.start();
  seed(session);
  const server = await startHeadlessServer({ session, rendererDir: rendererDir() });
  let browser: Browser | undefined;
  const lines: string[] = [];
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(server.url);
    await page.waitForSelector('.status-live');
    await page.getByRole('tab', { name: 'Messages' }).click();
    await page.getByLabel('Capture window').selectOption(String(LIST_WINDOW));
    const prefilled = await fill(session, page, LIST_WINDOW);
    await instrument(page);

    lines.push(
      `console under load: ${SECONDS} s per rate, message list visible and scrolling 90 px a frame through ${prefilled.toLocaleString()} held messages`,
    );
    lines.push(
      `  Chromium ${browser.version()} headless, software rendering; ${cpus().length} CPUs, load average ${load()} at start`,
    );
    lines.push(
      '  rate msg/s  achieved/s  frame p50  frame p95  p95 vs 0/s  kept      dropped from window / lost   heap',
    );
    let idleP95 = 0;
    let droppedBefore = (await counts(page)).windowDropped;
    for (const rate of RATES) {
      await frames(page);
      const run = feed(session, rate);
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const emitted = run.stop();
      const f = await frames(page);
      await new Promise((r) => setTimeout(r, 300));
      const c = await counts(page);
      const p50 = pct(f, 50);
      const p95 = pct(f, 95);
      if (rate === 0) idleP95 = p95;
      const droppedNow = c.windowDropped - droppedBefore;
      droppedBefore = c.windowDropped;
      const heap = await heapMb(cdp);
      lines.push(
        `  ${String(rate).padStart(10)}  ${Math.round(emitted / SECONDS)
          .toLocaleString()
          .padStart(
            10,
          )}  ${p50.toFixed(1).padStart(6)} ms  ${p95.toFixed(1).padStart(6)} ms  ${(p95 / idleP95).toFixed(2).padStart(9)}x  ${(await messagesInWindow(page)).toLocaleString().padStart(9)}  ${droppedNow.toLocaleString().padStart(13)} / ${c.lost.toLocaleString().padEnd(9)} ${heap.toFixed(0).padStart(4)} MB`,
      );
      process.stderr.write(`${lines.at(-1)}\n`);
    }
    lines.push(`  load average ${load()} at the end`);

    await page.getByLabel('Capture window').selectOption(String(FILTER_WINDOW));
    const held = await fill(session, page, FILTER_WINDOW);
    lines.push(
      `filter over ${held.toLocaleString()} retained messages, in the page (the console's own timing)`,
    );
    for (const f of FILTERS) {
      const r = await filterInPage(page, f);
      lines.push(`  ${f.padEnd(52)} ${String(r.ms).padStart(4)} ms  ${r.matched}`);
    }
    lines.push(
      `  page heap with ${held.toLocaleString()} messages held: ${(await heapMb(cdp)).toFixed(0)} MB`,
    );
  } finally {
    await browser?.close();
    await server.close();
    session.dispose();
  }
  lines.push(`filter over ${FILTER_WINDOW.toLocaleString()} messages in Node, same compiled predicate`);
  lines.push(...filterInNode());
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

await main();
