import type { BrokenGroup, RemedyEvent, UpgradeEvent, UpgradeStory } from '../../../preload/contract';
import { clock, duration } from '../../format';
import { live as liveModel, useConsole } from '../../store';
import { upgradeActions, useUpgrade } from './state';

type Remedy = UpgradeEvent['remedies'][number];
type RemedyName = RemedyEvent['remedy'];

/** What the console calls each remedy, and the remedy command it sends (preload/contract.ts). */
const BUTTONS: Partial<Record<string, [string, RemedyName]>> = {
  'restart-app': ['Restart the app', 'restart-app'],
  'deactivate-activate': ['Deactivate then activate', 'deactivate-activate'],
  'delete-extension': ['Delete the extension', 'delete-extension'],
  'delete-app': ['Delete the app and install it again', 'delete-app'],
  reboot: ['Reboot', 'reboot'],
};

const REMEDY_TITLES: Record<RemedyName, string> = {
  'restart-app': 'Restart the app',
  'deactivate-activate': 'Deactivate then activate',
  'delete-extension': 'Delete the extension',
  'delete-app': 'Delete the app',
  allow: 'Allow',
  reboot: 'Reboot',
};

function Sequence({ report }: { report: UpgradeEvent }) {
  if (!report.sequence?.length) return null;
  return (
    <section aria-label="Installer sequence">
      <h3>Installer sequence</h3>
      <ol className="install-sequence">
        {report.sequence.map((s) => (
          <li key={s.step} data-step={s.step}>
            <span className="mono">{s.step}</span>{' '}
            <span className={s.vpnConnected ? 'vpn-on' : 'vpn-off'}>VPN {s.vpnConnected ? 'on' : 'off'}</span>
            <span className="muted"> — {s.detail}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Replaced({ report }: { report: UpgradeEvent }) {
  return (
    <section aria-label="Replaced">
      <h3>Replaced</h3>
      {report.replaced.length === 0 ? <p className="muted">Nothing.</p> : null}
      <ul>
        {report.replaced.map((j) => (
          <li key={`${j.type}:${j.label}`}>
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

function every(g: BrokenGroup): string {
  if (g.count < 2) return `at ${clock(g.first)}`;
  return `×${g.count} since ${clock(g.first)}, last ${clock(g.last)}, about every ${duration((g.last - g.first) / (g.count - 1))}`;
}

function Broken({ story }: { story: UpgradeStory | undefined }) {
  const groups = story?.broken ?? [];
  return (
    <section aria-label="Broken connections">
      <h3>Connections that broke</h3>
      {groups.length === 0 ? <p className="muted">None.</p> : null}
      <ul className="broken-groups">
        {groups.map((g) => (
          <li
            key={[g.process, g.name, g.side, g.became, g.error, g.reason].join('|')}
            className={g.app ? 'broken-group broken-app' : 'broken-group'}
            data-app={g.app}
            data-count={g.count}
          >
            <span className="mono">{g.process}</span> → <span className="mono">{g.name}</span>{' '}
            <span className="muted">({g.side})</span>{' '}
            <b className={`err-${g.became}`}>{g.logLine ?? g.became}</b>
            {g.nsErrorCode !== undefined ? <span className="muted"> (NSError {g.nsErrorCode})</span> : null}{' '}
            <span className="count">{every(g)}</span>
            {g.cause ? <div className="muted">{g.cause}</div> : null}
          </li>
        ))}
      </ul>
      {story?.recoveredAt !== undefined ? (
        <p className="recovered">The app's connection was accepted again at {clock(story.recoveredAt)}.</p>
      ) : null}
    </section>
  );
}

function verdictOf(r: Remedy): 'works' | 'fails' | 'depends' {
  return r.verdict ?? (r.works ? 'works' : 'fails');
}

const VERDICT_TEXT = {
  works: '✓ works',
  fails: '✗ does not work',
  depends: '… works only with further steps',
};

/** The button that tries a remedy here, where the console can. */
function RemedyButton({ remedy, report }: { remedy: string; report: UpgradeEvent }) {
  const busy = useUpgrade((s) => s.busy);
  const live = useConsole((s) => s.mode) === 'live';
  if (!live) return null;
  if (remedy === 'versioned-mach-service-name')
    return (
      <button
        type="button"
        className="small"
        disabled={busy}
        onClick={() =>
          void upgradeActions.upgrade({
            app: report.app,
            mode: 'bump',
            folder: '',
            installer: report.installer,
            firstLaunch: true,
            versionedName: true,
            vpnOnDemand: false,
            postinstallReconnects: false,
          })
        }
      >
        Upgrade again with a versioned name
      </button>
    );
  const b = BUTTONS[remedy];
  if (!b) return null;
  return (
    <button
      type="button"
      className="small"
      disabled={busy}
      onClick={() => void upgradeActions.remedy(report.app, b[1])}
    >
      {b[0]}
    </button>
  );
}

/** The latest time this remedy was tried, in one line, beside its button. */
function Latest({ story, remedy }: { story: UpgradeStory | undefined; remedy: string }) {
  const row = pairRemedies(story?.remedies ?? [])
    .filter((r) => r.applied.remedy === remedy)
    .at(-1);
  if (!row) return null;
  const o = row.outcome;
  const text = !o
    ? 'tried: watching the app’s connection…'
    : o.recovered
      ? `tried: the app recovered after ${duration(o.afterMs ?? 0)}`
      : `tried: the app has not recovered; still needed: ${o.needs[0] ?? 'nothing known'}`;
  return <div className={`latest-outcome ${o?.recovered ? 'recovered' : 'not-recovered'}`}>{text}</div>;
}

function Remedies({ report, story }: { report: UpgradeEvent; story: UpgradeStory | undefined }) {
  if (report.remedies.length === 0) return null;
  return (
    <section aria-label="Remedies">
      <h3>What to try</h3>
      <ul className="remedies">
        {report.remedies.map((r) => (
          <li key={r.remedy} data-remedy={r.remedy} data-works={r.works}>
            <span className={verdictOf(r)}>{VERDICT_TEXT[verdictOf(r)]}</span>{' '}
            <span className="mono">{r.remedy}</span> <RemedyButton remedy={r.remedy} report={report} />
            <div className="muted">{r.why}</div>
            {r.costs?.length ? <div className="costs">Cost: {r.costs.join('; ')}</div> : null}
            <Latest story={story} remedy={r.remedy} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The user's step in System Settings, which the console stands in for (XPC-MODEL §10.1). */
function Approval({ report }: { report: UpgradeEvent }) {
  const busy = useUpgrade((s) => s.busy);
  const live = useConsole((s) => s.mode) === 'live';
  const mine = new Set(report.after.extensions.map((e) => e.bundleId));
  const waiting = Object.values(liveModel.model.state.extensions ?? {}).filter(
    (e) => e.state === 'activated waiting for user' && mine.has(e.bundleId),
  );
  if (waiting.length === 0) return null;
  return (
    <section aria-label="Approval" className="approval">
      {waiting.map((e) => (
        <p key={e.uuid}>
          <b>System Settings › Privacy &amp; Security:</b> “{e.name}” ({e.shortVersion}) would like to add a
          network extension. Nothing answers its names until the user allows it.{' '}
          {live ? (
            <button
              type="button"
              className="small primary"
              disabled={busy}
              onClick={() => void upgradeActions.remedy(report.app, 'allow')}
            >
              Allow
            </button>
          ) : null}
        </p>
      ))}
    </section>
  );
}

function Outcome({ outcome }: { outcome: RemedyEvent | undefined }) {
  if (!outcome) return <p className="remedy-outcome pending">Watching the app's connection…</p>;
  return (
    <div className={`remedy-outcome ${outcome.recovered ? 'recovered' : 'not-recovered'}`}>
      {outcome.recovered ? (
        <b className="outcome-line">
          ✓ The app's connection recovered after {duration(outcome.afterMs ?? 0)}.
        </b>
      ) : (
        <b className="outcome-line">
          ✗ The app's connection has not recovered
          {outcome.afterMs ? ` (watched for ${duration(outcome.afterMs)})` : ''}.
        </b>
      )}
      {outcome.needs.length > 0 ? (
        <div>
          Still needed:
          <ul>
            {outcome.needs.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function Tried({ story }: { story: UpgradeStory | undefined }) {
  const rows = pairRemedies(story?.remedies ?? []);
  if (rows.length === 0) return null;
  return (
    <section aria-label="Remedies tried">
      <h3>Remedies tried</h3>
      <ol className="remedies-tried">
        {rows.map(({ applied, outcome }) => (
          <li
            key={applied.seq}
            className="remedy-tried"
            data-remedy={applied.remedy}
            data-recovered={outcome?.recovered ?? 'pending'}
          >
            <b>{REMEDY_TITLES[applied.remedy]}</b> <span className="muted">at {clock(applied.t)}</span>
            <ul className="remedy-steps">
              {applied.steps.map((s) => (
                <li key={s.step + s.outcome}>
                  {s.step}: <span className="muted">{s.outcome}</span>
                </li>
              ))}
            </ul>
            {applied.costs.length > 0 ? <div className="costs">Cost: {applied.costs.join('; ')}</div> : null}
            <Outcome outcome={outcome} />
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Each applied remedy with the outcome that followed it. */
function pairRemedies(events: readonly RemedyEvent[]): { applied: RemedyEvent; outcome?: RemedyEvent }[] {
  const rows: { applied: RemedyEvent; outcome?: RemedyEvent }[] = [];
  for (const ev of events) {
    if (ev.phase === 'applied') rows.push({ applied: ev });
    else {
      const row = [...rows].reverse().find((r) => r.applied.remedy === ev.remedy && !r.outcome);
      if (row) row.outcome = ev;
    }
  }
  return rows;
}

/** The outcome of an upgrade, in the order one reads it: what broke, why, what to do, what was tried. */
export function Report({ report, story }: { report: UpgradeEvent; story: UpgradeStory | undefined }) {
  return (
    <article className="upgrade-report" aria-label="Upgrade report">
      <h3>
        <span className="mono">{report.app}</span>{' '}
        <span className="mono">
          {report.from} → {report.to}
        </span>{' '}
        <span className="muted">at {clock(report.t)}</span>
      </h3>
      <p className="muted">
        {report.source === 'bump' ? 'versions bumped' : 'from a folder'} · installer {report.installer} · VPN{' '}
        {report.vpnConnected ? 'connected' : 'not connected'} when the extension was replaced · developer mode{' '}
        {report.developerMode ? 'on' : 'off'} · {report.firstLaunch ? 'first launch' : 'not launched'}
      </p>
      <Broken story={story} />
      <Approval report={report} />
      <Tried story={story} />
      <section aria-label="Why">
        <h3>Why</h3>
        <ul>
          {report.why.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      </section>
      <Remedies report={report} story={story} />
      <Sequence report={report} />
      <Replaced report={report} />
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
