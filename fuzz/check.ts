import fc from 'fast-check';
import type { FuzzTarget } from './targets';

export interface FuzzFigures {
  target: string;
  cases: number;
  /** Cases whose error was not the project's own, with the first one's input and error. */
  escapes: number;
  firstEscape?: { input: string; error: string };
  slowestMs: number;
  slowestInput: string;
  /** The largest growth of the heap during one case, in MB (an upper bound: garbage of earlier cases counts too). */
  maxHeapGrowthMb: number;
  totalMs: number;
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

/** Runs `cases` cases of one target with fast-check, counting escapes and measuring each case. */
export function fuzzTarget(target: FuzzTarget<never>, cases: number, seed?: number): FuzzFigures {
  const figures: FuzzFigures = {
    target: target.name,
    cases: 0,
    escapes: 0,
    slowestMs: 0,
    slowestInput: '',
    maxHeapGrowthMb: 0,
    totalMs: 0,
  };
  const started = performance.now();
  fc.assert(
    fc.property(target.arbitrary, (input) => {
      figures.cases++;
      const heap = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      try {
        target.run(input);
      } catch (error) {
        if (!target.expected?.(error)) {
          figures.escapes++;
          figures.firstEscape ??= {
            input: show(input),
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          };
        }
      }
      const ms = performance.now() - t0;
      if (ms > figures.slowestMs) {
        figures.slowestMs = ms;
        figures.slowestInput = show(input);
      }
      const grew = (process.memoryUsage().heapUsed - heap) / (1024 * 1024);
      if (grew > figures.maxHeapGrowthMb) figures.maxHeapGrowthMb = grew;
      return true;
    }),
    { numRuns: cases, ...(seed === undefined ? {} : { seed }) },
  );
  figures.totalMs = performance.now() - started;
  return figures;
}
