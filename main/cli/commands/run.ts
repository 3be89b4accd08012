import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildProcessSpawner } from '../../hosts/headless/child-spawner';
import { helperEntryPath } from '../../hosts/helper-path';
import { loadScenario } from '../../scenario/load';
import { junitReports, textReport } from '../../scenario/report';
import { runScenario, type ScenarioResult } from '../../scenario/runner';
import type { Scenario } from '../../scenario/schema';
import { TraceRecorder } from '../../trace/recorder';
import { loadWorld } from '../../world/load';
import { type CliCommand, EXIT, InputError, printJson, say } from '../command';
import { progressLine } from '../progress';

interface RunOptions {
  scenario: string[];
  trace?: string;
  junit?: string;
  json?: boolean;
}

/** A scenario file, or every .yaml/.yml file in a folder, in name order. */
function scenarioFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // A missing file is named by loadScenario, with the rest of its checks.
    }
    if (!isDir) return [path];
    const files = readdirSync(path)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(path, name));
    if (files.length === 0) throw new InputError(`${path}: the folder holds no .yaml scenario`);
    return files;
  });
}

function jsonResult(result: ScenarioResult) {
  return {
    name: result.scenario.name,
    file: result.scenario.file,
    ok: result.ok,
    durationMs: Math.round(result.durationMs),
    steps: result.steps.map((s) => ({
      index: s.index,
      name: s.name,
      description: s.description,
      ok: s.ok,
      ...(s.message === undefined ? {} : { message: s.message }),
    })),
    notRun: result.scenario.steps.length - result.steps.length,
  };
}

async function runOne(
  scenario: Scenario,
  worldDir: string,
  tracePath: string | undefined,
  onStep: (done: number, total: number) => void,
): Promise<ScenarioResult> {
  const { world, diagnostics } = loadWorld(worldDir);
  for (const d of diagnostics.filter((x) => x.severity === 'error')) {
    say(`world ${d.file ? `${d.file}: ` : ''}${d.message}`);
  }
  const recorder = tracePath
    ? new TraceRecorder({
        path: tracePath,
        header: { host: 'cli', world: world.name, source: scenario.file },
        overwrite: true,
        onError: (e) => say(`xpc-lab run: trace ${e.path}: ${e.message}`),
      })
    : undefined;
  const spawner = new ChildProcessSpawner(helperEntryPath());
  try {
    return await runScenario({
      scenario,
      world,
      diagnostics,
      spawner,
      onEvent: (e) => recorder?.append([e]),
      onStep: (step, total) => onStep(step.index, total),
    });
  } finally {
    spawner.dispose();
    await recorder?.close();
  }
}

/** `xpc-lab run [world-dir] --scenario <file-or-folder>…`: exit 0 only when every expectation of every scenario holds. */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run scenarios against a world with real helpers; exit 1 when an expectation fails',
  define(command) {
    command
      .argument('[world-dir]', "the world to run them in (each scenario's own `world:` when not given)")
      .requiredOption(
        '--scenario <file>',
        'a scenario file, or a folder of them; repeat for more',
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .option('--trace <file>', 'record the events as an NDJSON trace (one scenario only)')
      .option('--junit <file>', 'write a JUnit XML report (one test suite per scenario)')
      .option('--json', 'print the results as JSON');
  },
  examples: [
    'xpc-lab run --scenario assets/scenarios/sandbox-lookup-159.yaml',
    'xpc-lab run --scenario assets/scenarios --junit results.xml',
  ],
  json: '{ "ok": bool, "passed": count, "failed": count, "scenarios": [{ "name", "file", "ok", "durationMs", "steps": [{ "index", "name", "description", "ok", "message"? }], "notRun": count }] }',
  async run([worldArg], options) {
    const opts = options as unknown as RunOptions;
    const files = scenarioFiles(opts.scenario);
    if (opts.trace && files.length > 1)
      throw new InputError(`--trace records one scenario; ${files.length} were given`);
    // Every scenario is read before any runs, so a bad file stops the command before helpers start.
    const scenarios = files.map((file) => {
      const scenario = loadScenario(file);
      const world = worldArg ?? scenario.world;
      if (!world) throw new InputError(`${file}: name a world folder, or give the scenario a \`world:\` key`);
      return { scenario, world };
    });
    const progress = progressLine();
    const results: ScenarioResult[] = [];
    for (const [i, { scenario, world }] of scenarios.entries()) {
      const where = `scenario ${i + 1} of ${scenarios.length}: ${scenario.name}`;
      progress.update(where);
      const result = await runOne(scenario, world, opts.trace, (done, total) =>
        progress.update(`${where}, step ${done} of ${total}`),
      );
      progress.done();
      results.push(result);
      if (!opts.json) process.stdout.write(`${textReport(result)}\n`);
    }
    const failed = results.filter((r) => !r.ok).length;
    if (opts.junit) writeFileSync(opts.junit, junitReports(results));
    if (opts.json) {
      printJson({
        ok: failed === 0,
        passed: results.length - failed,
        failed,
        scenarios: results.map(jsonResult),
      });
    } else if (results.length > 1) {
      process.stdout.write(`${results.length - failed} of ${results.length} scenarios passed\n`);
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
