import type { JobSpec } from '../../world/model';
import type { Connection } from '../core/connection';
import type { HelperQuota } from '../core/quota';
import { type Disposable, DisposableStore, MutableDisposable } from '../lifetime';
import type { HelperProcess } from '../spawner';

export type ProcState = 'spawning' | 'running' | 'exited';

/** Why the broker ended a process on purpose, so that its exit is explained right. */
export type EndCause = 'idle-exit' | 'pressure' | 'crash' | 'kill' | 'bootout';

/** One run of a job: a real helper process (launchctl print's "pid", "runs"). */
export class Proc {
  pid: number | undefined;
  state: ProcState = 'spawning';
  readonly connections = new Map<string, Connection>();
  /** Listener local id → connection, and names checked in (XPC-MODEL §3.2 LISTENER). */
  readonly listeners = new Map<string, Connection>();
  readonly checkedIn = new Set<string>();
  transactions = 0;
  lastActivity: number;
  messagesReceived = 0;
  /** What lives as long as the process: its timers and its message budget, released when it exits. */
  private readonly lifetime = new DisposableStore();
  /** The idle countdown (XPC-MODEL §4.2). */
  readonly idleTimer = this.lifetime.add(new MutableDisposable());
  /** SIGKILL after the job's ExitTimeOut, once SIGTERM was sent (XPC-MODEL §4.2). */
  readonly killTimer = this.lifetime.add(new MutableDisposable());
  /** Set when the broker ends the process on purpose (Jobs.end). */
  endingBecause: EndCause | undefined;
  /** Plain words for a bootout, e.g. "was booted out by the installer". */
  endDetail: string | undefined;
  /** Run from Terminal rather than spawned by launchd: no check-in context (XPC-MODEL §3.2, §10.7). */
  fromTerminal = false;
  /** Why AMFI did not grant its restricted entitlements (XPC-MODEL §10.7); its listener then fails with EPERM. */
  amfiDenied: string | undefined;
  /** Its message budget (main/broker/core/quota.ts); made on its first message. */
  quota: HelperQuota | undefined;

  constructor(
    readonly job: JobSpec,
    readonly domain: string,
    readonly handle: HelperProcess,
    readonly startedAt: number,
    /** For a bundled XPC service: the app process whose pid domain it lives in. */
    readonly owner: Proc | undefined,
  ) {
    this.lastActivity = startedAt;
  }

  /** Ties `d` to the process: it is released when the process exits. */
  hold<T extends Disposable>(d: T): T {
    return this.lifetime.add(d);
  }

  /** The process is gone: its timers stop and what its budget still holds is let go. */
  exited(): void {
    this.state = 'exited';
    this.lifetime.dispose();
  }

  get displayPid(): number {
    return this.pid ?? -1;
  }

  /** The pid domain this process can see into (XPC-MODEL §3.2): its own for an app, its app's for an XPC service. */
  get pidDomain(): string | undefined {
    if (this.job.type === 'App' && this.pid !== undefined) return `pid/${this.pid}`;
    if (this.owner?.pid !== undefined) return `pid/${this.owner.pid}`;
    return undefined;
  }

  get programName(): string {
    return this.job.program.split('/').pop() ?? this.job.label;
  }
}
