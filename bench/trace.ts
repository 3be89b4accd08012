import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importLog } from '../main/trace/import';
import { streamTrace } from '../main/trace/reader';

/**
 * Import (a Mac's `log show` output) and reopen (an NDJSON trace) in MB/s of
 * input, each against a baseline in the same run over the same bytes: reading
 * and splitting lines (import), and reading and JSON.parse of every line
 * without validation (reopen). Heap is sampled to show it does not grow with
 * the file for the streaming reader.
 */
const MB = Number(process.env.BENCH_MB ?? 64);
const dir = join('bench', 'out');
mkdirSync(dir, { recursive: true });

function logFile(): string {
  const path = join(dir, 'synthetic.log');
  const header = 'Timestamp                       Thread     Type        Activity             PID    TTL  \n';
  const lines: string[] = [];
  let size = header.length;
  for (let i = 0; size < MB * 1024 * 1024; i++) {
    const ptr = `0x6000${(0x31c4000 + (i % 5000) * 0x50).toString(16)}`;
    const pid = 50_000 + (i % 40);
    const ts = `2025-08-09 10:${String(11 + (Math.floor(i / 600000) % 40)).padStart(2, '0')}:${String(Math.floor(i / 10000) % 60).padStart(2, '0')}.${String(i % 1_000_000).padStart(6, '0')}-0400`;
    const text =
      i % 5 === 0
        ? `[${ptr}] activating connection: mach=true listener=false peer=false name=com.example.svc${i % 50}`
        : i % 5 === 1
          ? `[${ptr}] invalidated after a failed init`
          : `(CoreFoundation) [com.apple.defaults:User Defaults] found no value for key K${i}`;
    const line = `${ts} 0x115ddb   Default     0x0                  ${pid}  0    App${pid % 7}: (libxpc.dylib) [com.apple.xpc:connection] ${text}\n`;
    lines.push(line);
    size += line.length;
  }
  writeFileSync(path, header + lines.join(''));
  return path;
}

function traceFile(): string {
  const path = join(dir, 'synthetic.ndjson');
  const out: string[] = [
    JSON.stringify({ format: 'xpc-lab-trace', v: 1, created: new Date(0).toISOString(), host: 'headless' }),
  ];
  let size = 0;
  for (let seq = 0; size < MB * 1024 * 1024; seq++) {
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
    const line = JSON.stringify(e);
    out.push(line);
    size += line.length + 1;
  }
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

const mbps = (bytes: number, ms: number) => (bytes / 1024 / 1024 / (ms / 1000)).toFixed(1);

const log = logFile();
const logBytes = statSync(log).size;
const splitOnly = time(() => readFileSync(log, 'utf8').split('\n').length);
const imported = time(() => importLog(readFileSync(log, 'utf8')).events.length);

const trace = traceFile();
const traceBytes = statSync(trace).size;
const parseOnly = time(
  () =>
    readFileSync(trace, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)).length,
);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
const reopened = await timeAsync(() =>
  streamTrace(trace, () => {}, {
    onProgress: () => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    },
  }),
);

process.stdout.write(
  [
    `import (log show default style, ${(logBytes / 1024 / 1024).toFixed(0)} MB, ${imported.value.toLocaleString()} events)`,
    `  baseline: read + split lines   ${mbps(logBytes, splitOnly.ms)} MB/s`,
    `  xpc-lab import                 ${mbps(logBytes, imported.ms)} MB/s  (ratio ${(splitOnly.ms / imported.ms).toFixed(2)} of baseline)`,
    `reopen (NDJSON trace, ${(traceBytes / 1024 / 1024).toFixed(0)} MB, ${reopened.value.eventCount.toLocaleString()} events)`,
    `  baseline: read + JSON.parse    ${mbps(traceBytes, parseOnly.ms)} MB/s`,
    `  xpc-lab streaming reader       ${mbps(traceBytes, reopened.ms)} MB/s  (ratio ${(parseOnly.ms / reopened.ms).toFixed(2)} of baseline), heap grew ${((heapPeak - heapBefore) / 1024 / 1024).toFixed(0)} MB while streaming`,
  ].join('\n') + '\n',
);
