// The whole suite: lint and format (Biome), types (tsc), then every test (Vitest:
// unit and e2e in Chromium; then the integration tests, with real helpers, on their own
// turn, once with helpers as child processes and once as Electron utility processes (the fake `electron` of
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
const filters = process.argv.slice(2);
const runs = [
  { report: join('test-output', 'vitest.json') },
  { report: join('test-output', 'vitest-integration.json') },
  { report: join('test-output', 'vitest-utility.json') },
];
for (const { report } of runs) rmSync(report, { force: true });
// The integration tests time real helper processes against each other (the flood test compares round-trip
// percentiles), so a whole run gives them a turn of their own, once per spawner, not beside the e2e tests'
// Chromium. With filters, the filtered run includes them as asked.
const unitToE2e = vitest(
  filters.length > 0 ? 'tests (vitest)' : 'tests (vitest): unit and e2e',
  runs[0].report,
  filters.length > 0 ? filters : ['--exclude', 'test/integration/**'],
);
if (filters.length > 0) runs.splice(1, 1);
const underChildProcess =
  filters.length > 0 ||
  vitest('integration tests, helpers as child processes', runs[1].report, ['test/integration']);
const underUtility = vitest(
  'integration tests again, helpers as utility processes (XPC_LAB_TEST_SPAWNER=utility)',
  runs.at(-1).report,
  ['test/integration'],
  { ...process.env, XPC_LAB_TEST_SPAWNER: 'utility' },
);
const tests = unitToE2e && underChildProcess && underUtility;

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
