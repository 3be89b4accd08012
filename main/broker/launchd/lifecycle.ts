import type { JobSpec } from '../../world/model';
import type { Connection } from '../core/connection';
import { toDisposable } from '../lifetime';
import type { Clock } from '../spawner';
import type { EndCause, Proc } from './process';

/** [I] XPC-MODEL §4.2: an xpc_main service idle-exits after "about 10–30 s" without activity; XPC Lab uses 20 s. */
export const XPC_SERVICE_IDLE_MS = 20_000;

export type Reclaim = Extract<EndCause, 'idle-exit' | 'pressure'>;

export interface LifecyclePort {
  readonly clock: Clock;
  /** Requests delivered to this process that it has not answered yet. */
  openRequests(proc: Proc): number;
  /** Its live service-side peer connections. */
  peers(proc: Proc): Connection[];
  terminationImminent(peer: Connection, cause: string): void;
  /** Ends the process on purpose (Jobs.end): SIGTERM now, SIGKILL after its ExitTimeOut. */
  end(proc: Proc, cause: EndCause, signal: NodeJS.Signals): void;
}

/** XPC services idle-exit on their own; launchd jobs only when they opted in with EnablePressuredExit. */
export function idleExits(job: JobSpec): boolean {
  return job.type === 'XPCService';
}

/** XPC-MODEL §4.2: what launchd may reclaim under memory pressure. */
export function reclaimable(job: JobSpec): boolean {
  return job.type === 'XPCService' || job.enablePressuredExit === true;
}

/**
 * Transactions and idle exit (XPC-MODEL §4.2). A process is clean when its
 * transaction count is 0: explicit xpc_transaction_begin/end plus one per
 * un-replied request ([I] the simulator's idle model).
 */
export class Lifecycle {
  constructor(private readonly port: LifecyclePort) {}

  txCount(proc: Proc): number {
    return proc.transactions + this.port.openRequests(proc);
  }

  isClean(proc: Proc): boolean {
    return this.txCount(proc) === 0;
  }

  /** Any activity restarts the idle countdown of a service that idle-exits. */
  touch(proc: Proc): void {
    if (!idleExits(proc.job) || proc.state !== 'running' || proc.endingBecause) return;
    const timer = this.port.clock.setTimeout(() => this.onIdle(proc), XPC_SERVICE_IDLE_MS);
    proc.idleTimer.value = toDisposable(() => timer.cancel());
  }

  private onIdle(proc: Proc): void {
    if (proc.state !== 'running' || proc.endingBecause) return;
    // Still inside a transaction: not idle yet, look again after another idle period.
    if (!this.isClean(proc)) return this.touch(proc);
    this.reclaim(proc, 'idle-exit');
  }

  /** Memory pressure: every clean, idle, reclaimable helper exits. Returns the ones asked to. */
  pressure(procs: Iterable<Proc>): Proc[] {
    const chosen = [...procs].filter(
      (p) => p.state === 'running' && !p.endingBecause && reclaimable(p.job) && this.isClean(p),
    );
    for (const proc of chosen) this.reclaim(proc, 'pressure');
    return chosen;
  }

  /**
   * XPC-MODEL §4.2: peers get TERMINATION_IMMINENT, the process gets SIGTERM,
   * then SIGKILL after ExitTimeOut. The exit is marked clean.
   */
  reclaim(proc: Proc, why: Reclaim): void {
    proc.idleTimer.clear();
    const cause =
      why === 'idle-exit'
        ? `${proc.job.label} is exiting while idle (no open transactions)`
        : `${proc.job.label} is being reclaimed under memory pressure`;
    for (const peer of this.port.peers(proc)) this.port.terminationImminent(peer, cause);
    this.port.end(proc, why, 'SIGTERM');
  }
}
