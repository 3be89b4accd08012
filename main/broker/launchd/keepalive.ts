import type { ExitCause } from '../../trace/schema';
import type { JobSpec, KeepAliveSpec } from '../../world/model';
import { launchd, launchdPrefix } from '../logs';
import type { Clock, TimerHandle } from '../spawner';

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
export function keepsAlive(spec: KeepAliveSpec, exit: ExitFacts, standing = false): boolean {
  if (spec.always || standing) return true;
  const successful = exit.cause === 'exit' && exit.code === 0;
  const crashed = CRASH_CAUSES.has(exit.cause);
  if (spec.successfulExit !== undefined && spec.successfulExit === successful) return true;
  if (spec.crashed !== undefined && spec.crashed === crashed) return true;
  return false;
}

/** What the KeepAlive conditions that do not depend on an exit look at (XPC-MODEL §10.3). */
export interface ConditionFacts {
  pathExists(path: string): boolean;
  networkUp(): boolean;
  /** Whether the job with this label is loaded (launchd's "enabled"). */
  jobEnabled(label: string): boolean;
  /** Whether the job has been launched on demand at least once. */
  demanded(job: JobSpec): boolean;
}

/** One standing condition and whether it holds, in words a developer can act on. */
export interface Condition {
  key: 'PathState' | 'OtherJobEnabled' | 'NetworkState' | 'AfterInitialDemand';
  holds: boolean;
  text: string;
}

/**
 * The KeepAlive conditions that hold or fail whatever the last exit was: PathState, OtherJobEnabled and
 * NetworkState, ORed (launchd.plist(5); XPC-MODEL §4.1, §10.3). [I] AfterInitialDemand gates them all until the
 * job has been launched on demand once.
 */
export function standingConditions(spec: KeepAliveSpec, job: JobSpec, facts: ConditionFacts): Condition[] {
  const out: Condition[] = [];
  for (const [path, want] of Object.entries(spec.pathState ?? {})) {
    const exists = facts.pathExists(path);
    out.push({
      key: 'PathState',
      holds: exists === want,
      text: `PathState ${path} → ${want} (${path} ${exists ? 'exists' : 'does not exist'})`,
    });
  }
  for (const [label, want] of Object.entries(spec.otherJobEnabled ?? {})) {
    const enabled = facts.jobEnabled(label);
    out.push({
      key: 'OtherJobEnabled',
      holds: enabled === want,
      text: `OtherJobEnabled ${label} → ${want} (${label} is ${enabled ? 'loaded' : 'not loaded'})`,
    });
  }
  if (spec.networkState !== undefined) {
    const up = facts.networkUp();
    out.push({
      key: 'NetworkState',
      holds: up === spec.networkState,
      text: `NetworkState → ${spec.networkState} (the network is ${up ? 'up' : 'down'})`,
    });
  }
  if (spec.afterInitialDemand && !facts.demanded(job)) {
    const held = out.map((c) => ({ ...c, holds: false }));
    held.push({
      key: 'AfterInitialDemand',
      holds: false,
      text: `AfterInitialDemand (${job.label} has not been launched on demand yet)`,
    });
    return held;
  }
  return out;
}

/** Whether any standing condition holds: then launchd starts the job and keeps it running. */
export function standingHolds(job: JobSpec, facts: ConditionFacts): boolean {
  return standingConditions(job.keepAlive, job, facts).some((c) => c.holds);
}

/** SuccessfulExit "implies RunAtLoad" (XPC-MODEL §4.1); a standing condition that holds starts the job too (§10.3). */
export function loadsRunning(job: JobSpec, facts?: ConditionFacts): boolean {
  if (job.runAtLoad || job.keepAlive.always || job.keepAlive.successfulExit !== undefined) return true;
  return facts ? standingHolds(job, facts) : false;
}

/**
 * For a loaded job launchd does not start: the conditions that hold it back, or undefined when it has none
 * (a plain on-demand job is not "held back").
 */
export function heldBackBy(job: JobSpec, facts: ConditionFacts): Condition[] | undefined {
  if (loadsRunning(job, facts)) return undefined;
  const conditions = standingConditions(job.keepAlive, job, facts);
  return conditions.length > 0 ? conditions : undefined;
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
  /** Whether a standing KeepAlive condition (PathState, OtherJobEnabled, NetworkState) holds now. */
  standing(job: JobSpec): boolean;
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
    if (!keepsAlive(job.keepAlive, exit, this.port.standing(job))) return;
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
