import { describe, expect, it } from 'vitest';
import { fuzzTarget } from '../../fuzz/check';
import { SCENARIO_SEED, TARGETS, WORLD_FILES, WORLD_ROOT } from '../../fuzz/targets';
import { parseScenario } from '../../main/scenario/parse';
import { loadWorld } from '../../main/world/load';
import { memoryFs } from '../../main/world/world-fs';

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

describe('the seeds the targets mutate', () => {
  it('the world held in memory loads whole: the app and its agent, the script found, nothing refused', () => {
    const { world, diagnostics } = loadWorld(WORLD_ROOT, { fs: memoryFs(WORLD_ROOT, WORLD_FILES) });
    expect(world.jobs.map((j) => j.label).sort()).toEqual(['com.pebble.notes', 'com.pebble.notes.sync']);
    expect(world.jobs.find((j) => j.label === 'com.pebble.notes')?.bundleVersion).toBe('87');
    expect(world.jobs.find((j) => j.label === 'com.pebble.notes.sync')?.behaviours[0]).toMatchObject({
      kind: 'script',
      path: `${WORLD_ROOT}/scripts/pebble-sync.mjs`,
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('the scenario written for fuzzing parses, its alias expanded', () => {
    const scenario = parseScenario(SCENARIO_SEED, 'seed.yaml');
    expect(scenario.steps.map((s) => s.kind)).toEqual([
      'connect',
      'send',
      'expect',
      'crash',
      'expect',
      'wait',
      'send',
      'expect',
    ]);
    expect(scenario.steps[6]?.arg).toEqual(scenario.steps[1]?.arg);
  });
});
