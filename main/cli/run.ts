import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChildProcessSpawner } from '../hosts/headless/child-spawner';
import { helperEntryPath } from '../hosts/helper-path';
import { loadScenario } from '../scenario/load';
import { ScenarioError } from '../scenario/parse';
import { junitReport, textReport } from '../scenario/report';
import { runScenario } from '../scenario/runner';
import { TraceRecorder } from '../trace/recorder';
import { loadWorld } from '../world/load';

/** `xpc-lab run [world-dir] --scenario <file> [--trace out.ndjson] [--junit out.xml]`: exit 0 only when every expectation holds. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { scenario: { type: 'string' }, trace: { type: 'string' }, junit: { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.scenario) {
    process.stderr.write('xpc-lab run: name a scenario file with --scenario <file>\n');
    return 2;
  }
  let scenario: ReturnType<typeof loadScenario>;
  try {
    scenario = loadScenario(values.scenario);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    process.stderr.write(`xpc-lab run: ${error.message}\n`);
    return 2;
  }
  const worldDir = positionals[0] ?? scenario.world;
  if (!worldDir) {
    process.stderr.write(`xpc-lab run: name a world folder, or give the scenario a \`world:\` key\n`);
    return 2;
  }
  const { world, diagnostics } = loadWorld(worldDir);
  for (const d of diagnostics.filter((x) => x.severity === 'error')) {
    process.stderr.write(`world ${d.file ? `${d.file}: ` : ''}${d.message}\n`);
  }
  const recorder = values.trace
    ? new TraceRecorder({
        path: values.trace,
        header: { host: 'cli', world: world.name, source: scenario.file },
        overwrite: true,
        onError: (e) => process.stderr.write(`xpc-lab run: trace ${e.path}: ${e.message}\n`),
      })
    : undefined;
  const spawner = new ChildProcessSpawner(helperEntryPath());
  try {
    const result = await runScenario({
      scenario,
      world,
      diagnostics,
      spawner,
      onEvent: (e) => recorder?.append([e]),
    });
    if (values.junit) writeFileSync(values.junit, junitReport(result));
    process.stdout.write(`${textReport(result)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    spawner.dispose();
    await recorder?.close();
  }
}
