import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioInfo } from '../../preload/contract';
import type { Spawner } from '../broker/spawner';
import { loadScenario } from '../scenario/load';
import { runScenario } from '../scenario/runner';
import type { ScenarioService } from '../session/session';
import { defaultSessionsDir } from '../trace/live-recording';
import { defaultSessionPath, TraceRecorder } from '../trace/recorder';
import { loadWorld } from '../world/load';
import { packageRoot } from './paths';

/**
 * The scenarios a console may run: those shipped in assets/scenarios and those
 * in the open world's own scenarios/ folder. The console names one by file
 * name; it can never name a path.
 */
export function scenarioService(
  worldDir: string,
  spawner: () => Spawner,
  sessionsDir: string = defaultSessionsDir(),
): ScenarioService {
  const folders = [join(packageRoot(), 'assets', 'scenarios'), join(worldDir, 'scenarios')].filter((d) =>
    existsSync(d),
  );
  const find = (file: string): string | undefined =>
    folders
      .map((d) => join(d, file))
      .find((p) => /\.(ya?ml|json)$/.test(file) && !file.includes('/') && existsSync(p));
  return {
    list(): ScenarioInfo[] {
      return folders.flatMap((dir) =>
        readdirSync(dir)
          .filter((f) => /\.(ya?ml|json)$/.test(f))
          .sort()
          .map((file) => {
            try {
              const s = loadScenario(join(dir, file));
              return { file, name: s.name, steps: s.steps.length };
            } catch (error) {
              return {
                file,
                name: `${file} (cannot be read: ${error instanceof Error ? error.message : String(error)})`,
                steps: 0,
              };
            }
          }),
      );
    },
    async run(file, report) {
      const path = find(file);
      if (!path) throw new Error(`no scenario named ${file}; choose one from the list`);
      const scenario = loadScenario(path);
      const { world, diagnostics } = loadWorld(scenario.world ?? worldDir);
      const trace = defaultSessionPath(sessionsDir, new Date()).replace(
        'session-',
        `scenario-${file.replace(/\.\w+$/, '')}-`,
      );
      const recorder = new TraceRecorder({
        path: trace,
        header: { host: 'cli', world: world.name, source: file },
        overwrite: true,
      });
      report({ phase: 'started', index: 0, total: scenario.steps.length, description: scenario.name });
      const result = await runScenario({
        scenario,
        world,
        diagnostics,
        spawner: spawner(),
        onEvent: (e) => recorder.append([e]),
        onStep: (step, total) =>
          report({
            phase: 'step',
            index: step.index,
            total,
            description: step.description,
            ok: step.ok,
            ...(step.message ? { message: step.message } : {}),
          }),
      });
      await recorder.close();
      const passed = result.steps.filter((s) => s.ok).length;
      return {
        ok: result.ok,
        passed,
        total: scenario.steps.length,
        trace: recorder.failed ? undefined : trace,
      };
    },
  };
}
