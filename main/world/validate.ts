import { isUnresolved } from './build-settings';
import type { JobSpec, World } from './model';
import type { Diagnostic } from './plist-file';
import { strayBundles } from './validate-bundles';
import { unreachableTargets } from './validate-lookup';
import { diskFs, type WorldFs } from './world-fs';

/**
 * The rules `xpc-lab validate` checks beyond reading the files: each finding
 * names the file and key, says what is wrong in plain words, and what macOS
 * would do about it.
 */
export function validateWorld(world: World, fs: WorldFs = diskFs): Diagnostic[] {
  const all = [
    ...labelsUsedTwice(world),
    ...neMachServiceNames(world),
    ...esDefaultNames(world),
    ...unreachableTargets(world),
    ...neverCheckedIn(world),
    ...strayBundles(world.root, fs),
  ];
  // Two jobs sharing a label share world.plist's behaviours, and so their findings.
  const seen = new Set<string>();
  return all.filter((d) => {
    const key = `${d.file}|${d.key}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function domainKey(job: JobSpec): string {
  return job.domainKind === 'pid' ? `pid:${job.ownerLabel}` : job.domainKind;
}

/** XPC-MODEL §4.1: a Label is unique within its domain; §4.6: the first loaded wins. */
function labelsUsedTwice(world: World): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, JobSpec>();
  for (const job of world.jobs) {
    const key = `${domainKey(job)} ${job.label}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, job);
      continue;
    }
    const migration = first.type === 'LaunchDaemon' && job.type === 'SMAppServiceDaemon';
    out.push({
      severity: 'error',
      file: job.path,
      key: 'Label',
      message: `the label ${job.label} is also used by ${first.path}`,
      consequence: migration
        ? `the legacy SMJobBless job is loaded first, so register() collides with it: "Bootstrap failed: 17: File exists" / "Load failed: 37: service already loaded". Boot out system/${job.label}, delete the legacy plist and /Library/PrivilegedHelperTools/${job.label}, then register (XPC-MODEL §4.6)`
        : `only the first one loads; the second fails with "Bootstrap failed: 17: File exists" (XPC-MODEL §4.1, §3.4)`,
    });
  }
  return out;
}

/** XPC-MODEL §5.3: an NEMachServiceName is prefixed by the team ID or is a descendant of one of the extension's app groups. */
function neMachServiceNames(world: World): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const job of world.jobs.filter((j) => j.type === 'SystemExtension')) {
    // A name still holding a $(VAR) is reported once, as unresolved, not again as wrong.
    for (const spec of job.machServices.filter(
      (s) => s.origin === 'NEMachServiceName' && !isUnresolved(s.name),
    )) {
      const team = job.signing.teamId;
      const groups = job.sandbox.appGroups;
      const ok =
        (team && spec.name.startsWith(`${team}.`)) ||
        groups.some((g) => spec.name === g || spec.name.startsWith(`${g}.`));
      if (ok) continue;
      out.push({
        severity: 'error',
        file: job.path,
        key: 'NetworkExtension.NEMachServiceName',
        message: `${spec.name} is not prefixed by the team ID${team ? ` (${team}.)` : ''} or by an app group the extension belongs to${groups.length ? ` (${groups.join(', ')})` : ''}`,
        consequence:
          'Network Extension will not register the name for this extension, so the app\u2019s look-up fails with error 3 and NSXPC reports 4099; use $(TeamIdentifierPrefix)' +
          `${job.label} (XPC-MODEL §5.3)`,
      });
    }
  }
  return out;
}

/** XPC-MODEL §5.3 (F-818568): without NSEndpointSecurityMachServiceName the deprecated default name is used. */
function esDefaultNames(world: World): Diagnostic[] {
  return world.jobs
    .filter((j) => j.sysext?.defaultMachServiceName)
    .map((job) => ({
      severity: 'warning' as const,
      file: job.path,
      key: 'NSEndpointSecurityMachServiceName',
      message: `missing: the extension falls back to the deprecated default name ${job.machServices[0]?.name ?? '<TeamID>.<BundleID>.xpc'}`,
      consequence: `sysextd logs "The extension from … (${job.label}) is using the deprecated default mach service name. Please update … NSEndpointSecurityMachServiceName" (XPC-MODEL §5.3)`,
    }));
}

/** A name launchd holds for the job, but the job's process never checks in: no reply, publish or script behaviour listens on it. */
function neverCheckedIn(world: World): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const job of world.jobs) {
    if (job.type === 'App' || job.machServices.length === 0) continue;
    const listens = job.behaviours.some(
      (b) => b.kind === 'reply' || b.kind === 'publish' || b.kind === 'script' || b.kind === 'vendEndpoint',
    );
    if (listens) continue;
    for (const spec of job.machServices) {
      out.push({
        severity: 'warning',
        file: job.path,
        key: keyOf(job, spec.name),
        message: `${spec.name} is advertised, but ${job.label}'s process never checks it in (no reply, publish or script behaviour)`,
        consequence:
          'launchd holds the name and launches the job on the first message, but nothing listens: requests wait for a reply that never comes, and get INTERRUPTED when the job exits (XPC-MODEL §4.1, §8.9)',
      });
    }
  }
  return out;
}

function keyOf(job: JobSpec, name: string): string {
  if (job.type === 'XPCService') return 'CFBundleIdentifier';
  if (job.type === 'SystemExtension')
    return job.sysext?.category === 'endpoint_security'
      ? 'NSEndpointSecurityMachServiceName'
      : 'NetworkExtension.NEMachServiceName';
  return `MachServices.${name}`;
}
