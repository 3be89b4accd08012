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
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FuzzFigures, fuzzTarget, withinBounds } from './check';
import { TARGETS } from './targets';

export interface TargetRun extends FuzzFigures {
  /** RSS just before the first case and its high-water over the run, in MB. */
  rssStartMb: number;
  rssPeakMb: number;
  /** The heap left once the target ran and everything collectable was collected, against before it: what cases retained. */
  retainedMb: number;
  wallS: number;
}

const MB = 1024 * 1024;
const cases = Number(process.env.XPC_LAB_FUZZ_CASES ?? 1_000_000);
/** fast-check's seed: given, or drawn once by the parent and handed to every target, so a run can be repeated. */
const seed = Number(process.env.XPC_LAB_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const child = process.env.XPC_LAB_FUZZ_CHILD;
/** How many targets run at once, each in its own process (1 by default: one target per core keeps the timings honest). */
const JOBS = Number(process.env.XPC_LAB_FUZZ_JOBS ?? 1);
/**
 * A target's process: gc() for fuzz/check.ts's lone runs, and a young generation
 * large enough that the collector runs during fewer cases (each such case is
 * run again to measure its peak).
 */
const CHILD_FLAGS = ['--expose-gc', '--max-semi-space-size=64'];

/** In a target's own process: run it and write its figures to the file the parent named. */
function runChild(name: string, out: string): void {
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
  const figures = fuzzTarget(target, cases, {
    seed,
    progress: {
      every: 100_000,
      report: (n) =>
        process.stderr.write(
          `     ${name}: ${n} cases, ${((performance.now() - started) / 1000).toFixed(0)} s, RSS ${(process.memoryUsage.rss() / MB).toFixed(0)} MB\n`,
        ),
    },
  });
  const wallS = (performance.now() - started) / 1000;
  const rssPeakMb = process.resourceUsage().maxRSS / 1024;
  global.gc?.();
  const run: TargetRun = {
    ...figures,
    rssStartMb,
    rssPeakMb,
    retainedMb: (process.memoryUsage().heapUsed - heapBefore) / MB,
    wallS,
  };
  writeFileSync(out, JSON.stringify(run));
}

/** One target in a process of its own; resolves with its figures, or undefined if the process died without them. */
function runInChild(name: string, out: string): Promise<TargetRun | undefined> {
  return new Promise((done) => {
    const proc = spawn(process.execPath, [...CHILD_FLAGS, process.argv[1] as string], {
      stdio: 'inherit',
      env: {
        ...process.env,
        XPC_LAB_FUZZ_CHILD: name,
        XPC_LAB_FUZZ_OUT: out,
        XPC_LAB_FUZZ_SEED: String(seed),
      },
    });
    proc.on('close', (code, signal) => {
      try {
        done(JSON.parse(readFileSync(out, 'utf8')) as TargetRun);
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
    `${f.casesPerSecond.toFixed(0)} cases/s, ${f.wallS.toFixed(0)} s\n` +
    (f.firstEscape ? `     first escape: ${f.firstEscape.error}\n     input: ${f.firstEscape.input}\n` : '')
  );
}

async function runAll(): Promise<void> {
  const only = process.env.XPC_LAB_FUZZ_TARGETS?.split(',').map((s) => s.trim().toLowerCase());
  const names = TARGETS.map((t) => t.name).filter(
    (name) => !only || only.some((o) => name.toLowerCase().includes(o)),
  );
  const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-fuzz-'));
  const results: (TargetRun | undefined)[] = [];
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const result = await runInChild(names[i] as string, join(dir, `${i}.json`));
      results[i] = result;
      if (result) process.stdout.write(line(result));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, JOBS) }, worker));
  rmSync(dir, { recursive: true, force: true });
  const all = results.filter((r): r is TargetRun => r !== undefined);
  const failed = all.length < names.length || all.some((f) => !withinBounds(f));
  const wallS = (performance.now() - started) / 1000;
  process.stdout.write(
    `${failed ? 'FAIL' : 'ok'}: ${all.length} targets, ${JOBS} at a time, ${wallS.toFixed(0)} s\n`,
  );
  mkdirSync('test-output', { recursive: true });
  writeFileSync(
    'test-output/fuzz.json',
    `${JSON.stringify({ cases, seed, jobs: JOBS, wallS, flags: CHILD_FLAGS, targets: all }, null, 2)}\n`,
  );
  process.exit(failed ? 1 : 0);
}

if (child) runChild(child, process.env.XPC_LAB_FUZZ_OUT as string);
else void runAll();
