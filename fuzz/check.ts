/**
 * Runs one fuzz target and measures every case: did it escape, how long did
 * it take, how much memory did it take.
 *
 * Every case runs with V8's GC profiler on, which lists each collection that
 * ran during it: its kind, its cost, and the heap just before it.
 *
 * Time. Each case is timed alone (performance.now() around the target's run,
 * not around fast-check's generation), and the collector's share of that time
 * is known from the profiler. A case is a function of its input, so a case
 * slower than RERUN_MS in the run is run again by itself after a collection of
 * the young generation and, if still over RERUN_MS, up to twice more after
 * full collections: its time in the fastest lone run is the case's own time;
 * the rest was a collector pause it did not cause, or the machine being busy.
 * Both are reported; only the lone time is held to the 1 s bound.
 *
 * Memory. "Heap" here is V8's used heap plus the external memory Buffers hold.
 * V8 frees memory only when it collects, so for a case during which no
 * collection ran, the heap after it less the heap before it is exactly what
 * it allocated. A case during which the collector ran is run again by itself
 * after a collection of the young generation (a full one if the lone run still
 * met a full collection), so nothing but its own allocations can be freed
 * while it runs: its peak is the larger of the heap just before each
 * collection of that lone run and the heap at its end, less the heap before
 * it. So every case has an exact peak, held to the 64 MB bound. fuzz/run.ts
 * adds a second, independent bound: each target runs in its own process,
 * whose RSS high-water above its RSS before the first case bounds what any
 * one case held at once.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { FuzzTarget } from './targets';

/** A case slower than this in the run is run again by itself, up to LONE_RUNS times. */
export const RERUN_MS = 100;
export const LONE_RUNS = 3;
/** The bounds a case must stay within: its own time and its peak memory. */
export const LIMIT_MS = 1000;
export const LIMIT_MB = 64;

const MB = 1024 * 1024;

export interface CaseTime {
  input: string;
  /** Its time within the run, and the collector's share of it. */
  runMs: number;
  runGcMs: number;
  /** Its time run alone (the fastest of up to LONE_RUNS lone runs). */
  aloneMs: number;
  /** Time the collector spent during that lone run. */
  aloneGcMs: number;
}

export interface FuzzFigures {
  target: string;
  cases: number;
  /** Cases whose error was not the project's own, with the first one's input and error. */
  escapes: number;
  firstEscape?: { input: string; error: string };
  /** The slowest case as timed within the run (a collector pause during it counts). */
  slowestInRun: CaseTime;
  /** The slowest case run alone: the figure held to LIMIT_MS. */
  slowestAlone: CaseTime;
  /** Cases over RERUN_MS in the run, each run again alone. */
  rerunForTime: number;
  /** Cases over LIMIT_MS in the run but under it alone: collector pauses or a busy machine. */
  pauses: number;
  /** The largest peak memory of one case, in MB, with its input. */
  peakCaseMb: number;
  peakCaseInput: string;
  /** Cases during which the collector ran, each run again to measure its peak. */
  rerunForMemory: number;
  totalMs: number;
  casesPerSecond: number;
}

const show = (input: unknown) => {
  const text =
    typeof input === 'string'
      ? JSON.stringify(input)
      : Buffer.isBuffer(input)
        ? `<${input.toString('hex')}>`
        : fc.stringify(input);
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text;
};

/** V8's collector, exposed without a command-line flag so the short run under vitest measures the same way. */
const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (options?: { type: 'major' | 'minor'; execution: 'sync' }) => void;
})();

/** The heap V8 manages plus the memory Buffers hold outside it. */
function heapBytes(): number {
  const s = v8.getHeapStatistics();
  return s.used_heap_size + s.external_memory;
}

interface Measured {
  ms: number;
  gcMs: number;
  /** The largest heap growth seen: just before each collection, and at the end. */
  peakBytes: number;
  collections: number;
  /** A full (mark-compact) collection ran during it. */
  full: boolean;
}

const profiler = new v8.GCProfiler();

/** Runs one case with the GC profiler on; a throw is the caller's to judge. */
function measure(target: FuzzTarget<never>, input: never): Measured & { error?: unknown } {
  profiler.start();
  const before = heapBytes();
  const t0 = performance.now();
  let error: unknown;
  let threw = false;
  try {
    target.run(input);
  } catch (e) {
    threw = true;
    error = e;
  }
  const ms = performance.now() - t0;
  const after = heapBytes();
  const { statistics } = profiler.stop();
  let peak = after;
  let gcUs = 0;
  let full = false;
  for (const s of statistics) {
    gcUs += s.cost;
    full ||= s.gcType === 'MarkSweepCompact';
    const heap = s.beforeGC.heapStatistics;
    peak = Math.max(peak, heap.usedHeapSize + heap.externalMemory);
  }
  return {
    ms,
    gcMs: gcUs / 1000,
    peakBytes: peak - before,
    collections: statistics.length,
    full,
    ...(threw ? { error } : {}),
  };
}

