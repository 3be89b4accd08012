import type { Behaviour, BuildModel, JobSpec, MachServiceSpec } from './model';
import { type PlistDict, substitute } from './plist-file';
import { machServices } from './plist-job';
import { sysextInfo } from './sysext-info';

/**
 * Build settings as a model (XPC-MODEL §10.1): each job keeps the plist it was
 * read from with its `$(VAR)` templates intact, and every templated value is
 * derived again whenever what it depends on changes. The settings come, in
 * order of authority, from
 *   1. the bundle's own versions and identifier (CURRENT_PROJECT_VERSION,
 *      MARKETING_VERSION, PRODUCT_BUNDLE_IDENTIFIER),
 *   2. its signing identity (DEVELOPMENT_TEAM, TeamIdentifierPrefix,
 *      AppIdentifierPrefix; main/world/identity.ts),
 *   3. world.plist's `buildSettings` (the bundle's own over the world's), then
 *      what Xcode fills in per bundle (main/world/xcode-settings.ts).
 * An upgrade raises the versions, so a versioned NEMachServiceName
 * (`$(TeamIdentifierPrefix)com.example.VPN.$(CURRENT_PROJECT_VERSION)`) names a
 * new service; an unversioned one stays as it was.
 */
export type { BuildModel };

export interface Versions {
  bundleId?: string;
  bundleVersion?: string;
  shortVersion?: string;
}

const UNRESOLVED = /\$[({][A-Za-z_]/;

/** CMake's configure_file placeholders (`@lokinet_VERSION@`): filled before Xcode or launchd see the file. */
const PLACEHOLDER = /@[A-Za-z_][A-Za-z0-9_]*@/g;

/** Every string holding a CMake `@VAR@` placeholder, by key path. */
export function cmakePlaceholders(value: unknown, key = ''): Record<string, string[]> {
  if (typeof value === 'string') {
    const found = value.match(PLACEHOLDER);
    return found ? { [key]: [...new Set(found)] } : {};
  }
  if (Array.isArray(value))
    return Object.assign({}, ...value.map((v, i) => cmakePlaceholders(v, `${key}[${i}]`)));
  if (typeof value !== 'object' || value === null || value instanceof Date || value instanceof Uint8Array)
    return {};
  return Object.assign(
    {},
    ...Object.entries(value as PlistDict).map(([k, v]) => cmakePlaceholders(v, key ? `${key}.${k}` : k)),
  );
}

/** True when a value still holds a `$(VAR)`: something is unknown, so the value is not judged further. */
export function isUnresolved(value: string): boolean {
  return UNRESOLVED.test(value);
}

/** Layers 1 and 2 over layer 3. */
export function settingsFor(
  base: Record<string, string>,
  teamId: string | undefined,
  versions: Versions,
): Record<string, string> {
  const known = (v: string | undefined) => (v !== undefined && !isUnresolved(v) ? v : undefined);
  const version = known(versions.bundleVersion);
  const marketing = known(versions.shortVersion);
  const id = known(versions.bundleId);
  return {
    ...base,
    ...(teamId
      ? { DEVELOPMENT_TEAM: teamId, TeamIdentifierPrefix: `${teamId}.`, AppIdentifierPrefix: `${teamId}.` }
      : {}),
    ...(version !== undefined ? { CURRENT_PROJECT_VERSION: version } : {}),
    ...(marketing !== undefined ? { MARKETING_VERSION: marketing } : {}),
    ...(id !== undefined ? { PRODUCT_BUNDLE_IDENTIFIER: id } : {}),
  };
}

/** Every string in a plist that holds a `$(VAR)`, by key path, as written. */
export function templatesIn(value: unknown, key = ''): Record<string, string> {
  if (typeof value === 'string') return isUnresolved(value) ? { [key]: value } : {};
  if (Array.isArray(value)) return Object.assign({}, ...value.map((v, i) => templatesIn(v, `${key}[${i}]`)));
  if (typeof value !== 'object' || value === null || value instanceof Date || value instanceof Uint8Array)
    return {};
  return Object.assign(
    {},
    ...Object.entries(value as PlistDict).map(([k, v]) => templatesIn(v, key ? `${key}.${k}` : k)),
  );
}

/** The job's settings now: its current versions and team over what world.plist says. */
export function jobSettings(job: JobSpec): Record<string, string> {
  return settingsFor(job.build?.base ?? {}, job.signing.teamId, job);
}

/** The Mach services a job's plist names, given its filled plist (XPC-MODEL §4.1, §5.3). */
export function servicesOf(job: JobSpec, filled: PlistDict): MachServiceSpec[] {
  switch (job.type) {
    case 'App':
      return [];
    case 'XPCService':
      return [{ name: job.label, hideUntilCheckIn: false, origin: 'XPCService' }];
    case 'SystemExtension':
      return sysextInfo(filled, job.entitlements, job.label, job.signing.teamId).machServices;
    default:
      return machServices(filled.MachServices);
  }
}

/** Where an unresolved `$(VAR)` sits: in the job's plist, or in its world.plist behaviours. */
export type UnresolvedReport = (where: 'plist' | 'behaviours', name: string, key: string) => void;

/**
 * Derives the job's templated values again from its current versions and
 * team: its Mach service names and the services its behaviours reach. A job
 * read without templates (no build model) is returned as it is.
 */
export function rederive(job: JobSpec, report?: UnresolvedReport): JobSpec {
  const build = job.build;
  if (!build) return job;
  const settings = jobSettings(job);
  const filled = substitute(build.raw, settings, (name, key) => report?.('plist', name, key)) as PlistDict;
  const behaviours = substitute(build.behaviours, settings, (name, key) =>
    report?.('behaviours', name, key),
  ) as Behaviour[];
  return { ...job, machServices: servicesOf(job, filled), behaviours };
}

export interface RenamedService {
  label: string;
  key: string;
  template: string;
  from: string;
  to: string;
}

/** Names whose template gave a different value for the new version: what an upgrade's report explains. */
export function renamedServices(before: readonly JobSpec[], after: readonly JobSpec[]): RenamedService[] {
  const out: RenamedService[] = [];
  for (const next of after) {
    const old = before.find((j) => j.type === next.type && j.label === next.label);
    if (!old || !next.build) continue;
    const templates = templatesIn(next.build.raw);
    next.machServices.forEach((spec, i) => {
      const was = old.machServices[i];
      if (!was || was.name === spec.name || was.origin !== spec.origin) return;
      const key =
        spec.origin === 'NEMachServiceName'
          ? 'NetworkExtension.NEMachServiceName'
          : next.type === 'SystemExtension'
            ? 'NSEndpointSecurityMachServiceName'
            : `MachServices.${spec.name}`;
      const template = templates[key];
      if (template) out.push({ label: next.label, key, template, from: was.name, to: spec.name });
    });
  }
  return out;
}
