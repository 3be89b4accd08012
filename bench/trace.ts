import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplaySession } from '../main/session/replay';
import { importLogFile } from '../main/trace/import/file';
import { LineSplitter } from '../main/trace/lines';
import { WorldModel } from '../main/trace/model';
import { streamTrace } from '../main/trace/reader';
import { streamTextFile } from '../main/trace/text-file';

/**
 * Import (a Mac's `log show` output) and reopen (an NDJSON trace) in MB/s of
 * input, at two file sizes, each against a baseline in the same run over the
 * same bytes: reading and splitting lines (import), and reading and JSON.parse
 * of every line without validation (reopen), both streamed in the same chunks.
 * Each measurement runs in a fresh process, so its peak heap and RSS growth
 * belong to it alone; the live heap is measured after a full GC once the last
 * chunk is read, so garbage not yet collected does not count. Equal growth at
 * both sizes is memory that does not grow with the file.
 */
const SIZES_MB = (process.env.BENCH_SIZES ?? '32,128').split(',').map(Number);
/** Import is measured at a sysdiagnose's scale: the files are generated in a temporary folder and deleted after. */
const IMPORT_SIZES_MB = (process.env.BENCH_IMPORT_SIZES ?? '128,1024').split(',').map(Number);
const dir = join('bench', 'out');
const MB = 1024 * 1024;

type Kind = 'import' | 'import-json' | 'reopen' | 'console' | 'split' | 'parse';

/** Instants a scrub is timed at: spread over the trace, none at its ends. */
const SCRUB_POINTS = 8;

interface Measured {
  ms: number;
  bytes: number;
  events: number;
  heapGrowth: number;
  rssGrowth: number;
  /** Heap still in use once the whole file has been read (after a full GC): what the reader keeps. */
  liveGrowth: number;
  /** For `console`: the state at instants across the trace, from checkpoints vs a replay from the start. */
  scrub?: { meanMs: number; maxMs: number; replayMeanMs: number };
}

/** Writes a generated file in 1 MB batches, so the generator itself stays small. */
function generate(path: string, megabytes: number, head: string, line: (i: number) => string, tail = '') {
  if (existsSync(path) && statSync(path).size >= megabytes * MB) return;
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  let size = head.length;
  let batch: string[] = [];
  let batchSize = 0;
  for (let i = 0; size < megabytes * MB; i++) {
    const l = line(i);
    batch.push(l);
    batchSize += l.length;
    size += l.length;
    if (batchSize >= MB) {
      writeSync(fd, batch.join(''));
      batch = [];
      batchSize = 0;
    }
  }
  writeSync(fd, batch.join('') + tail);
  closeSync(fd);
}

function stamp(i: number): string {
  return `2025-08-09 10:${String(11 + (Math.floor(i / 600000) % 40)).padStart(2, '0')}:${String(Math.floor(i / 10000) % 60).padStart(2, '0')}.${String(i % 1_000_000).padStart(6, '0')}-0400`;
}

function message(i: number): string {
  const ptr = `0x6000${(0x31c4000 + (i % 5000) * 0x50).toString(16)}`;
  return i % 5 === 0
    ? `[${ptr}] activating connection: mach=true listener=false peer=false name=com.example.svc${i % 50}`
    : i % 5 === 1
      ? `[${ptr}] invalidated after a failed init`
      : `found no value for key K${i}`;
}

function logFile(megabytes: number): string {
  const path = join(dir, `synthetic-${megabytes}.log`);
  const header = 'Timestamp                       Thread     Type        Activity             PID    TTL  \n';
  generate(path, megabytes, header, (i) => {
    const pid = 50_000 + (i % 40);
    const decoration =
      i % 5 < 2
        ? '(libxpc.dylib) [com.apple.xpc:connection]'
        : '(CoreFoundation) [com.apple.defaults:User Defaults]';
    return `${stamp(i)} 0x115ddb   Default     0x0                  ${pid}  0    App${pid % 7}: ${decoration} ${message(i)}\n`;
  });
  return path;
}

/**
 * A sysdiagnose-like mix in `log show`'s default style: most lines are not
 * XPC lines, and many of those still say "connection" (networking,
 * RunningBoard), so the cheap word test passes them on to the exact one.
 */
