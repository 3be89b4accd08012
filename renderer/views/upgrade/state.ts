import { create } from 'zustand';
import type {
  Bridge,
  RemedyEvent,
  SysextListResult,
  UpgradeCommand,
  UpgradeEvent,
  UpgradeStory,
} from '../../../preload/contract';
import { live, run } from '../../store';

interface UpgradeState {
  /** `systemextensionsctl list` as of the last action. */
  list: SysextListResult | null;
  busy: boolean;
}

/** Lives outside the panel so the list stays while another view shows what an action did. */
export const useUpgrade = create<UpgradeState>(() => ({ list: null, busy: false }));

/**
 * The latest upgrade report and what followed it, as the event stream told the
 * model: the same after a reload, in a second window and in a reopened trace.
 */
export function latestUpgrade(): { report: UpgradeEvent; story: UpgradeStory | undefined } | null {
  const report = live.model.state.upgrades?.at(-1);
  if (!report) return null;
  const story = live.model.state.upgradeStory;
  return { report, story: story?.seq === report.seq ? story : undefined };
}

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
  /** Bump only: the extension's NEMachServiceName carries the build version (XPC-MODEL §10.1). */
  versionedName: boolean;
  vpnOnDemand: boolean;
  postinstallReconnects: boolean;
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
    versionedName: o.mode === 'bump' && o.versionedName,
    vpnOnDemand: o.vpnOnDemand,
    postinstallReconnects: o.postinstallReconnects,
    ...(o.mode === 'folder' ? { folder: o.folder } : {}),
    ...(o.vpnConnected === undefined ? {} : { vpnConnected: o.vpnConnected }),
    ...(o.developerMode === undefined ? {} : { developerMode: o.developerMode }),
  };
}

export const upgradeActions = {
  upgrade: (o: UpgradeOptions) => step(`upgrade ${o.app}`, (b) => b.invoke(buildCommand(o))),
  remedy: (app: string, remedy: RemedyEvent['remedy']) =>
    step(`${remedy} for ${app}`, (b) => b.invoke({ type: 'remedy', app, remedy })),
};
