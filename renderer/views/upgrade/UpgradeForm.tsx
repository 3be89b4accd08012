import { useMemo, useState } from 'react';
import { useTick } from '../../hooks';
import { live, useConsole } from '../../store';
import { type UpgradeOptions, upgradeActions, useUpgrade } from './state';

/** Apps the user launched; failing those, anything in a gui/ domain (agents count there too). */
function appLabels(): string[] {
  const procs = Object.values(live.model.state.processes).filter((p) => p.domain.startsWith('gui/'));
  const apps = procs.filter((p) => p.reason === 'app launch');
  return [...new Set((apps.length > 0 ? apps : procs).map((p) => p.label))].sort();
}

/** A yes/no that can also be left as the world has it. */
function WorldFlag(props: {
  label: string;
  value: boolean | undefined;
  current: boolean | undefined;
  onChange: (v: boolean | undefined) => void;
}) {
  const { label, value, current, onChange } = props;
  const now = current === undefined ? '' : ` (${current ? 'yes' : 'no'})`;
  return (
    <label>
      {label}
      <select
        aria-label={label}
        value={value === undefined ? 'world' : String(value)}
        onChange={(e) => onChange(e.target.value === 'world' ? undefined : e.target.value === 'true')}
      >
        <option value="world">as the world has it{now}</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    </label>
  );
}

export function UpgradeForm() {
  const tick = useTick(1);
  const mode = useConsole((s) => s.mode);
  const { list, busy } = useUpgrade();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the model is mutable; tick says when it changed.
  const apps = useMemo(appLabels, [tick]);
  const [o, setO] = useState<UpgradeOptions>({
    app: '',
    mode: 'bump',
    folder: '',
    installer: 'pkg',
    firstLaunch: true,
    versionedName: false,
    vpnOnDemand: false,
    postinstallReconnects: false,
  });
  const set = (patch: Partial<UpgradeOptions>) => setO((prev) => ({ ...prev, ...patch }));
  const app = o.app || apps[0] || '';
  const ready = !!app && (o.mode === 'bump' || o.folder.trim() !== '') && mode === 'live' && !busy;
  return (
    <form
      className="upgrade-form"
      aria-label="Upgrade"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) void upgradeActions.upgrade({ ...o, app });
      }}
    >
      <label>
        App
        <select aria-label="App" value={app} onChange={(e) => set({ app: e.target.value })}>
          {apps.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>New version</legend>
        <label>
          <input type="radio" checked={o.mode === 'bump'} onChange={() => set({ mode: 'bump' })} /> bump every
          version
        </label>
        <label>
          <input type="radio" checked={o.mode === 'folder'} onChange={() => set({ mode: 'folder' })} /> from a
          folder
        </label>
        <input
          type="text"
          aria-label="Folder"
          placeholder="e.g. ../upgrades/acme-vpn-2.5.0"
          disabled={o.mode !== 'folder'}
          value={o.folder}
          onChange={(e) => set({ folder: e.target.value })}
        />
      </fieldset>
      <label>
        Installer
        <select
          aria-label="Installer"
          value={o.installer}
          onChange={(e) => set({ installer: e.target.value as UpgradeOptions['installer'] })}
        >
          <option value="pkg">pkg</option>
          <option value="pkg-preinstall">pkg with a preinstall that stops the VPN</option>
          <option value="drag">drag to Applications</option>
        </select>
      </label>
      <WorldFlag
        label="VPN connected"
        value={o.vpnConnected}
        current={list?.vpnConnected}
        onChange={(v) => set({ vpnConnected: v })}
      />
      <WorldFlag
        label="Developer mode"
        value={o.developerMode}
        current={list?.developerMode}
        onChange={(v) => set({ developerMode: v })}
      />
      <label title="A VPN on-demand rule reconnects the tunnel before the new app launches (XPC-MODEL §10.1)">
        <input
          type="checkbox"
          checked={o.vpnOnDemand}
          onChange={(e) => set({ vpnOnDemand: e.target.checked })}
        />{' '}
        on-demand VPN
      </label>
      <label title="The package's postinstall script starts the VPN again (XPC-MODEL §10.1)">
        <input
          type="checkbox"
          checked={o.postinstallReconnects}
          disabled={o.installer === 'drag'}
          onChange={(e) => set({ postinstallReconnects: e.target.checked })}
        />{' '}
        postinstall reconnects
      </label>
      <label title="The extension's NEMachServiceName carries the build version, so each version registers its own name (XPC-MODEL §10.1)">
        <input
          type="checkbox"
          checked={o.versionedName}
          disabled={o.mode !== 'bump'}
          onChange={(e) => set({ versionedName: e.target.checked })}
        />{' '}
        versioned NEMachServiceName
      </label>
      <label>
        <input
          type="checkbox"
          checked={o.firstLaunch}
          onChange={(e) => set({ firstLaunch: e.target.checked })}
        />{' '}
        first launch after the install
      </label>
      <button type="submit" disabled={!ready}>
        {busy ? 'Running…' : 'Run upgrade'}
      </button>
    </form>
  );
}