const MIX: readonly ((i: number, pid: number) => string)[] = [
  (i) =>
    `(CoreFoundation) [com.apple.defaults:User Defaults] found no value for key K${i} in CFPrefsPlistSource`,
  (i) =>
    `(Network) [com.apple.network:connection] nw_connection_report_state_with_handler_on_nw_queue [C${i % 900}] reporting state ready`,
  () => '(RunningBoardServices) [com.apple.runningboard:connection] Handshake succeeded',
  (i) => `(SkyLight) [com.apple.SkyLight:default] post notification 0x${(i % 4096).toString(16)}`,
  (i) => `(CFNetwork) [com.apple.CFNetwork:Summary] Task <${i}>.<1> summary for task success`,
  (i) => `(TCC) [com.apple.TCC:access] AUTHREQ_RESULT: msgID=${i}, authValue=2, authReason=4`,
  (i) => `(libxpc.dylib) [com.apple.xpc:connection] ${message(i * 5)}`,
  (i) =>
    `(CoreAnalytics) [com.apple.CoreAnalytics:client] Dropping event ${i} as it isn't used in any transform`,
  (i) =>
    `(UIKitCore) [com.apple.UIKit:EventDispatch] Sending UIEvent type: 0; subtype: 0; to windows: ${i % 9}`,
  (i) => `(kernel) Sandbox: App(${50_000 + (i % 40)}) deny(1) file-read-data /private/var/db/x${i % 100}`,
  (i) => `(IOKit) [com.apple.iokit:power] IOPMrootDomain ${i % 3 ? 'wake' : 'sleep'} reason ${i % 17}`,
  (i) => `(libxpc.dylib) [com.apple.xpc:connection] ${message(i * 5 + 1)}`,
  (i) => `(CoreData) [com.apple.coredata:sql] fetch ${i} rows in 0.00${i % 9}s`,
  (i) => `(Security) [com.apple.securityd:trust] SecTrustEvaluateIfNecessary ${i}`,
  (i) => `(Foundation) [com.apple.Foundation:bookmarks] resolved bookmark ${i % 77} without mounting`,
  (i) => `(BackBoardServices) [com.apple.BackBoard:HID] event ${i} delivered to 0 clients`,
  (i) => `(AppKit) [com.apple.AppKit:Window] order window ${i % 500} op: 1 relative: 0`,
  (i) => `(QuartzCore) [com.apple.coreanimation:default] commit ${i}`,
  (i) => `(CoreLocation) [com.apple.locationd.Core:Client] client ${i % 11} authorization 3`,
  (i) => `(WebKit) [com.apple.WebKit:Process] WebProcessProxy ${i % 50} state foreground`,
];

function mixLogFile(folder: string, megabytes: number): string {
  const path = join(folder, `sysdiagnose-mix-${megabytes}.log`);
  const header = 'Timestamp                       Thread     Type        Activity             PID    TTL  \n';
  generate(path, megabytes, header, (i) => {
    const pid = 50_000 + (i % 40);
    const body = MIX[i % MIX.length]!(i, pid);
    return `${stamp(i)} 0x115ddb   Default     0x0                  ${pid}  0    App${pid % 7}: ${body}\n`;
  });
  return path;
}

/** Every line a libxpc or launchd line. */
function allXpcLogFile(folder: string, megabytes: number): string {
  const path = join(folder, `all-xpc-${megabytes}.log`);
  const header = 'Timestamp                       Thread     Type        Activity             PID    TTL  \n';
  generate(path, megabytes, header, (i) => {
    const pid = 50_000 + (i % 40);
    if (i % 10 === 9)
      return `${stamp(i)} 0x2f3      Default     0x0                  1      0    launchd: [gui/501/com.example.job${i % 30} [${pid}]:] service state: running\n`;
    return `${stamp(i)} 0x115ddb   Default     0x0                  ${pid}  0    App${pid % 7}: (libxpc.dylib) [com.apple.xpc:connection] ${message(i % 2 === 0 ? i - (i % 5) : i - (i % 5) + 1)}\n`;
  });
  return path;
}

function jsonLogFile(megabytes: number): string {
  const path = join(dir, `synthetic-${megabytes}.json`);
  generate(
    path,
    megabytes,
    '[',
    (i) => {
      const pid = 50_000 + (i % 40);
      const xpc = i % 5 < 2;
      const record = {
        timestamp: stamp(i),
        machTimestamp: 123456780000 + i,
        eventType: 'logEvent',
        messageType: 'Default',
        subsystem: xpc ? 'com.apple.xpc' : 'com.apple.defaults',
        category: xpc ? 'connection' : 'User Defaults',
        processImagePath: `/Applications/App${pid % 7}.app/Contents/MacOS/App${pid % 7}`,
        processID: pid,
        senderImagePath: xpc ? '/usr/lib/system/libxpc.dylib' : '/System/Library/Frameworks/CoreFoundation',
        threadID: 1138139,
        userID: 501,
        eventMessage: message(i),
      };
      return `${i === 0 ? '' : ','}${JSON.stringify(record, null, 2)}`;
    },
    ']\n',
  );
  return path;
}

