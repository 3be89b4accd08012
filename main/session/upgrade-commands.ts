import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { UpgradeReport } from '../broker/upgrade-report';
import { loadWorld } from '../world/load';
import type { JobSpec } from '../world/model';
import { appUnit, findApp } from '../world/unit';
import type { Session } from './session';

/**
 * Upgrade, system extension and reboot commands, written for the contract
 * (preload/contract.ts) to take up: each schema is one command shape, each
 * function runs it against a Session and returns what the console shows.
 */

export const UpgradeCommandSchema = z.object({
  type: z.literal('upgrade'),
  /** The app's bundle identifier (its label). */
  app: z.string().min(1).max(256),
  /** bump: raise every bundle's versions; folder: version N+1 read from a folder laid out like the world. */
  mode: z.enum(['bump', 'folder']),
  /** For mode folder: absolute, or relative to the world's folder. */
  folder: z.string().min(1).max(4096).optional(),
  installer: z.enum(['pkg', 'pkg-preinstall', 'drag']).default('pkg'),
  vpnConnected: z.boolean().optional(),
  developerMode: z.boolean().optional(),
  firstLaunch: z.boolean().default(true),
  replaceAction: z.enum(['replace', 'cancel']).default('replace'),
  /** For mode bump: keep the versions (the identical-versions case of XPC-MODEL §5.1). */
  sameVersion: z.boolean().default(false),
  /** For mode bump: the versioned NEMachServiceName workaround (XPC-MODEL §5.4). */
  versionMachServiceName: z.boolean().default(false),
});
export type UpgradeCommand = z.infer<typeof UpgradeCommandSchema>;

export const SysextCommandSchema = z.object({
  type: z.literal('sysext'),
  /** delete: System Settings › Login Items & Extensions; deactivate/activate: OSSystemExtensionRequest. */
  action: z.enum(['delete', 'deactivate', 'activate']),
  bundleId: z.string().min(1).max(256),
});
export type SysextCommand = z.infer<typeof SysextCommandSchema>;

export const RestartAppCommandSchema = z.object({
  type: z.literal('restartApp'),
  app: z.string().min(1).max(256),
});
export const RebootCommandSchema = z.object({ type: z.literal('reboot'), rebindsNE: z.boolean().optional() });
export const SetVpnCommandSchema = z.object({ type: z.literal('setVpn'), connected: z.boolean() });
export const SysextListCommandSchema = z.object({ type: z.literal('sysextList') });

export interface SysextListResult {
  /** `systemextensionsctl list` (XPC-MODEL §5.2). */
  text: string;
  vpnConnected: boolean;
  developerMode: boolean;
  stale: { name: string; boundTo: string }[];
}

/** Version N+1 of the app's unit from a folder; the world's own world.plist applies when the folder has none. */
function unitFromFolder(session: Session, app: string, folder: string): JobSpec[] {
  const { world } = session.broker;
  const dir = isAbsolute(folder) ? folder : resolve(world.root, folder);
  const { world: next, diagnostics } = loadWorld(dir, { manifestFrom: world.root, validate: false });
  for (const d of diagnostics)
    session.hub.emit({ kind: 'diagnostic', ...d, file: `${folder}/${d.file ?? ''}` });
  const nextApp = findApp(next, app);
  if (!nextApp) throw new Error(`${dir} holds no app ${app}`);
  return appUnit(next, nextApp);
}

export function upgradeApp(session: Session, command: UpgradeCommand): UpgradeReport {
  const { upgrades } = session.broker;
  const options = {
    installer: command.installer,
    firstLaunch: command.firstLaunch,
    replaceAction: command.replaceAction,
    ...(command.vpnConnected === undefined ? {} : { vpnConnected: command.vpnConnected }),
    ...(command.developerMode === undefined ? {} : { developerMode: command.developerMode }),
  };
  if (command.mode === 'bump') {
    return upgrades.bump(
      command.app,
      { sameVersion: command.sameVersion, versionMachServiceName: command.versionMachServiceName },
      options,
    );
  }
  if (!command.folder) throw new Error('an upgrade from a folder needs the folder');
  return upgrades.upgrade(
    command.app,
    { source: 'folder', jobs: unitFromFolder(session, command.app, command.folder) },
    options,
  );
}

export function sysextList(session: Session): SysextListResult {
  const { sysext } = session.broker;
  return {
    text: sysext.listText(),
    vpnConnected: sysext.vpnConnected,
    developerMode: sysext.developerMode,
    stale: sysext.staleBindings().map((e) => ({
      name: e.name,
      boundTo: `${e.job.label} ${e.job.shortVersion ?? ''} (${e.job.bundleVersion ?? ''})`,
    })),
  };
}

export function sysextAction(
  session: Session,
  command: SysextCommand,
): { ok: boolean; outcome?: string; list: SysextListResult } {
  const { sysext } = session.broker;
  session.hub.emit({ kind: 'action', action: `sysext-${command.action}`, target: command.bundleId });
  let ok: boolean;
  let outcome: string | undefined;
  if (command.action === 'activate') {
    outcome = sysext.activate(command.bundleId).outcome;
    ok = outcome !== 'not-found';
  } else {
    ok =
      command.action === 'delete'
        ? sysext.deleteExtension(command.bundleId)
        : sysext.deactivate(command.bundleId);
  }
  if (!ok) throw new Error(`no system extension ${command.bundleId} to ${command.action}`);
  return { ok, ...(outcome ? { outcome } : {}), list: sysextList(session) };
}

export function restartApp(session: Session, app: string): { outcomes: string[] } {
  return { outcomes: session.broker.upgrades.restartApp(app).map((r) => r.outcome) };
}

export function reboot(session: Session, rebindsNE?: boolean): SysextListResult {
  session.broker.upgrades.reboot(rebindsNE === undefined ? {} : { rebindsNE });
  return sysextList(session);
}

export function setVpn(session: Session, connected: boolean): { vpnConnected: boolean } {
  session.broker.sysext.setVpnConnected(connected);
  session.hub.emit({ kind: 'action', action: connected ? 'vpn-connect' : 'vpn-disconnect' });
  return { vpnConnected: connected };
}
