import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseScenario, ScenarioError } from './parse';
import type { Scenario } from './schema';

/** Reads and validates a scenario file; a `world` it names is resolved against the file's folder. */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const scenario = parseScenario(text, path);
  return scenario.world ? { ...scenario, world: resolve(dirname(path), scenario.world) } : scenario;
}
