import type { JobSpec, World } from '../../world/model';
import { Errno } from '../errno';
import { launchdError } from '../errors';
import { launchctl } from '../logs';
import { type DisabledOverrides, parseServiceTarget } from './overrides';

export type LaunchctlResult = { ok: true } | { ok: false; errno: number; message: string };

export interface LaunchctlPort {
  readonly world: World;
  domainOf(job: JobSpec): string;
  /** Bootstraps a job: 0, or the errno it failed with (and has logged). */
  load(job: JobSpec): number;
  unload(job: JobSpec, reason: string): void;
  isLoaded(job: JobSpec): boolean;
  /** A line launchctl prints. */
  print(text: string): void;
  action(action: string, target: string, detail?: string): void;
}

function failed(errno: number): LaunchctlResult {
  return { ok: false, errno, message: launchdError(errno) };
}

/** `launchctl bootstrap|bootout|enable|disable` over the simulated domains (XPC-MODEL §3.1, §4.4, §4.5). */
export class Launchctl {
  constructor(
    private readonly port: LaunchctlPort,
    readonly overrides: DisabledOverrides,
  ) {}

  /** A service target `<domain>/<label>`, or a bare label (the job's own domain). */
  private find(
    target: string,
  ): { job: JobSpec; domain: string } | { domain: string; label: string } | undefined {
    const parsed = parseServiceTarget(target);
    const label = parsed?.label ?? target;
    const jobs = this.port.world.jobs.filter(
      (j) => j.label === label && j.domainKind !== 'pid' && j.type !== 'App',
    );
    const inDomain = jobs.filter((j) => !parsed || this.port.domainOf(j) === parsed.domain);
    // Of two jobs with one label (XPC-MODEL §4.6), the loaded one is the one meant.
    const job = inDomain.find((j) => this.port.isLoaded(j)) ?? inDomain[0];
    if (job) return { job, domain: this.port.domainOf(job) };
    return parsed;
  }

  bootstrap(target: string): LaunchctlResult {
    this.port.action('bootstrap', target);
    const found = this.find(target);
    if (!found || !('job' in found)) {
      this.port.print(launchctl.bootstrapFailed(Errno.EIO));
      return failed(5);
    }
    const errno = this.port.load(found.job);
    return errno === 0 ? { ok: true } : failed(errno);
  }

  bootout(target: string): LaunchctlResult {
    this.port.action('bootout', target);
    const found = this.find(target);
    if (!found || !('job' in found) || !this.port.isLoaded(found.job)) {
      this.port.print(launchctl.bootoutFailed(Errno.ESRCH));
      return failed(3);
    }
    this.port.unload(found.job, `launchctl bootout ${found.domain}/${found.job.label}`);
    return { ok: true };
  }

  /** XPC-MODEL §4.5: only the override entry changes; nothing is loaded or unloaded. */
  enable(target: string): LaunchctlResult {
    return this.setDisabled(target, false);
  }

  disable(target: string): LaunchctlResult {
    return this.setDisabled(target, true);
  }

  private setDisabled(target: string, disabled: boolean): LaunchctlResult {
    this.port.action(disabled ? 'disable' : 'enable', target);
    const parsed = parseServiceTarget(target);
    if (!parsed) return failed(112);
    this.overrides.set(parsed.domain, parsed.label, disabled);
    return { ok: true };
  }
}
