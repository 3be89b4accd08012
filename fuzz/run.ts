/**
 * `npm run fuzz`: every target for XPC_LAB_FUZZ_CASES cases (1,000,000 by
 * default), or only those named in XPC_LAB_FUZZ_TARGETS (comma-separated,
 * matched by substring); XPC_LAB_FUZZ_SEED fixes fast-check's seed, and
 * XPC_LAB_FUZZ_JOBS runs that many targets at once (1 by default).
 *
 * Each target runs in a process of its own, so one target's garbage, heap
 * growth or JIT state never counts against another. Two bounds are held per
 * case (fuzz/check.ts): its time run alone (a case over 100 ms in the run is
 * run again alone after a full collection, telling a slow case from a
 * collector pause), and its peak heap, measured exactly for every case with
 * V8's GC profiler. As a check on that method, each target's process reports
 * its RSS just before the first case and its high-water (getrusage's maxrss)
 * over the run: the RSS a whole target needed, which bounds what any one case
 * held at once, Buffers and native memory included. Inputs are bounded (each
 * a few KB at most), so a case that needed 64 MB could only be a parser
 * expanding its input.
 *
 * Prints one line per target (progress every 100,000 cases on stderr) and
 * writes the figures to test-output/fuzz.json. Exits 1 if any case escaped,
 * took over 1 s run alone, or peaked over 64 MB.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FuzzFigures, fuzzTarget, withinBounds } from './check';
import { TARGETS } from './targets';

export interface TargetRun extends FuzzFigures {
  /** RSS just before the first case and its high-water over the run, in MB. */
  rssStartMb: number;
  rssPeakMb: number;
  /** The heap left once the target ran and everything collectable was collected, against before it: what cases retained. */
  retainedMb: number;
  /** Seconds the target's processes ran, and the CPU seconds they used, added up. */
  wallS: number;
  cpuS: number;
  /** How many processes ran it, and whether they all finished. */
  shards: number;
  done: boolean;
}

