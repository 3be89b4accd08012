import type { SysextInstance } from './sysext';

/**
 * [I] The address sysextd's `<sysextd.Extension: 0x…>` prints for an installed copy: made from the copy's
 * serial, so two runs of a scenario read the same.
 */
export function extensionObject(instance: SysextInstance): string {
  const serial = Number.parseInt(instance.uuid.slice(-12), 16) || 0;
  return `<sysextd.Extension: 0x${(0xa94030000 + serial * 0x100).toString(16)}>`;
}

/**
 * sysextd's log lines (XPC-MODEL §5.1, quoted from F-772236, as §10.4 corrects them from coder-desktop-macos
 * logs): entries are named by bundle identifier, the extension by its object.
 */
export const sysextd = {
  foundEntry: (old: SysextInstance) =>
    `activateDecision found entry to replace: ${old.job.label}, BundleVersion(CFBundleShortVersionString: "${old.job.shortVersion ?? ''}", CFBundleVersion: "${old.job.bundleVersion ?? ''}")`,
  /** [I] The object named is the installed copy the request would replace. */
  replaceDecision: (old?: SysextInstance) =>
    `initial activation decision: requestAppReplaceAction(${old ? extensionObject(old) : '...'})`,
  conflict: () => 'notifying client of activation conflict',
  // [I] The wording of the "kept" outcome; §5.1 only says the request is reported as completed.
  kept: (current: SysextInstance) =>
    `activateDecision found matching entry: ${current.job.label}, versions identical; request completed without replacement`,
};

/** The pane each category's header points to (XPC-MODEL §5.2; the non-network panes are [R]). */
const PANES: Readonly<Record<string, string>> = {
  network_extension: 'Network Extensions',
  endpoint_security: 'Endpoint Security Extensions',
  driver_extension: 'Driver Extensions',
};

function row(i: SysextInstance): string {
  const enabled = i.state.endsWith('enabled') ? '*' : '';
  const active = i.state.startsWith('activated') ? '*' : '';
  const { job } = i;
  const version = `${job.shortVersion ?? ''}/${job.bundleVersion ?? ''}`;
  return `${enabled}\t${active}\t${i.teamId}\t${job.label} (${version})\t${job.sysext?.name ?? job.label}\t[${i.state}]`;
}

/** What `systemextensionsctl list` prints (XPC-MODEL §5.2): active copies first within each category. */
export function systemextensionsctlList(instances: readonly SysextInstance[]): string {
  const lines = [`${instances.length} extension(s)`];
  const categories = [...new Set(instances.map((i) => i.job.sysext?.category ?? 'network_extension'))];
  for (const category of categories) {
    const pane = PANES[category] ?? 'Extensions';
    lines.push(
      `--- com.apple.system_extension.${category} (Go to 'System Settings > General > Login Items & Extensions > ${pane}' to modify these system extension(s))`,
    );
    lines.push('enabled\tactive\tteamID\tbundleID (version)\tname\t[state]');
    const members = instances.filter((i) => (i.job.sysext?.category ?? 'network_extension') === category);
    const ordered = [
      ...members.filter((i) => i.state.startsWith('activated')),
      ...members.filter((i) => !i.state.startsWith('activated')).reverse(),
    ];
    for (const i of ordered) lines.push(row(i));
  }
  return lines.join('\n');
}
