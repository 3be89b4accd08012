import type { JobSpec } from '../../world/model';
import { versionText } from '../../world/unit';
import type { ActivationResult } from './sysext';

export interface ActivationWords {
  action: string;
  why: string[];
}

/** What an activation request did, in plain words citing the rule. */
export function activationWords(
  result: ActivationResult,
  staged: JobSpec,
  vpnConnected: boolean,
  developerMode = false,
): ActivationWords {
  const label = staged.label;
  switch (result.outcome) {
    case 'not-found':
      return {
        action: 'not found in the app',
        why: [`${label} is not embedded in the app, so no activation request was made`],
      };
    case 'installed':
      return {
        action: 'installed',
        why: [
          `XPC-MODEL §5.1: no copy of ${label} was installed, so sysextd installed ${versionText(staged)}`,
        ],
      };
    case 'kept':
      return {
        action: 'kept: versions identical',
        why: [
          `XPC-MODEL §5.1: ${label} ${versionText(staged)} has the same CFBundleVersion and CFBundleShortVersionString as the installed copy, and developer mode is off, so the installed extension was kept`,
        ],
      };
    case 'cancelled':
      return {
        action: 'kept: the delegate cancelled the replacement',
        why: [
          `XPC-MODEL §5.1: the delegate returned .cancel, so the request failed with OSSystemExtensionError.requestCanceled and ${versionText(result.instance.job)} keeps running`,
        ],
      };
    case 'replaced':
      return { action: 'replaced', why: replacedWhy(result, vpnConnected, developerMode) };
  }
}

function replacedWhy(
  result: Extract<ActivationResult, { outcome: 'replaced' }>,
  vpnConnected: boolean,
  developerMode: boolean,
): string[] {
  const { old, instance } = result;
  const label = instance.job.label;
  const was = versionText(old.job);
  const why = [
    `XPC-MODEL §5.1: ${label} ${was} → ${versionText(instance.job)}: sysextd asked the delegate and replaced it; the old copy is [terminated waiting to uninstall on reboot]`,
  ];
  for (const name of result.stale) {
    why.push(
      `XPC-MODEL §5.4: ${label} was replaced while the VPN was connected, so NE left ${name} bound to the old instance ${was}, which no longer runs; every new connection to it is invalidated at once ("invalidated after a failed init", NSError 4099), and restarting the app does not help`,
    );
  }
  const es = instance.job.sysext?.category === 'endpoint_security';
  if (es)
    why.push(
      `XPC-MODEL §5.4: an Endpoint Security extension re-registers its Mach service, so ${label}'s cut-over is clean`,
    );
  else if (
    result.stale.length === 0 &&
    instance.job.machServices.some((s) => s.origin === 'NEMachServiceName')
  ) {
    const same = versionText(old.job) === versionText(instance.job);
    const because =
      vpnConnected && developerMode && same
        ? '[I] XPC-MODEL §10.1: in developer mode a same-version replacement leaves no stale binding'
        : `XPC-MODEL §5.4: ${vpnConnected ? 'the new NEMachServiceName was registered fresh' : 'no tunnel was up'}`;
    why.push(`${because}, so NE bound ${label}'s Mach service to the new instance`);
  }
  return why;
}
