// The whole suite: lint and format (Biome), types (tsc), then every test (Vitest:
// unit, integration with real helpers, e2e in Chromium), then the integration tests
// again with helpers as Electron utility processes (through the fake `electron` of
// test/support/fake-utility.ts). Ends with one plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const step = (label, cmd, args, env = process.env) => {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env });
  return result.status === 0;
};

mkdirSync('test-output', { recursive: true });
const lint = step('lint and format (biome check)', bin('biome'), ['check', '.']);
const types = step('types (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
const vitest = (label, report, args, env) =>
  step(
    label,
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    env,
  );
const runs = [
  { report: join('test-output', 'vitest.json') },
  { report: join('test-output', 'vitest-utility.json') },
];
for (const { report } of runs) rmSync(report, { force: true });
const unitToE2e = vitest('tests (vitest)', runs[0].report, process.argv.slice(2));
const underUtility = vitest(
  'integration tests again, helpers as utility processes (XPC_LAB_TEST_SPAWNER=utility)',
  runs[1].report,
  ['test/integration'],
  { ...process.env, XPC_LAB_TEST_SPAWNER: 'utility' },
);
const tests = unitToE2e && underUtility;

let passed = 0;
let failed = 0;
let skipped = 0;
for (const { report } of runs) {
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    failed += 1;
  }
}
if (!lint) failed += 1;
if (!types) failed += 1;
process.stdout.write(`\nlint: ${lint ? 'ok' : 'FAILED'} · types: ${types ? 'ok' : 'FAILED'}\n`);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(lint && types && tests && failed === 0 ? 0 : 1);
