import type { EventInput, SpawnReason } from '../../trace/schema';
import type { JobSpec, World } from '../../world/model';
import type { Namespace } from '../core/namespace';
import type { Clock } from '../spawner';
import type { Proc } from './process';

/**
 * The few launchd operations that upgrades and sysextd need from the broker
 * (main/broker/installs/upgrade.ts, main/broker/installs/sysext.ts). The broker implements it;
 * everything else about a process or a connection stays inside the broker.
 */
export interface LaunchdPort {
  readonly world: World;
  readonly namespace: Namespace;
  readonly clock: Clock;
  emit(event: EventInput): void;
  /** Sees every event the broker emits until the returned function is called. */
  observe(listener: (event: EventInput) => void): () => void;
  processes(): Proc[];
  /** The running (or spawning) instance of a job outside the pid domains. */
  instanceOf(job: JobSpec): Proc | undefined;
  /**
   * Ends a process at once, as `launchctl bootout` or an installer quitting an
   * app does. Its clients see XPC-MODEL §1.2 rule 1, its peers rule 2.
   */
  end(proc: Proc, detail: string): void;
  /** `launchctl bootstrap`: registers the job's MachServices at load (XPC-MODEL §4.1). */
  register(job: JobSpec): void;
  /** `launchctl bootout`: the job's names leave the namespace and its label slot frees. */
  unregister(job: JobSpec, reason: string): void;
  /** The job's files were replaced under it: its label and names now stand for `next`, its process runs on. */
  repoint(old: JobSpec, next: JobSpec): void;
  launch(job: JobSpec, reason: Extract<SpawnReason, 'speculative' | 'app launch'>): Proc;
  /** What boot launches: apps, and loaded RunAtLoad/KeepAlive jobs (disabled and unapproved ones are not loaded). */
  launchAtBoot(job: JobSpec): void;
}