function traceFile(megabytes: number): string {
  const path = join(dir, `synthetic-${megabytes}.ndjson`);
  const header = `${JSON.stringify({ format: 'xpc-lab-trace', v: 1, created: new Date(0).toISOString(), host: 'headless' })}\n`;
  generate(path, megabytes, header, (seq) => {
    const e = {
      v: 1,
      seq,
      t: 1_700_000_000_000 + seq,
      kind: 'message',
      id: seq,
      conn: '0x600000c04000',
      from: 101,
      to: 102,
      dir: 'send',
      size: 48,
      expectsReply: true,
      key: 'status',
      payload: { selector: 'status', n: seq },
    };
    return `${JSON.stringify(e)}\n`;
  });
  return path;
}

/** One measurement, in this process: the parent runs each in a child of its own. */
async function measureHere(kind: Kind, path: string): Promise<Measured> {
  global.gc?.();
  const before = process.memoryUsage();
  let heapPeak = before.heapUsed;
  let rssPeak = before.rss;
  let live = 0;
  const sample = (bytesRead: number, totalBytes: number) => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    if (bytesRead === totalBytes && totalBytes > 0) {
      global.gc?.();
      live = process.memoryUsage().heapUsed - before.heapUsed;
    }
  };
  let events = 0;
  const started = performance.now();
  switch (kind) {
    case 'import':
    case 'import-json':
      events = (await importLogFile(path, () => {}, { onProgress: sample })).eventCount;
      break;
    case 'reopen':
      events = (await streamTrace(path, () => {}, { onProgress: sample })).eventCount;
      break;
    case 'console': {
      // What File › Open Trace does: the window, the checkpoints and the timeline as well as the reader.
      const session = new ReplaySession({ name: 'bench', path, host: 'headless', kind: 'trace' });
      events = (await streamTrace(path, (e, at) => session.add(e, at), { onProgress: sample })).eventCount;
      const loadMs = performance.now() - started;
      const scrub = await timeScrubs(session, path);
      session.dispose();
      return { ...result(path, loadMs, events, before, heapPeak, rssPeak, live), scrub };
    }
    case 'split': {
      const lines = new LineSplitter(() => {
        events++;
      });
      await streamTextFile(path, (text) => lines.push(text), { onProgress: sample });
      lines.end();
      break;
    }
    case 'parse': {
      const lines = new LineSplitter((line) => {
        if (line !== '') {
          JSON.parse(line);
          events++;
        }
      });
      await streamTextFile(path, (text) => lines.push(text), { onProgress: sample });
      lines.end();
      break;
    }
  }
  return result(path, performance.now() - started, events, before, heapPeak, rssPeak, live);
}

function result(
  path: string,
  ms: number,
  events: number,
  before: NodeJS.MemoryUsage,
  heapPeak: number,
  rssPeak: number,
  live: number,
): Measured {
  return {
    ms,
    bytes: statSync(path).size,
    events,
    heapGrowth: heapPeak - before.heapUsed,
    rssGrowth: rssPeak - before.rss,
    liveGrowth: live,
  };
}

/** The scrubber's answer at instants across the trace, against the naive way: replay the file from its start. */
async function timeScrubs(session: ReplaySession, path: string): Promise<Measured['scrub']> {
  const { start, end } = session.timelineSummary();
  const instants = Array.from(
    { length: SCRUB_POINTS },
    (_, i) => start + ((end - start) * (i + 0.5)) / SCRUB_POINTS,
  );
  const times: number[] = [];
  for (const t of instants) {
    const began = performance.now();
    const reply = await session.handle({ type: 'modelAt', t });
    if (!reply.ok) throw new Error(reply.error);
    times.push(performance.now() - began);
  }
  let replayMs = 0;
  for (const t of instants) {
    const began = performance.now();
    const model = new WorldModel();
    const stop = new AbortController();
    await streamTrace(
      path,
      (e) => {
        if (e.t > t) stop.abort();
        else if (!stop.signal.aborted) model.apply(e);
      },
      { signal: stop.signal },
    ).catch((err: unknown) => {
      if (!stop.signal.aborted) throw err;
    });
    replayMs += performance.now() - began;
  }
  return {
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    maxMs: Math.max(...times),
    replayMeanMs: replayMs / instants.length,
  };
}

