import type { Progress } from '../../preload/contract';
import { type Clock, systemClock } from '../broker/spawner';
import type { Session } from '../session/session';
import type { TraceEvent } from '../trace/schema';

export interface StartupReport {
  /** Helpers launched at load: RunAtLoad and KeepAlive jobs, and apps. */
  total: number;
  /** Those that came up: checked in, connected, or (with nothing to say) spawned. */
  up: number;
  /** Labels whose process exited before it came up. */
  exited: string[];
  /** Labels not heard from when the wait ended. */
  silent: string[];
  ms: number;
}

export interface StartupStep {
  progress: Progress;
  /** The helper this step is about; absent for the first and the last. */
  helper?: { label: string; pid?: number; outcome: 'up' | 'exited' };
  report?: StartupReport;
}

export interface StartupWatch {
  done: Promise<StartupReport>;
  /** Stops following (the session is being replaced); `done` never resolves after this. */
  cancel(): void;
}

interface Waiting {
  label: string;
  pid: number | undefined;
  /** A job with neither services nor behaviours never speaks: its spawn is all there is to wait for. */
  quiet: boolean;
  settled?: 'up' | 'exited';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the header and the command line say when the wait is over. */
export function describeStartup(r: StartupReport): string {
  if (r.total === 0) return 'No helpers start at load';
  const head =
    r.up === r.total
      ? `Started ${plural(r.total, 'helper')}`
      : `Started ${r.up} of ${plural(r.total, 'helper')}`;
  const notes = [
    r.exited.length ? `exited before coming up: ${r.exited.join(', ')}` : '',
    r.silent.length ? `not heard from yet: ${r.silent.join(', ')}` : '',
  ].filter(Boolean);
  return `${head} in ${Math.round(r.ms)} ms${notes.length ? `; ${notes.join('; ')}` : ''}`;
}

/**
 * Starts a session and follows the helpers it launches at load until each is
 * up, counting from the event stream: a helper is up once it checks in a
 * listener or opens a connection (its runtime is running and speaking to the
 * broker). Each step goes into `session.progress`, which every batch carries
 * to the console's header. A helper that never speaks does not hold the
 * header forever: after `deadlineMs` the wait ends and names it.
 */
export function startWithProgress(
  session: Session,
  options: { onStep?: (step: StartupStep) => void; deadlineMs?: number; clock?: Clock } = {},
): StartupWatch {
  const clock = options.clock ?? systemClock;
  const began = clock.now();
  const waiting = new Map<string, Waiting>();
  let cancelled = false;
  let finished = false;
  let resolveDone: (r: StartupReport) => void = () => {};
  const done = new Promise<StartupReport>((resolve) => (resolveDone = resolve));

  const early: TraceEvent[] = [];
  let ready = false;
  const unsubscribe = session.hub.subscribe((e) => (ready ? see(e) : early.push(e)));
  session.start();
  for (const proc of session.broker.processes()) {
    waiting.set(proc.job.label, {
      label: proc.job.label,
      pid: proc.pid,
      quiet: proc.job.machServices.length === 0 && proc.job.behaviours.length === 0,
    });
  }
  const total = waiting.size;
  const settled = () => [...waiting.values()].filter((w) => w.settled).length;
  const upCount = () => [...waiting.values()].filter((w) => w.settled === 'up').length;

  const report = (): StartupReport => {
    const all = [...waiting.values()];
    return {
      total,
      up: upCount(),
      exited: all.filter((w) => w.settled === 'exited').map((w) => w.label),
      silent: all.filter((w) => !w.settled).map((w) => w.label),
      ms: clock.now() - began,
    };
  };

  const finish = () => {
    if (finished || cancelled) return;
    finished = true;
    deadline.cancel();
    unsubscribe();
    const r = report();
    const progress: Progress = { kind: 'helpers', done: total, total, label: describeStartup(r) };
    session.setProgress(progress);
    options.onStep?.({ progress, report: r });
    resolveDone(r);
  };

  const settle = (w: Waiting, outcome: 'up' | 'exited') => {
    if (w.settled || finished || cancelled) return;
    w.settled = outcome;
    const n = settled();
    const progress: Progress = {
      kind: 'helpers',
      done: n,
      total,
      label: `Starting helpers ${upCount()} of ${total}`,
    };
    // The last one goes straight to the final line: "Starting helpers 5 of 5" would read as still starting.
    if (n < total) session.setProgress(progress);
    options.onStep?.({ progress, helper: { label: w.label, pid: w.pid, outcome } });
    if (n === total) finish();
  };

  const byPid = (pid: number) => [...waiting.values()].find((w) => w.pid === pid);

  function see(e: TraceEvent): void {
    if (e.kind === 'process.spawn') {
      const w = waiting.get(e.label);
      if (!w || w.settled) return;
      w.pid = e.pid;
      if (w.quiet) settle(w, 'up');
    } else if (e.kind === 'connection.state') {
      const w = byPid(e.pid);
      if (w) settle(w, 'up');
    } else if (e.kind === 'process.exit') {
      const w = byPid(e.pid) ?? waiting.get(e.label);
      if (w && (w.pid === undefined || w.pid === e.pid)) settle(w, 'exited');
    }
  }

  const deadline = clock.setTimeout(finish, options.deadlineMs ?? 15_000);
  const first: Progress = { kind: 'helpers', done: 0, total, label: `Starting helpers 0 of ${total}` };
  session.setProgress(first);
  options.onStep?.({ progress: first });
  ready = true;
  for (const e of early.splice(0)) see(e);
  if (total === 0) finish();

  return {
    done,
    cancel() {
      if (cancelled || finished) return;
      cancelled = true;
      deadline.cancel();
      unsubscribe();
    },
  };
}
