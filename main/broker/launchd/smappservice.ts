import type { JobSpec, SMAppServiceStatus, WorldState } from '../../world/model';
import { launchdError } from '../errors';
import { smd } from '../logs';

/** How SMAppService.register()/unregister() fail, as NSError (XPC-MODEL §4.6). */
export interface SMAppServiceError {
  domain: 'SMAppServiceErrorDomain';
  code: number;
  message: string;
}

export type SMAppServiceOutcome =
  | { ok: true; status: SMAppServiceStatus }
  | { ok: false; status: SMAppServiceStatus; error: SMAppServiceError };

export interface SMAppServicePort {
  /** Bootstraps a job: 0, or the errno it failed with. */
  load(job: JobSpec): number;
  unload(job: JobSpec, reason: string): void;
  isLoaded(job: JobSpec): boolean;
  log(text: string): void;
  action(action: string, target: string, detail?: string): void;
}

export function isBundledService(job: JobSpec): boolean {
  return job.type === 'SMAppServiceDaemon' || job.type === 'SMAppServiceAgent';
}

/**
 * SMAppService (macOS 13+) status and approval, XPC-MODEL §4.6. A daemon needs
 * the user's approval in Login Items & Extensions: until then register()
 * fails with "Operation not permitted" and the status is `.requiresApproval`.
 * [I] An agent needs no approval. A bundled service the world's state does not
 * name was registered before the world began, so it is `.enabled`.
 */
export class SMAppServices {
  private readonly statuses = new Map<string, SMAppServiceStatus>();
  private readonly approvals: Set<string>;
  private readonly jobs: JobSpec[];

  constructor(
    private readonly port: SMAppServicePort,
    jobs: readonly JobSpec[],
    state?: WorldState,
  ) {
    this.jobs = jobs.filter(isBundledService);
    this.approvals = new Set(state?.approved ?? []);
    for (const job of this.jobs) {
      const status = state?.smAppService[job.label] ?? 'enabled';
      this.statuses.set(job.label, status);
      if (status === 'enabled') this.approvals.add(job.label);
    }
  }

  status(label: string): SMAppServiceStatus {
    return this.statuses.get(label) ?? 'notFound';
  }

  private setStatus(label: string, status: SMAppServiceStatus): void {
    if (this.statuses.get(label) === status) return;
    this.statuses.set(label, status);
    this.port.log(smd.status(label, status));
  }

  /** Labels whose jobs launchd loads when the world starts. */
  startsEnabled(job: JobSpec): boolean {
    return !isBundledService(job) || this.status(job.label) === 'enabled';
  }

  needsApproval(job: JobSpec): boolean {
    return job.type === 'SMAppServiceDaemon' && !this.approvals.has(job.label);
  }

  /** SMAppService.daemon(plistName:).register() / .agent(plistName:).register(). */
  register(label: string): SMAppServiceOutcome {
    this.port.action('register', label);
    const job = this.jobs.find((j) => j.label === label);
    if (!job) return this.fail('register', label, 'notFound', smError.plistNotFound());
    if (this.status(label) === 'enabled' && this.port.isLoaded(job)) return { ok: true, status: 'enabled' };
    if (this.needsApproval(job))
      return this.fail('register', label, 'requiresApproval', smError.notPermitted());
    return this.enable(job, 'register');
  }

  unregister(label: string): SMAppServiceOutcome {
    this.port.action('unregister', label);
    const job = this.jobs.find((j) => j.label === label);
    if (!job) return this.fail('unregister', label, 'notFound', smError.plistNotFound());
    if (this.port.isLoaded(job)) this.port.unload(job, `SMAppService unregister(${label})`);
    this.setStatus(label, 'notRegistered');
    return { ok: true, status: 'notRegistered' };
  }

  /** The user allows the service in Login Items & Extensions; a pending registration goes ahead. */
  approve(label: string): SMAppServiceOutcome {
    this.port.action('approve', label);
    this.approvals.add(label);
    const job = this.jobs.find((j) => j.label === label);
    if (!job) return { ok: false, status: 'notFound', error: smError.plistNotFound() };
    if (this.status(label) !== 'requiresApproval') return { ok: true, status: this.status(label) };
    return this.enable(job, 'register');
  }

  private enable(job: JobSpec, op: 'register'): SMAppServiceOutcome {
    const errno = this.port.load(job);
    if (errno !== 0)
      return this.fail(op, job.label, this.status(job.label), smError.bootstrap(errno, launchdError(errno)));
    this.setStatus(job.label, 'enabled');
    return { ok: true, status: 'enabled' };
  }

  private fail(
    op: 'register' | 'unregister',
    label: string,
    status: SMAppServiceStatus,
    error: SMAppServiceError,
  ): SMAppServiceOutcome {
    this.port.log(smd.failed(op, label, error.domain, error.code, error.message));
    if (status !== 'notFound') this.setStatus(label, status);
    return { ok: false, status, error };
  }
}

export const smError = {
  notPermitted: (): SMAppServiceError => ({
    domain: 'SMAppServiceErrorDomain',
    code: 1,
    message: 'Operation not permitted',
  }),
  /** SMErrors 8, kSMErrorJobPlistNotFound (XPC-MODEL §4.6). */
  plistNotFound: (): SMAppServiceError => ({
    domain: 'SMAppServiceErrorDomain',
    code: 8,
    message: 'Job plist not found',
  }),
  /** [I] a failed bootstrap of the job surfaces as its launchd errno (17 File exists, 119 Service is disabled). */
  bootstrap: (errno: number, text: string): SMAppServiceError => ({
    domain: 'SMAppServiceErrorDomain',
    code: errno,
    message: text,
  }),
};
