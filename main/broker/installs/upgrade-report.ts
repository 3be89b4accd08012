import { type BrokenConnection, brokenConnection } from '../../trace/broken-connection';
import type { EventInput, RemedyName, UpgradeEvent } from '../../trace/schema';
import type { JobSpec } from '../../world/model';
import { versionText } from '../../world/unit';
import type { ServiceEntry } from '../core/namespace';
import type { LaunchdPort } from '../launchd/launchd-port';
import type { SystemExtensions } from './sysext';
import { REMEDY_COSTS } from './upgrade-remedies';

/** The outcome report of an upgrade: the `upgrade` event without its stamp. */
export type UpgradeReport = Omit<UpgradeEvent, 'v' | 'seq' | 't' | 'kind'>;
export type UpgradeSide = UpgradeReport['before'];
export type Remedy = UpgradeReport['remedies'][number];

/** Versions, running state, extension states and name bindings: one side of the before/after comparison. */
export function snapshotSide(
  launchd: LaunchdPort,
  sysext: SystemExtensions,
  unit: readonly JobSpec[],
): UpgradeSide {
  const labels = new Set(unit.map((j) => j.label));
  const names = new Set(unit.flatMap((j) => j.machServices.map((s) => s.name)));
  const running = new Set(
    launchd
      .processes()
      .filter((p) => p.state !== 'exited')
      .map((p) => p.job.label),
  );
  return {
    bundles: unit.map((j) => ({ label: j.label, version: versionText(j), running: running.has(j.label) })),
    extensions: sysext
      .list()
      .filter((i) => labels.has(i.job.label))
      .map((i) => ({ bundleId: i.job.label, version: versionText(i.job), state: i.state })),
    services: launchd.namespace
      .entries()
      .filter((e) => names.has(e.name) || labels.has(e.job.label))
      .filter((e) => !e.domain.startsWith('pid/'))
      .map((e) => ({
        name: e.name,
        domain: e.domain,
        boundTo: `${e.job.label} ${versionText(e.job)}`,
        binding: e.binding,
      })),
  };
}

/** "com.acme.vpn.tunnel: 2.4.0 (240) → 2.5.0 (250)" lines for everything that differs. */
export function changesBetween(before: UpgradeSide, after: UpgradeSide): string[] {
  const lines: string[] = [];
  const pairs = <T>(a: T[], b: T[], key: (x: T) => string) => {
    const keys = [...new Set([...a.map(key), ...b.map(key)])];
    return keys.map((k) => [a.find((x) => key(x) === k), b.find((x) => key(x) === k), k] as const);
  };
  for (const [was, is, label] of pairs(before.bundles, after.bundles, (b) => b.label)) {
    if (was?.version !== is?.version)
      lines.push(`${label}: ${was?.version ?? 'absent'} → ${is?.version ?? 'removed'}`);
    if (was && is && was.running !== is.running)
      lines.push(
        `${label}: ${was.running ? 'running' : 'not running'} → ${is.running ? 'running' : 'not running'}`,
      );
  }
  for (const [was, is, key] of pairs(
    before.extensions,
    after.extensions,
    (e) => `${e.bundleId} ${e.version}`,
  )) {
    if (was?.state !== is?.state)
      lines.push(`extension ${key}: [${was?.state ?? 'absent'}] → [${is?.state ?? 'uninstalled'}]`);
  }
  for (const [was, is, name] of pairs(before.services, after.services, (s) => `${s.domain}/${s.name}`)) {
    const a = was ? `${was.boundTo} (${was.binding})` : 'not registered';
    const b = is ? `${is.boundTo} (${is.binding})` : 'not registered';
    if (a !== b) lines.push(`${name}: ${a} → ${b}`);
  }
  return lines;
}

/**
 * Every connection the upgrade broke: each that became INTERRUPTED or INVALID with an error while it ran. A process
 * launched meanwhile is named by its spawn, as a recorded trace names it; `known` names those running before.
 */
export function brokenConnections(
  events: readonly EventInput[],
  known: (pid: number) => string | undefined,
): BrokenConnection[] {
  const spawned = new Map<number, string>();
  const broken: BrokenConnection[] = [];
  for (const e of events) {
    if (e.kind === 'process.spawn') spawned.set(e.pid, e.label);
    if (e.kind !== 'connection.state') continue;
    const b = brokenConnection(e, (pid) => spawned.get(pid) ?? known(pid));
    if (b) broken.push(b);
  }
  return broken;
}

/** What to try, whether it works and at what cost, per XPC-MODEL §5.4 and §10.1. */
export function remediesFor(stale: readonly ServiceEntry[], rebootRebinds: boolean): Remedy[] {
  if (stale.length === 0) return [];
  const names = stale.map((e) => e.name).join(', ');
  const ext = [...new Set(stale.map((e) => e.job.label))].join(', ');
  const costs = (r: RemedyName) => ({ costs: [...REMEDY_COSTS[r]] });
  return [
    {
      remedy: 'restart-app',
      works: false,
      verdict: 'fails',
      why: `XPC-MODEL §5.4: the stale binding of ${names} persists across app restart`,
      ...costs('restart-app'),
    },
    {
      remedy: 'deactivate-activate',
      works: true,
      verdict: 'works',
      why: `XPC-MODEL §5.4, §10.1: a deactivationRequest followed by a fresh activationRequest rebinds ${names} (coder-desktop-macos PR #158), once the user allows the extension again`,
      ...costs('deactivate-activate'),
    },
    {
      remedy: 'delete-extension',
      works: true,
      verdict: 'depends',
      why: `XPC-MODEL §5.4, §10.1: deleting ${ext} in Login Items & Extensions clears the binding; then the app must ask for the extension again (relaunch), the user must allow it, and the app must make a new connection: one invalidated before keeps failing`,
      ...costs('delete-extension'),
    },
    {
      remedy: 'delete-app',
      works: true,
      verdict: 'works',
      why: `XPC-MODEL §10.1: deleting the app uninstalls ${ext}; installed and launched again, it asks for the extension afresh, and ${names} answers once the user allows it`,
      ...costs('delete-app'),
    },
    {
      remedy: 'versioned-mach-service-name',
      works: true,
      verdict: 'works',
      why: `XPC-MODEL §10.1: ship the extension with a NEMachServiceName that carries the build version, $(TeamIdentifierPrefix)….$(CURRENT_PROJECT_VERSION); the next upgrade registers a new name for the new instance, with nothing for the user to do (coder-desktop-macos PR #191). Clients of ${names} keep failing until then`,
      costs: ['none for the user; the app derives the same versioned name at run time'],
    },
    {
      remedy: 'reboot',
      works: rebootRebinds,
      verdict: rebootRebinds ? 'works' : 'fails',
      why: rebootRebinds
        ? '[I] XPC-MODEL §5.4: in this world a reboot re-points the name (rebootRebindsNE is on)'
        : '[I] XPC-MODEL §5.4: "rebooting does not help in some reports"; this world follows them (rebootRebindsNE is off)',
      ...costs('reboot'),
    },
    {
      remedy: 'pkg-preinstall',
      works: false,
      verdict: 'depends',
      why: 'XPC-MODEL §10.1: a preinstall that stops the VPN helps only if the tunnel is still down when the new app replaces the extension; an on-demand rule or a postinstall that reconnects it brings the failure back',
      costs: ['the VPN drops while the package installs'],
    },
  ];
}
