import type { Behaviour, JobSpec } from './model';

export interface BumpOptions {
  /** Keep the versions as they are: the "identical versions" case of XPC-MODEL §5.1. */
  sameVersion?: boolean;
  /**
   * Give each NEMachServiceName a version suffix, `<name>.v<CFBundleVersion>`,
   * and point the unit's clients at it: the workaround one real VPN client
   * shipped for XPC-MODEL §5.4.
   */
  versionMachServiceName?: boolean;
}

/** Raises the last number of a version string: "240" → "241", "2.4.0" → "2.4.1"; a version without one gains ".1". */
export function raiseVersion(version: string | undefined): string {
  if (!version) return '1';
  const match = /^(.*?)(\d+)(\D*)$/.exec(version);
  if (!match) return `${version}.1`;
  const [, head, digits, tail] = match;
  return `${head}${Number(digits) + 1}${tail}`;
}

const VERSIONED = /\.v\d+$/;

function renamed(behaviour: Behaviour, names: ReadonlyMap<string, string>): Behaviour {
  if (!('service' in behaviour)) return behaviour;
  const to = names.get(behaviour.service);
  return to ? { ...behaviour, service: to } : behaviour;
}

/**
 * Version N+1 of an app's unit (main/world/unit.ts) without a folder: every
 * bundle's CFBundleVersion and CFBundleShortVersionString raised, together.
 */
export function bumpUnit(unit: readonly JobSpec[], options: BumpOptions = {}): JobSpec[] {
  const jobs = unit.map((job) => {
    const next = structuredClone(job);
    if (options.sameVersion) return next;
    if (job.bundleVersion !== undefined) next.bundleVersion = raiseVersion(job.bundleVersion);
    if (job.shortVersion !== undefined) next.shortVersion = raiseVersion(job.shortVersion);
    return next;
  });
  if (!options.versionMachServiceName) return jobs;
  const names = new Map<string, string>();
  for (const job of jobs) {
    for (const spec of job.machServices) {
      if (spec.origin !== 'NEMachServiceName') continue;
      const to = `${spec.name.replace(VERSIONED, '')}.v${job.bundleVersion ?? '1'}`;
      names.set(spec.name, to);
      spec.name = to;
    }
  }
  return jobs.map((job) => ({ ...job, behaviours: job.behaviours.map((b) => renamed(b, names)) }));
}
