import { type Looker, Namespace } from '../broker/core/namespace';
import { sandboxAllowsLookup } from '../broker/core/policy/sandbox';
import type { JobSpec, World } from './model';
import type { Diagnostic } from './plist-file';

/** Each job's names registered as the broker would at load, with pid domains named after their app. */
function namespaceOf(world: World): Namespace {
  const namespace = new Namespace();
  for (const job of world.jobs) {
    for (const spec of job.machServices) {
      namespace.register({
        name: spec.name,
        domain: domainOf(job, world.uid),
        job,
        hideUntilCheckIn: false,
        origin: spec.origin,
        binding: 'live',
      });
    }
  }
  return namespace;
}

function domainOf(job: JobSpec, uid: number): string {
  switch (job.domainKind) {
    case 'system':
      return 'system';
    case 'gui':
      return `gui/${uid}`;
    case 'user':
      return `user/${uid}`;
    case 'pid':
      return `pid/${job.ownerLabel ?? job.label}`;
  }
}

function lookerOf(job: JobSpec, uid: number, privileged: boolean): Looker {
  const pidDomain =
    job.type === 'App' ? `pid/${job.label}` : job.domainKind === 'pid' ? `pid/${job.ownerLabel}` : undefined;
  return { domain: domainOf(job, uid), pid: 0, privileged, ...(pidDomain ? { pidDomain } : {}) };
}

interface Target {
  job: JobSpec;
  index: number;
  service: string;
  privileged: boolean;
}

function targets(world: World): Target[] {
  return world.jobs.flatMap((job) =>
    job.behaviours.flatMap((b, index) =>
      'service' in b
        ? [{ job, index, service: b.service, privileged: 'privileged' in b ? b.privileged : false }]
        : [],
    ),
  );
}

function where(t: Target): Pick<Diagnostic, 'file' | 'key'> {
  return { file: 'world.plist', key: `bundles.${t.job.label}.behaviours[${t.index}].service` };
}

/**
 * Every poll, subscribe, load and hold target checked against the lookup matrix of
 * XPC-MODEL §3.2 (main/broker/core/namespace.ts) and the sandbox (§3.4), as the
 * broker will check it at run time.
 */
export function unreachableTargets(world: World): Diagnostic[] {
  const namespace = namespaceOf(world);
  const out: Diagnostic[] = [];
  for (const t of targets(world)) {
    const own = t.job.type === 'App' && namespace.get(`pid/${t.job.label}`, t.service);
    if (!own && !sandboxAllowsLookup(t.job, t.service)) {
      out.push({
        severity: 'error',
        ...where(t),
        message: `${t.job.label} is sandboxed and has no mach-lookup exception for ${t.service}`,
        consequence:
          'the look-up is denied before the namespace is consulted: "failed to do a bootstrap look-up: xpc_error=[159: Unknown error: 159]", then INVALID; NSXPC: "Connection init failed at lookup with error 159 - Sandbox restriction." (XPC-MODEL §3.4, §8.3)',
      });
      continue;
    }
    const found = namespace.lookup(
      t.service,
      lookerOf(t.job, world.uid, t.privileged),
      world.uid,
      () => true,
    );
    if (found.ok) continue;
    out.push(
      notFound(
        t,
        namespace.entries().filter((e) => e.name === t.service),
      ),
    );
  }
  return out;
}

function notFound(t: Target, elsewhere: { domain: string; job: JobSpec }[]): Diagnostic {
  const looker =
    t.job.domainKind === 'system'
      ? 'system domain'
      : t.privileged
        ? 'PRIVILEGED look-up (system domain only)'
        : `${t.job.domainKind} domain`;
  const owner = elsewhere[0];
  if (!owner) {
    return {
      severity: 'warning',
      ...where(t),
      message: `no job in this world advertises ${t.service}`,
      consequence:
        'unless macOS itself provides it, the look-up fails with error 3 (No such process) and the connection is invalidated after a failed init (XPC-MODEL §3.4)',
    };
  }
  const agent = owner.job.type === 'LaunchAgent' || owner.job.type === 'SMAppServiceAgent';
  return {
    severity: 'error',
    ...where(t),
    message: `${t.job.label} (${looker}) tries to reach ${t.service}, which ${agent ? 'the LaunchAgent ' : ''}${owner.job.label} registers in ${owner.domain}, a namespace it cannot see`,
    consequence:
      'the look-up fails with error 3 (No such process) and the connection is invalidated; NSXPC: 4099 "Couldn\u2019t communicate with a helper application." Daemons and system extensions see only system names; let the agent connect to the daemon instead (XPC-MODEL §3.2, §8.5)',
  };
}
