import { rederive } from './build-settings';
import type { JobSpec } from './model';

export interface BumpOptions {
  /** Keep the versions as they are: the "identical versions" case of XPC-MODEL §5.1. */
  sameVersion?: boolean;
}

/** Raises the last number of a version string: "240" → "241", "2.4.0" → "2.4.1"; a version without one gains ".1". */
export function raiseVersion(version: string | undefined): string {
  if (!version) return '1';
  const match = /^(.*?)(\d+)(\D*)$/.exec(version);
  if (!match) return `${version}.1`;
  const [, head, digits, tail] = match;
  return `${head}${Number(digits) + 1}${tail}`;
}

/**
 * Version N+1 of an app's unit (main/world/unit.ts) without a folder: every
 * bundle's CFBundleVersion and CFBundleShortVersionString raised, together,
 * and every templated value derived again from the new versions
 * (main/world/build-settings.ts, XPC-MODEL §10.1): a versioned
 * NEMachServiceName names a new service, and so does a client that derives it.
 */
export function bumpUnit(unit: readonly JobSpec[], options: BumpOptions = {}): JobSpec[] {
  return unit.map((job) => {
    const next = structuredClone(job);
    if (options.sameVersion) return next;
    if (job.bundleVersion !== undefined) next.bundleVersion = raiseVersion(job.bundleVersion);
    if (job.shortVersion !== undefined) next.shortVersion = raiseVersion(job.shortVersion);
    return rederive(next);
  });
}
