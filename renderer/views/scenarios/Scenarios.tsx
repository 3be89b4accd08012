import { useEffect } from 'react';
import type { ScenarioInfo } from '../../../preload/contract';
import { actions, run as invoke, notify, useConsole } from '../../store';
import { type ScenarioRun, type StepOutcome, useScenarios } from './state';

async function loadList(): Promise<void> {
  const list = await invoke('list scenarios', (b) => b.invoke({ type: 'listScenarios' }));
  if (list) useScenarios.setState({ list });
}

async function runScenario(file: string): Promise<void> {
  useScenarios.setState({ run: { file, total: 0, steps: [] } });
  const r = await invoke(`run ${file}`, (b) => b.invoke({ type: 'runScenario', file }));
  // The reply can overtake the last events; it carries the same verdict.
  useScenarios.setState(({ run }) =>
    run?.file === file && !run.verdict
      ? { run: { ...run, verdict: r ? { ok: r.ok, trace: r.trace } : { ok: false, message: 'did not run' } } }
      : {},
  );
}

/** Opens the run's trace in the console, as the world picker would (the page starts over on success). */
async function openTrace(path: string): Promise<void> {
  try {
    await actions.open(path);
  } catch (error) {
    notify(`Could not open ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function ScenarioList({ list, busy }: { list: ScenarioInfo[]; busy: boolean }) {
  return (
    <table className="scenario-list" aria-label="Scenarios">
      <thead>
        <tr>
          <th>Scenario</th>
          <th>File</th>
          <th>Steps</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {list.map((s) => (
          <tr key={s.file} data-file={s.file}>
            <td>{s.name}</td>
            <td className="mono muted">{s.file}</td>
            <td>{s.steps}</td>
            <td>
              <button
                type="button"
                className="small"
                disabled={busy}
                aria-label={`Run ${s.file}`}
                onClick={() => void runScenario(s.file)}
              >
                Run
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `n` is the step's place in the run: the events' index is not a reliable ordinal. */
function Step({ step, n, total }: { step: StepOutcome; n: number; total: number }) {
  return (
    <li className={step.ok === false ? 'step-bad' : 'step-ok'}>
      <span aria-hidden="true">{step.ok === false ? '✗' : '✓'}</span>{' '}
      <span className="mono muted">
        {n}/{total}
      </span>{' '}
      {step.description ?? 'step'}
      {step.message ? <div className="muted step-message">{step.message}</div> : null}
    </li>
  );
}

function Progress({ run }: { run: ScenarioRun }) {
  const { verdict } = run;
  const failed = run.steps.filter((s) => s.ok === false).length;
  return (
    <section className="scenario-run" aria-label="Scenario progress">
      <h3>
        {run.file}{' '}
        <span className="muted">{verdict ? 'finished' : `step ${run.steps.length}/${run.total || '…'}`}</span>
      </h3>
      <progress value={run.steps.length} max={run.total || 1} aria-label="Steps done" />
      <ol className="steps">
        {run.steps.map((s, i) => (
          <Step key={s.index} step={s} n={i + 1} total={run.total} />
        ))}
      </ol>
      {verdict ? (
        <p className={`verdict ${verdict.ok ? 'verdict-ok' : 'verdict-bad'}`} role="status">
          {verdict.ok
            ? `Passed: ${run.steps.length} of ${run.total} steps`
            : `Failed: ${failed} of ${run.total} steps${verdict.message ? ` (${verdict.message})` : ''}`}
        </p>
      ) : null}
      {verdict?.trace ? (
        <p className="muted">
          Trace: <span className="mono trace-path">{verdict.trace}</span>{' '}
          <button type="button" className="small" onClick={() => void openTrace(verdict.trace as string)}>
            Open this trace
          </button>{' '}
          (or later: the world's name in the header, or Ctrl/⌘ O, and this path)
        </p>
      ) : null}
    </section>
  );
}

/** The bundled scenarios, each run in its own world with real helpers. */
export function Scenarios() {
  const mode = useConsole((s) => s.mode);
  const { list, run } = useScenarios();
  useEffect(() => {
    if (mode === 'live' && !useScenarios.getState().list) void loadList();
  }, [mode]);
  const busy = !!run && !run.verdict;
  return (
    <div className="panel scenarios">
      {mode === 'trace' ? <p className="hint">A recorded trace is open: scenarios run only live.</p> : null}
      {run ? <Progress run={run} /> : null}
      {list ? <ScenarioList list={list} busy={busy} /> : null}
    </div>
  );
}
