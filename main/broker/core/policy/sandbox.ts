import type { JobSpec } from '../../../world/model';

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/**
 * XPC-MODEL §3.2/§3.4: a sandboxed looker is checked against its profile before
 * any namespace is consulted; without a mach-lookup exception or an app-group
 * prefix the lookup fails with 159.
 */
export function sandboxAllowsLookup(job: JobSpec, name: string): boolean {
  if (!job.sandbox.enabled) return true;
  if (job.sandbox.machLookup.some((pattern) => matches(pattern, name))) return true;
  return job.sandbox.appGroups.some((group) => name === group || name.startsWith(`${group}.`));
}

/** XPC-MODEL §3.2: a listener may only check in names advertised in its own job's MachServices. */
export function mayCheckIn(job: JobSpec, name: string): boolean {
  const own = job.machServices.some((s) => s.name === name);
  if (!own) return false;
  if (!job.sandbox.enabled || job.type !== 'App') return true;
  return job.sandbox.machRegister.some((pattern) => matches(pattern, name));
}
