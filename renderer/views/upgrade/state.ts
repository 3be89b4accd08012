import { create } from 'zustand';
import type { UpgradeReport } from '../../../main/broker/upgrade-report';
import type { Bridge, SysextListResult, UpgradeCommand } from '../../../preload/contract';
import { run } from '../../store';

interface UpgradeState {
  report: UpgradeReport | null;
  /** `systemextensionsctl list` as of the last action. */
  list: SysextListResult | null;
  busy: boolean;
}

/** Lives outside the panel so the report stays while the Connections view shows what it did. */
export const useUpgrade = create<UpgradeState>(() => ({ report: null, list: null, busy: false }));

export async function refreshList(): Promise<void> {
  const list = await run('systemextensionsctl list', (b) => b.invoke({ type: 'sysextList' }));
  if (list) useUpgrade.setState({ list });
}

/** Runs one action, then reads the list again: every action can change it. */
async function step<T>(what: string, fn: (b: Bridge) => Promise<T>): Promise<T | undefined> {
  useUpgrade.setState({ busy: true });
  try {
    return await run(what, fn);
  } finally {
    await refreshList();
    useUpgrade.setState({ busy: false });
  }
}

export interface UpgradeOptions {
  app: string;
  mode: 'bump' | 'folder';
  folder: string;
  installer: 'pkg' | 'pkg-preinstall' | 'drag';
  /** Unset: as the world has it. */
  vpnConnected?: boolean;
  developerMode?: boolean;
  firstLaunch: boolean;
}

function buildCommand(o: UpgradeOptions): UpgradeCommand {
  return {
    type: 'upgrade' as const,
    app: o.app,
    mode: o.mode,
    installer: o.installer,
    firstLaunch: o.firstLaunch,
    replaceAction: 'replace',
    sameVersion: false,
    ...(o.mode === 'folder' ? { folder: o.folder } : {}),
    ...(o.vpnConnected === undefined ? {} : { vpnConnected: o.vpnConnected }),
    ...(o.developerMode === undefined ? {} : { developerMode: o.developerMode }),
  };
}

export const upgradeActions = {
  upgrade: async (o: UpgradeOptions) => {
    const report = await step(`upgrade ${o.app}`, (b) => b.invoke(buildCommand(o)));
    if (report) useUpgrade.setState({ report });
  },
  deleteExtension: (bundleId: string) =>
    step(`delete ${bundleId}`, (b) => b.invoke({ type: 'sysext', action: 'delete', bundleId })),
  reactivate: (bundleId: string) =>
    step(`deactivate and activate ${bundleId}`, async (b) => {
      await b.invoke({ type: 'sysext', action: 'deactivate', bundleId });
      return b.invoke({ type: 'sysext', action: 'activate', bundleId });
    }),
  reboot: () => step('reboot', (b) => b.invoke({ type: 'reboot' })),
  restartApp: (app: string) => step(`restart ${app}`, (b) => b.invoke({ type: 'restartApp', app })),
};
