import { describe, expect, it } from 'vitest';
import { fuzzTarget } from '../../fuzz/check';
import { TARGETS } from '../../fuzz/targets';

/** A short run of every fuzz target: `npm run fuzz` runs a million cases of each. */
const CASES = Number(process.env.XPC_LAB_FUZZ_TEST_CASES ?? 60);

describe('fuzzing (short run)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: ${CASES} mutated inputs, each answered or refused with the project's own error`, () => {
      const figures = fuzzTarget(target, CASES);
      expect(figures.cases).toBe(CASES);
      expect(figures.firstEscape).toBeUndefined();
      expect(figures.escapes).toBe(0);
      expect(figures.slowestAlone.aloneMs).toBeLessThan(1000);
      expect(figures.peakCaseMb).toBeLessThan(64);
    });
  }
});
