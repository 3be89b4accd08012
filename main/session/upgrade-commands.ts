import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { RemedyCommand, SysextCommand, SysextListResult, UpgradeCommand } from '../../preload/contract';
import type { UpgradeReport } from '../broker/installs/upgrade-report';
import { loadWorld } from '../world/load';
import type { JobSpec } from '../world/model';
import { appUnit, findApp } from '../world/unit';
import type { Session } from './session';

/**
 * Upgrade, system extension and reboot commands, written for the contract
 * (preload/contract.ts) to take up: each schema is one command shape, each
 * function runs it against a Session and returns what the console shows.
 */

export type { SysextListResult } from '../../preload/contract';

/** Version N+1 of the app's unit from a folder; the world's own world.plist applies when the folder has none. */
function unitFromFolder(session: Session, app: string, folder: string): JobSpec[] {
  const { world } = session.broker;
  const dir = isAbsolute(folder) ? folder : resolve(world.root, folder);
  // The folder may come from the (untrusted) console: read it only if it is laid out like a world.
  const builtApp = dir.endsWith('.app') && existsSync(join(dir, 'Contents', 'Info.plist'));
  if (!existsSync(join(dir, 'Applications')) && !builtApp)
    throw new Error(`${folder} is not a world folder with an Applications folder in it`);
  const { world: next, diagnostics } = loadWorld(dir, { manifestFrom: world.root, validate: false });
  for (const d of diagnostics)
    session.hub.emit({ kind: 'diagnostic', ...d, file: `${folder}/${d.file ?? ''}` });
  const nextApp = findApp(next, app);
  if (!nextApp) throw new Error(`${dir} holds no app ${app}`);
  return appUnit(next, nextApp);
}

/**
 * The one place every upgrade goes through: the console's form and its
 * "Upgrade again with a versioned name" button, scenario steps and
 * `xpc-lab upgrade`. The versioned-name option (XPC-MODEL §10.1) meets the
 * world's naming mechanism here and nowhere else.
 */
export function upgradeApp(session: Session, command: UpgradeCommand): UpgradeReport {
  const { upgrades } = session.broker;
  const options = {
    installer: command.installer,
    firstLaunch: command.firstLaunch,
    replaceAction: command.replaceAction,
    ...(command.vpnConnected === undefined ? {} : { vpnConnected: command.vpnConnected }),
    ...(command.developerMode === undefined ? {} : { developerMode: command.developerMode }),
    ...(command.vpnOnDemand === undefined ? {} : { vpnOnDemand: command.vpnOnDemand }),
    ...(command.postinstallReconnects === undefined
      ? {}
      : { postinstallReconnects: command.postinstallReconnects }),
  };
  if (command.mode === 'bump') {
    return upgrades.bump(
      command.app,
      { sameVersion: command.sameVersion, versionedName: command.versionedName === true },
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

/** A remedy tried as the user would: its steps now, its outcome as a later `remedy` event (XPC-MODEL §10.1). */
export function tryRemedy(session: Session, command: RemedyCommand) {
  return session.broker.upgrades.remedies.apply(command.app, command.remedy);
}
