import { create } from 'zustand';
import type { EventOf } from '../../../main/trace/schema';
import type { ScenarioInfo } from '../../../preload/contract';

export interface StepOutcome {
  index: number;
  description?: string;
  ok?: boolean;
  message?: string;
}

export interface ScenarioRun {
  file: string;
  total: number;
  steps: StepOutcome[];
  /** Set by the `done` event, or by the command's reply if that comes first. */
  verdict?: { ok: boolean; trace?: string; message?: string };
}

interface ScenariosState {
  list: ScenarioInfo[] | null;
  run: ScenarioRun | null;
}

/** Lives outside the panel so a run keeps its progress while another tab is open. */
export const useScenarios = create<ScenariosState>(() => ({ list: null, run: null }));

/** Folds one `scenario` event into the run on screen. */
export function scenarioProgress(e: EventOf<'scenario'>): void {
  useScenarios.setState(({ run }) => {
    if (e.phase === 'started') return { run: { file: e.scenario, total: e.total, steps: [] } };
    if (!run || run.file !== e.scenario) return {};
    if (e.phase === 'step') {
      const step = { index: e.index, description: e.description, ok: e.ok, message: e.message };
      return { run: { ...run, total: e.total, steps: [...run.steps, step] } };
    }
    return { run: { ...run, verdict: { ok: e.ok ?? false, trace: e.trace, message: e.message } } };
  });
}
