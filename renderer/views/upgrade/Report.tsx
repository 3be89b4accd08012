import type { UpgradeReport } from '../../../main/broker/upgrade-report';
import { upgradeActions, useUpgrade } from './state';

type Remedy = UpgradeReport['remedies'][number];

function Replaced({ report }: { report: UpgradeReport }) {
  return (
    <section aria-label="Replaced">
      <h3>Replaced</h3>
      {report.replaced.length === 0 ? <p className="muted">Nothing.</p> : null}
      <ul>
        {report.replaced.map((j) => (
          <li key={j.label}>
            <span className="mono">{j.label}</span> <span className="muted">{j.type}</span>{' '}
            {j.from || j.to ? (
              <span className="mono">
                {j.from ?? 'absent'} → {j.to ?? 'removed'}
              </span>
            ) : null}{' '}
            <span className="muted">— {j.action}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Broken({ report }: { report: UpgradeReport }) {
  return (
    <section aria-label="Broken connections">
      <h3>Connections that broke</h3>
      {report.broken.length === 0 ? <p className="muted">None.</p> : null}
      <ul>
        {report.broken.map((c) => (
          <li key={`${c.conn}-${c.side}`}>
            <span className="mono">{c.process}</span> → <span className="mono">{c.name}</span>{' '}
            <span className="muted">({c.side})</span> became <b className={`err-${c.became}`}>{c.became}</b>
            {c.error ? <span className="mono"> {c.error}</span> : null}
            {c.nsErrorCode !== undefined ? <span className="muted"> (NSError {c.nsErrorCode})</span> : null}
            {c.cause ? <div className="muted">{c.cause}</div> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The button that tries a remedy here, where the console can. */
function RemedyButton({ remedy, report }: { remedy: string; report: UpgradeReport }) {
  const busy = useUpgrade((s) => s.busy);
  const ext = report.after.extensions[0]?.bundleId ?? report.before.extensions[0]?.bundleId;
  const buttons: Record<string, [string, () => unknown] | undefined> = {
    'delete-extension': ext ? ['Delete the extension', () => upgradeActions.deleteExtension(ext)] : undefined,
    'deactivate-activate': ext
      ? ['Deactivate then activate', () => upgradeActions.reactivate(ext)]
      : undefined,
    reboot: ['Reboot', () => upgradeActions.reboot()],
    'restart-app': ['Restart the app', () => upgradeActions.restartApp(report.app)],
  };
  const b = buttons[remedy];
  if (!b) return null;
  return (
    <button type="button" className="small" disabled={busy} onClick={() => void b[1]()}>
      {b[0]}
    </button>
  );
}

function Remedies({ report }: { report: UpgradeReport }) {
  return (
    <section aria-label="Remedies">
      <h3>What to try</h3>
      <ul className="remedies">
        {report.remedies.map((r: Remedy) => (
          <li key={r.remedy} data-remedy={r.remedy} data-works={r.works}>
            <span className={r.works ? 'works' : 'fails'}>{r.works ? '✓ works' : '✗ does not work'}</span>{' '}
            <span className="mono">{r.remedy}</span> <RemedyButton remedy={r.remedy} report={report} />
            <div className="muted">{r.why}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The outcome of an upgrade, in the order one reads it: what changed, what broke, why, what to do. */
export function Report({ report }: { report: UpgradeReport }) {
  return (
    <article className="upgrade-report" aria-label="Upgrade report">
      <h3>
        <span className="mono">{report.app}</span>{' '}
        <span className="mono">
          {report.from} → {report.to}
        </span>
      </h3>
      <p className="muted">
        {report.source === 'bump' ? 'versions bumped' : 'from a folder'} · installer {report.installer} · VPN{' '}
        {report.vpnConnected ? 'connected' : 'not connected'} · developer mode{' '}
        {report.developerMode ? 'on' : 'off'} · {report.firstLaunch ? 'first launch' : 'not launched'}
      </p>
      <Replaced report={report} />
      <Broken report={report} />
      <section aria-label="Why">
        <h3>Why</h3>
        <ul>
          {report.why.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      </section>
      <Remedies report={report} />
      <section aria-label="Changes">
        <h3>Before → after</h3>
        <ul className="mono changes">
          {report.changes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      </section>
    </article>
  );
}
