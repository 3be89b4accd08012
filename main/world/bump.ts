import { rederive } from './build-settings';
import type { Behaviour, JobSpec } from './model';

export interface BumpOptions {
  /** Keep the versions as they are: the "identical versions" case of XPC-MODEL §5.1. */
  sameVersion?: boolean;
  /**
   * The new build ships its extension's NEMachServiceName as a versioned
   * template, `<template>.$(CURRENT_PROJECT_VERSION)`, and its app derives the
   * same name: the fix a real VPN client shipped for XPC-MODEL §5.4 (§10.1).
   * It changes the templates only; the names follow from the build settings.
   */
  versionedName?: boolean;
}

/** Raises the last number of a version string: "240" → "241", "2.4.0" → "2.4.1"; a version without one gains ".1". */
export function raiseVersion(version: string | undefined): string {
  if (!version) return '1';
  const match = /^(.*?)(\d+)(\D*)$/.exec(version);
  if (!match) return `${version}.1`;
  const [, head, digits, tail] = match;
  return `${head}${Number(digits) + 1}${tail}`;
}

const VERSION_VAR = /\$[({]CURRENT_PROJECT_VERSION[)}]/;

/**
 * Rewrites each network extension's NEMachServiceName template to carry
 * `$(CURRENT_PROJECT_VERSION)`, and every behaviour in the unit that reaches
 * the old name to reach the new template. Returns the unit unchanged where a
 * name is already versioned or has no template.
 */
function versionTemplates(unit: JobSpec[]): JobSpec[] {
  const renamed = new Map<string, string>();
  for (const job of unit) {
    const ne = job.build?.raw.NetworkExtension;
    if (!ne || typeof ne !== 'object' || Array.isArray(ne)) continue;
    const dict = ne as Record<string, unknown>;
    const template = dict.NEMachServiceName;
    if (typeof template !== 'string' || VERSION_VAR.test(template)) continue;
    const next = `${template}.$(CURRENT_PROJECT_VERSION)`;
    dict.NEMachServiceName = next;
    renamed.set(template, next);
    const filled = job.machServices.find((s) => s.origin === 'NEMachServiceName')?.name;
    if (filled) renamed.set(filled, next);
  }
  if (renamed.size === 0) return unit;
  const reach = (b: Behaviour): Behaviour => {
    if (!('service' in b)) return b;
    const to = renamed.get(b.service);
    return to ? { ...b, service: to } : b;
  };
  for (const job of unit) {
    if (job.build) job.build.behaviours = job.build.behaviours.map(reach);
  }
  return unit;
}

/**
 * Version N+1 of an app's unit (main/world/unit.ts) without a folder: every
 * bundle's CFBundleVersion and CFBundleShortVersionString raised, together,
 * and every templated value derived again from the new versions
 * (main/world/build-settings.ts, XPC-MODEL §10.1): a versioned
 * NEMachServiceName names a new service, and so does a client that derives it.
 */
export function bumpUnit(unit: readonly JobSpec[], options: BumpOptions = {}): JobSpec[] {
  const cloned = unit.map((job) => structuredClone(job));
  const next = options.versionedName ? versionTemplates(cloned) : cloned;
  return next.map((job) => {
    if (options.sameVersion) return rederive(job);
    if (job.bundleVersion !== undefined) job.bundleVersion = raiseVersion(job.bundleVersion);
    if (job.shortVersion !== undefined) job.shortVersion = raiseVersion(job.shortVersion);
    return rederive(job);
  });
}
