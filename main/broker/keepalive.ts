import type { ExitCause } from '../trace/schema';
import type { JobSpec, KeepAliveSpec } from '../world/model';
import { launchd, launchdPrefix } from './logs';
import type { Clock, TimerHandle } from './spawner';

export interface ExitFacts {
  cause: ExitCause;
  code: number | null;
  clean: boolean;
  ranForMs: number;
}

const CRASH_CAUSES: ReadonlySet<ExitCause> = new Set(['crash']);

/**
 * launchd.plist(5) KeepAlive (XPC-MODEL §4.1): `true` restarts always; a
 * dictionary ORs its conditions. SuccessfulExit true restarts after exit(0),
 * false after any other ending; Crashed true restarts after a crash signal,
 * false after any other ending.
 */
export function keepsAlive(spec: KeepAliveSpec, exit: ExitFacts): boolean {
  if (spec.always) return true;
  const successful = exit.cause === 'exit' && exit.code === 0;
  const crashed = CRASH_CAUSES.has(exit.cause);
  if (spec.successfulExit !== undefined && spec.successfulExit === successful) return true;
  if (spec.crashed !== undefined && spec.crashed === crashed) return true;
  return false;
}

/** SuccessfulExit "implies RunAtLoad" (XPC-MODEL §4.1). */
export function loadsRunning(job: JobSpec): boolean {
  return job.runAtLoad || job.keepAlive.always || job.keepAlive.successfulExit !== undefined;
}

/**
 * XPC-MODEL §4.1 ThrottleInterval: a job is not spawned more than once per
 * interval, so one that ran for less is respawned at the interval's boundary.
 */
export function throttle(
  ranForMs: number,
  intervalS: number,
): { delayMs: number; ranForS: number; pushS: number } | undefined {
  const delayMs = intervalS * 1000 - ranForMs;
  if (delayMs <= 0) return undefined;
  return { delayMs, ranForS: Math.floor(ranForMs / 1000), pushS: Math.ceil(delayMs / 1000) };
}

export interface KeepAlivePort {
  readonly clock: Clock;
  launchdLog(text: string): void;
  respawn(job: JobSpec): void;
}

/**
 * Restarts of KeepAlive jobs with ThrottleInterval (XPC-MODEL §4.1, §8.10),
 * and launchd's count of crashes in a row.
 */
export class KeepAlive {
  private readonly dirtyInARow = new Map<string, number>();
  private readonly scheduled = new Map<string, TimerHandle>();

  constructor(private readonly port: KeepAlivePort) {}

  /** A respawn is waiting for its throttle ("state = spawn scheduled"). */
  isScheduled(job: JobSpec): boolean {
    return this.scheduled.has(job.label);
  }

  cancel(job: JobSpec): void {
    this.scheduled.get(job.label)?.cancel();
    this.scheduled.delete(job.label);
  }

  /**
   * Called after every exit of a launchd job. A clean exit (an idle exit, a
   * pressured exit, exit(0)) resets the count and is not a crash; [I] a job
   * launchd reclaimed on purpose is relaunched on demand, not speculatively.
   */
  afterExit(job: JobSpec, domain: string, exit: ExitFacts): void {
    const prefix = launchdPrefix(domain, job.label);
    if (exit.clean) this.dirtyInARow.delete(job.label);
    else {
      const n = (this.dirtyInARow.get(job.label) ?? 0) + 1;
      this.dirtyInARow.set(job.label, n);
      this.port.launchdLog(`${prefix} <Notice>: ${launchd.crashedInARow(n)}`);
    }
    if (exit.cause === 'idle-exit' || exit.cause === 'jetsam') return;
    if (!keepsAlive(job.keepAlive, exit)) return;
    const wait = throttle(exit.ranForMs, job.throttleIntervalS);
    if (!wait) return this.port.respawn(job);
    this.port.launchdLog(`${prefix} <Notice>: ${launchd.throttled(wait.pushS, wait.ranForS)}`);
    this.port.launchdLog(`${prefix} <Info>: ${launchd.state('spawn scheduled')}`);
    this.cancel(job);
    this.scheduled.set(
      job.label,
      this.port.clock.setTimeout(() => {
        this.scheduled.delete(job.label);
        this.port.respawn(job);
      }, wait.delayMs),
    );
  }

  dispose(): void {
    for (const timer of this.scheduled.values()) timer.cancel();
    this.scheduled.clear();
  }
}
