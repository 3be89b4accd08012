import type { JobSpec, World } from './model';

/** "2.4.0 (240)": how Finder's Get Info shows a bundle's versions. */
export function versionText(job: Pick<JobSpec, 'shortVersion' | 'bundleVersion'>): string {
  const short = job.shortVersion ?? '?';
  return job.bundleVersion ? `${short} (${job.bundleVersion})` : short;
}

export function findApp(world: World, appLabel: string): JobSpec | undefined {
  return world.jobs.find((j) => j.type === 'App' && (j.label === appLabel || j.bundleId === appLabel));
}

/**
 * Everything that is installed and replaced together with an app: the app, the
 * bundles it embeds (XPC services, system extensions, SMAppService plists), and
 * /Library jobs that run a program inside it or name it in
 * AssociatedBundleIdentifiers (XPC-MODEL §4.1).
 */
export function appUnit(world: World, app: JobSpec): JobSpec[] {
  const inside = `/${app.path}/`;
  return world.jobs.filter(
    (j) =>
      j === app ||
      j.bundledIn === app.label ||
      j.program.startsWith(inside) ||
      (app.bundleId !== undefined && (j.associatedBundleIds ?? []).includes(app.bundleId)),
  );
}