/** One case run by itself, after a collection of the young generation or a full one. */
function runAlone(target: FuzzTarget<never>, input: never, full: boolean): Measured {
  gc({ type: full ? 'major' : 'minor', execution: 'sync' });
  const alone = measure(target, input);
  return alone.full && !full ? runAlone(target, input, true) : alone;
}

export interface FuzzOptions {
  seed?: number;
  /** Called every `every` cases with the figures so far. */
  progress?: { every: number; report(figures: FuzzFigures): void };
}

/** Runs `cases` cases of one target with fast-check, counting escapes and measuring each case. */
export function fuzzTarget(target: FuzzTarget<never>, cases: number, options: FuzzOptions = {}): FuzzFigures {
  const blank: CaseTime = { input: '', runMs: 0, runGcMs: 0, aloneMs: 0, aloneGcMs: 0 };
  const figures: FuzzFigures = {
    target: target.name,
    cases: 0,
    escapes: 0,
    slowestInRun: blank,
    slowestAlone: blank,
    rerunForTime: 0,
    pauses: 0,
    peakCaseMb: 0,
    peakCaseInput: '',
    rerunForMemory: 0,
    totalMs: 0,
    casesPerSecond: 0,
  };
  const { progress } = options;
  const note = (time: CaseTime, input?: unknown) => {
    const shown = () => (input === undefined ? time : { ...time, input: show(input) });
    if (time.runMs > figures.slowestInRun.runMs) figures.slowestInRun = shown();
    if (time.aloneMs > figures.slowestAlone.aloneMs) figures.slowestAlone = shown();
  };
  const started = performance.now();
  fc.assert(
    fc.property(target.arbitrary, (input) => {
      figures.cases++;
      const run = measure(target, input);
      if ('error' in run && !target.expected?.(run.error)) {
        figures.escapes++;
        figures.firstEscape ??= {
          input: show(input),
          error: run.error instanceof Error ? `${run.error.name}: ${run.error.message}` : String(run.error),
        };
      }
      let peak = run.peakBytes;
      if (run.collections > 0) {
        // The collector ran during the case and may have freed earlier cases' garbage: measured again alone.
        figures.rerunForMemory++;
        peak = runAlone(target, input, false).peakBytes;
      }
      if (run.ms > RERUN_MS) {
        figures.rerunForTime++;
        // Alone after a young-generation collection; if still slow, again after full ones (a busy machine can
        // deschedule a lone run too): the fastest is the case's own time.
        let alone = runAlone(target, input, false);
        for (let i = 1; i < LONE_RUNS && alone.ms > RERUN_MS; i++) {
          const again = runAlone(target, input, true);
          if (again.ms < alone.ms) alone = again;
        }
        const time: CaseTime = {
          input: show(input),
          runMs: run.ms,
          runGcMs: run.gcMs,
          aloneMs: alone.ms,
          aloneGcMs: alone.gcMs,
        };
        if (run.ms > LIMIT_MS && alone.ms <= LIMIT_MS) figures.pauses++;
        peak = Math.max(peak, alone.peakBytes);
        note(time);
      } else if (run.ms > figures.slowestAlone.aloneMs || run.ms > figures.slowestInRun.runMs) {
        // Under RERUN_MS in the run: its time alone is at most that.
        note({ input: '', runMs: run.ms, runGcMs: run.gcMs, aloneMs: run.ms, aloneGcMs: run.gcMs }, input);
      }
      if (peak / MB > figures.peakCaseMb) {
        figures.peakCaseMb = peak / MB;
        figures.peakCaseInput = show(input);
      }
      if (progress && figures.cases % progress.every === 0) {
        figures.totalMs = performance.now() - started;
        figures.casesPerSecond = figures.cases / (figures.totalMs / 1000);
        progress.report(figures);
      }
      return true;
    }),
    { numRuns: cases, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  figures.totalMs = performance.now() - started;
  figures.casesPerSecond = figures.cases / (figures.totalMs / 1000);
  return figures;
}

/** Whether a target's figures meet the bounds: no escape, no case over 1 s alone or over 64 MB. */
export function withinBounds(f: FuzzFigures): boolean {
  return f.escapes === 0 && f.slowestAlone.aloneMs <= LIMIT_MS && f.peakCaseMb <= LIMIT_MB;
}