const MB = 1024 * 1024;
const cases = Number(process.env.XPC_LAB_FUZZ_CASES ?? 1_000_000);
/** fast-check's seed: given, or drawn once by the parent and handed to every target, so a run can be repeated. */
const seed = Number(process.env.XPC_LAB_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const child = process.env.XPC_LAB_FUZZ_CHILD;
/** How many targets run at once, each in its own process (1 by default: one target per core keeps the timings honest). */
const JOBS = Number(process.env.XPC_LAB_FUZZ_JOBS ?? 1);
/** How many processes share each target's cases, each with its own seed (seed + shard); their figures are merged. */
const SHARDS = Number(process.env.XPC_LAB_FUZZ_SHARDS ?? 1);
/**
 * A target's process: gc() for fuzz/check.ts's lone runs, and a young generation
 * large enough that the collector runs during fewer cases (each such case is
 * run again to measure its peak).
 */
const CHILD_FLAGS = ['--expose-gc', '--max-semi-space-size=64'];

/** In a target's own process: run its share of the cases and write its figures (as it goes, and at the end) to `out`. */
function runChild(name: string, shard: Shard, out: string): void {
  // The XML parser the plist package uses logs every malformed document; millions of them would bury the figures.
  const error = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('[xmldom')) return;
    error(...args);
  };
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target named ${name}`);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssStartMb = process.memoryUsage.rss() / MB;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const figuresOf = (f: FuzzFigures, done: boolean): TargetRun => ({
    ...f,
    rssStartMb,
    rssPeakMb: process.resourceUsage().maxRSS / 1024,
    retainedMb: done ? (process.memoryUsage().heapUsed - heapBefore) / MB : Number.NaN,
    wallS: (performance.now() - started) / 1000,
    cpuS: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpuStart)),
    shards: 1,
    done,
  });
  const figures = fuzzTarget(target, shareOf(shard), {
    seed: seed + shard.index,
    progress: {
      every: 50_000,
      report: (f) => {
        const now = figuresOf(f, false);
        writeFileSync(out, JSON.stringify(now));
        process.stderr.write(
          `     ${name} [${shard.index + 1}/${shard.of}]: ${f.cases} cases, ${f.escapes} escapes, ${now.wallS.toFixed(0)} s, RSS ${(process.memoryUsage.rss() / MB).toFixed(0)} MB\n`,
        );
      },
    },
  });
  global.gc?.();
  writeFileSync(out, JSON.stringify(figuresOf(figures, true)));
}

interface Shard {
  index: number;
  of: number;
}

/** A shard's share of the cases: they add up to `cases`. */
function shareOf({ index, of }: Shard): number {
  return Math.floor(cases / of) + (index < cases % of ? 1 : 0);
}

/** One target's figures from its shards: counts add up, the worst case of any shard stands. */
export function merge(parts: readonly TargetRun[]): TargetRun {
  const [first, ...rest] = parts;
  if (!first) throw new Error('no figures to merge');
  const m: TargetRun = { ...first };
  for (const p of rest) {
    m.cases += p.cases;
    m.escapes += p.escapes;
    if (!m.firstEscape && p.firstEscape) m.firstEscape = p.firstEscape;
    if (p.slowestInRun.runMs > m.slowestInRun.runMs) m.slowestInRun = p.slowestInRun;
    if (p.slowestAlone.aloneMs > m.slowestAlone.aloneMs) m.slowestAlone = p.slowestAlone;
    m.rerunForTime += p.rerunForTime;
    m.pauses += p.pauses;
    if (p.peakCaseMb > m.peakCaseMb) {
      m.peakCaseMb = p.peakCaseMb;
      m.peakCaseInput = p.peakCaseInput;
    }
    m.rerunForMemory += p.rerunForMemory;
    m.totalMs += p.totalMs;
    m.rssStartMb = Math.min(m.rssStartMb, p.rssStartMb);
    m.rssPeakMb = Math.max(m.rssPeakMb, p.rssPeakMb);
    m.retainedMb = Math.max(m.retainedMb, p.retainedMb);
    m.wallS += p.wallS;
    m.cpuS += p.cpuS;
    m.shards += p.shards;
    m.done &&= p.done;
  }
  m.casesPerSecond = m.cases / (m.totalMs / 1000);
  return m;
}

/** One target in a process of its own; resolves with its figures, or undefined if the process died without them. */
function runInChild(name: string, shard: Shard, out: string): Promise<TargetRun | undefined> {
  return new Promise((done) => {
    const proc = spawn(process.execPath, [...CHILD_FLAGS, process.argv[1] as string], {
      stdio: 'inherit',
      env: {
        ...process.env,
        XPC_LAB_FUZZ_CHILD: name,
        XPC_LAB_FUZZ_SHARD: `${shard.index}/${shard.of}`,
        XPC_LAB_FUZZ_OUT: out,
        XPC_LAB_FUZZ_SEED: String(seed),
      },
    });
    proc.on('close', (code, signal) => {
      try {
        const figures = JSON.parse(readFileSync(out, 'utf8')) as TargetRun;
        if (!figures.done) throw new Error('unfinished');
        done(figures);
      } catch {
        process.stdout.write(`FAIL ${name}: its process ended (${code ?? signal}) without figures\n`);
        done(undefined);
      }
    });
  });
}

function line(f: TargetRun): string {
  return (
    `${withinBounds(f) ? 'ok  ' : 'FAIL'} ${f.target.padEnd(26)} ${f.cases} cases, ${f.escapes} escapes, ` +
    `slowest ${f.slowestAlone.aloneMs.toFixed(1)} ms alone (in the run: ${f.slowestInRun.runMs.toFixed(1)} ms, ${f.slowestInRun.runGcMs.toFixed(1)} ms of it collecting; ${f.pauses} over 1 s only in the run), ` +
    `peak ${f.peakCaseMb.toFixed(2)} MB per case, RSS ${f.rssStartMb.toFixed(0)} → ${f.rssPeakMb.toFixed(0)} MB, ` +
    `${f.casesPerSecond.toFixed(0)} cases/s, ${f.wallS.toFixed(0)} s (${((1000 * f.cpuS) / f.cases).toFixed(2)} ms of CPU a case)\n` +
    (f.firstEscape ? `     first escape: ${f.firstEscape.error}\n     input: ${f.firstEscape.input}\n` : '')
  );
}

async function runAll(): Promise<void> {
  const only = process.env.XPC_LAB_FUZZ_TARGETS?.split(',').map((s) => s.trim().toLowerCase());
  const names = TARGETS.map((t) => t.name).filter(
    (name) => !only || only.some((o) => name.toLowerCase().includes(o)),
  );
  // Each shard's figures stay here as it runs (written every 50,000 cases): a run cut short still has them.
  const dir = join('test-output', 'fuzz-shards', String(seed));
  mkdirSync(dir, { recursive: true });
  // Every target's first shard, then every target's second, …: the slowest targets start first.
  const queue = Array.from({ length: SHARDS }, (_, index) =>
    names.map((name) => ({ name, shard: { index, of: SHARDS } })),
  ).flat();
  const parts = new Map<string, TargetRun[]>();
  let failed = false;
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const { name, shard } = queue[next++] as (typeof queue)[number];
      const file = join(dir, `${name.replaceAll(' ', '-')}.${shard.index}.json`);
      const result = await runInChild(name, shard, file);
      if (!result) {
        failed = true;
        continue;
      }
      const got = [...(parts.get(name) ?? []), result];
      parts.set(name, got);
      if (got.length === SHARDS) process.stdout.write(line(merge(got)));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, JOBS) }, worker));
  const all = names.flatMap((name) => {
    const got = parts.get(name) ?? [];
    return got.length === SHARDS ? [merge(got)] : [];
  });
  failed ||= all.length < names.length || all.some((f) => !withinBounds(f));
  const wallS = (performance.now() - started) / 1000;
  process.stdout.write(
    `${failed ? 'FAIL' : 'ok'}: ${all.length} targets, ${SHARDS} process(es) each, ${JOBS} at a time, seed ${seed}, ${wallS.toFixed(0)} s\n`,
  );
  writeFileSync(
    join('test-output', 'fuzz.json'),
    `${JSON.stringify({ cases, seed, shards: SHARDS, jobs: JOBS, wallS, flags: CHILD_FLAGS, targets: all }, null, 2)}\n`,
  );
  process.exit(failed ? 1 : 0);
}

if (child) {
  const [index, of] = (process.env.XPC_LAB_FUZZ_SHARD ?? '0/1').split('/').map(Number);
  runChild(child, { index: index ?? 0, of: of ?? 1 }, process.env.XPC_LAB_FUZZ_OUT as string);
} else void runAll();