function measure(kind: Kind, path: string): Measured {
  const r = spawnSync(process.execPath, ['--expose-gc', process.argv[1]!, '--measure', kind, path], {
    encoding: 'utf8',
    maxBuffer: MB,
  });
  if (r.status !== 0) throw new Error(`bench ${kind} ${path} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Measured;
}

const mbps = (m: Measured) => (m.bytes / MB / (m.ms / 1000)).toFixed(1);
const mem = (m: Measured) =>
  `peak heap +${(m.heapGrowth / MB).toFixed(0)} MB, peak RSS +${(m.rssGrowth / MB).toFixed(0)} MB, live heap at end +${(m.liveGrowth / MB).toFixed(1)} MB`;

function row(label: string, m: Measured, baseline?: Measured): string {
  const ratio = baseline ? `  (ratio ${(baseline.ms / m.ms).toFixed(2)} of baseline)` : '';
  return `    ${label.padEnd(30)} ${mbps(m).padStart(6)} MB/s${ratio}  ${mem(m)}`;
}

function report(title: string, path: string, kind: Kind, baselineKind: Kind, baselineLabel: string) {
  const baseline = measure(baselineKind, path);
  const m = measure(kind, path);
  return [
    `  ${title}: ${(m.bytes / MB).toFixed(0)} MB, ${m.events.toLocaleString()} events`,
    row(baselineLabel, baseline),
    row(`xpc-lab ${kind}`, m, baseline),
    ...(m.scrub
      ? [
          `    scrub to ${SCRUB_POINTS} instants: mean ${m.scrub.meanMs.toFixed(1)} ms, max ${m.scrub.maxMs.toFixed(1)} ms; replaying from the start: mean ${m.scrub.replayMeanMs.toFixed(0)} ms (ratio ${(m.scrub.replayMeanMs / m.scrub.meanMs).toFixed(0)}× faster)`,
        ]
      : []),
  ];
}

if (process.argv[2] === '--measure') {
  const result = await measureHere(process.argv[3] as Kind, process.argv[4]!);
  process.stdout.write(JSON.stringify(result));
} else {
  mkdirSync(dir, { recursive: true });
  /** BENCH_ONLY=import measures only import at sysdiagnose scale. */
  const onlyImport = process.env.BENCH_ONLY === 'import';
  const out: string[] = [];
  if (!onlyImport) out.push('import (log show default style, streamed)');
  for (const size of onlyImport ? [] : SIZES_MB) {
    out.push(...report('default style', logFile(size), 'import', 'split', 'baseline: read + split lines'));
  }
  const big = mkdtempSync(join(tmpdir(), 'xpc-lab-bench-'));
  try {
    out.push('import at sysdiagnose scale (generated in a temporary folder, deleted after)');
    for (const size of IMPORT_SIZES_MB) {
      const mix = mixLogFile(big, size);
      out.push(
        ...report('sysdiagnose mix (10% XPC)', mix, 'import', 'split', 'baseline: read + split lines'),
      );
      rmSync(mix);
      const all = allXpcLogFile(big, size);
      out.push(...report('all XPC lines', all, 'import', 'split', 'baseline: read + split lines'));
      rmSync(all);
    }
  } finally {
    rmSync(big, { recursive: true, force: true });
  }
  if (onlyImport) {
    process.stdout.write(`${out.join('\n')}\n`);
    process.exit(0);
  }
  out.push('import (log show --style json, one array, streamed)');
  out.push(
    ...report(
      'json style',
      jsonLogFile(SIZES_MB[0]!),
      'import-json',
      'split',
      'baseline: read + split lines',
    ),
  );
  out.push('reopen (NDJSON trace, streamed)');
  for (const size of SIZES_MB) {
    out.push(...report('trace', traceFile(size), 'reopen', 'parse', 'baseline: read + JSON.parse'));
  }
  out.push('reopen in the console (window, checkpoints, timeline) and scrub');
  for (const size of SIZES_MB) {
    out.push(...report('trace', traceFile(size), 'console', 'parse', 'baseline: read + JSON.parse'));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
