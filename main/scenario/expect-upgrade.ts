import type { Broker } from '../broker/broker';
import type { EventOf, TraceEvent } from '../trace/schema';
import { versionText } from '../world/unit';
import type { Expectation } from './schema';
import { fail, pass, type Verdict } from './verdict';

type Of<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;

function lastReport(events: readonly TraceEvent[], app: string): EventOf<'upgrade'> | undefined {
  return events.filter((e): e is EventOf<'upgrade'> => e.kind === 'upgrade' && e.app === app).at(-1);
}

function replacedProblem(report: EventOf<'upgrade'>, labels: readonly string[]): string | undefined {
  for (const label of labels) {
    const entry = report.replaced.find((r) => r.label === label);
    if (!entry) return `${label} is not in the report`;
    if (entry.action !== 'replaced') return `${label}: ${entry.action}`;
  }
  return undefined;
}

function remedyProblem(report: EventOf<'upgrade'>, e: Of<'upgrade'>): string | undefined {
  if (!e.remedy) return undefined;
  const want = e.works ?? true;
  const remedy = report.remedies.find((r) => r.remedy === e.remedy);
  if (!remedy) return `it lists no remedy ${e.remedy}: no name was left bound to a replaced extension`;
  if (remedy.works !== want)
    return `it says ${e.remedy} ${remedy.works ? 'works' : 'does not work'}: ${remedy.why}`;
  return undefined;
}

function brokenProblem(report: EventOf<'upgrade'>, want: number): string | undefined {
  if (report.broken.length === want) return undefined;
  const seen = report.broken.map((b) => `${b.process} ${b.name} ${b.became}`).join('; ');
  return `${report.broken.length} connection(s) broke${seen ? `: ${seen}` : ''}`;
}

function reportProblem(report: EventOf<'upgrade'>, e: Of<'upgrade'>): string | undefined {
  if (e.to !== undefined && e.to !== report.to) return `it went to ${report.to}`;
  if (e.vpnConnected !== undefined && e.vpnConnected !== report.vpnConnected)
    return `the VPN was ${report.vpnConnected ? 'connected' : 'disconnected'}`;
  const replaced = e.replaced && replacedProblem(report, e.replaced);
  if (replaced) return replaced;
  const broken = e.broken !== undefined && brokenProblem(report, e.broken);
  if (broken) return broken;
  return remedyProblem(report, e);
}

/** The app's last upgrade report against the expectation (XPC-MODEL §5). */
export function checkUpgrade(events: readonly TraceEvent[], e: Of<'upgrade'>): Verdict {
  const report = lastReport(events, e.upgrade);
  if (!report) return fail(`${e.upgrade} has not been upgraded`);
  const problem = reportProblem(report, e);
  return problem
    ? fail(`the report of ${e.upgrade}'s upgrade ${report.from} → ${report.to}: ${problem}`, report.seq)
    : pass;
}

/** The outcome of the last time the remedy was tried (XPC-MODEL §10.1). */
export function checkRemedy(events: readonly TraceEvent[], e: Of<'outcome'>): Verdict {
  const tried = events.filter((x): x is EventOf<'remedy'> => x.kind === 'remedy' && x.remedy === e.outcome);
  const applied = tried.filter((x) => x.phase === 'applied').at(-1);
  if (!applied) return fail(`${e.outcome} has not been tried`);
  const outcome = tried.filter((x) => x.phase === 'outcome' && x.seq > applied.seq).at(-1);
  if (!outcome) return fail(`${e.outcome} has no outcome yet`);
  if (outcome.recovered !== e.recovered)
    return fail(
      `after ${e.outcome} the app ${outcome.recovered ? 'recovered' : `did not recover; needs: ${outcome.needs.join('; ')}`}`,
      outcome.seq,
    );
  if (e.cost && !outcome.costs.some((c) => new RegExp(e.cost ?? '').test(c)))
    return fail(`${e.outcome} costs ${outcome.costs.join('; ') || 'nothing'}`, outcome.seq);
  if (e.needs && !outcome.needs.some((n) => new RegExp(e.needs ?? '').test(n)))
    return fail(`after ${e.outcome} the outcome needs ${outcome.needs.join('; ') || 'nothing'}`, outcome.seq);
  return pass;
}

interface ListRow {
  bundleId: string;
  version: string;
  state: string;
}

/** The rows of `systemextensionsctl list` (XPC-MODEL §5.2): `…\tbundleID (short/build)\tname\t[state]`. */
export function listRows(text: string): ListRow[] {
  const rows: ListRow[] = [];
  // The column header has the same shape as a row.
  for (const line of text.split('\n').filter((l) => !l.startsWith('enabled\t'))) {
    const cells = line.split('\t');
    const id = /^(\S+) \((.*)\)$/.exec(cells[3] ?? '');
    const state = /^\[(.*)\]$/.exec(cells[5] ?? '');
    if (cells.length === 6 && id && state) rows.push({ bundleId: id[1]!, version: id[2]!, state: state[1]! });
  }
  return rows;
}

const versionMatches = (row: ListRow, version: string) =>
  row.version === version || row.version.startsWith(`${version}/`);

export function checkSysext(broker: Broker, e: Of<'sysext'>): Verdict {
  const rows = listRows(broker.sysext.listText());
  const hit = rows.some(
    (r) =>
      r.bundleId === e.sysext &&
      (e.version === undefined || versionMatches(r, e.version)) &&
      (e.state === undefined || r.state === e.state),
  );
  if (hit === e.listed) return pass;
  const shown = rows.map((r) => `${r.bundleId} (${r.version}) [${r.state}]`).join(', ') || 'no extensions';
  return fail(
    `systemextensionsctl list ${e.listed ? 'has no such row' : 'still lists it'}; it shows ${shown}`,
  );
}

/** XPC-MODEL §5.4: which instance NE (or launchd) answers a name for. */
export function checkBinding(broker: Broker, e: Of<'binding'>): Verdict {
  const entry = broker.namespace.entries().find((s) => s.name === e.binding && !s.domain.startsWith('pid/'));
  const bound = entry && versionText(entry.job);
  const state = entry?.binding ?? 'unregistered';
  if (state === e.state && (e.boundTo === undefined || bound === e.boundTo)) return pass;
  return fail(
    entry
      ? `${e.binding} is ${state}, bound to ${entry.job.label} ${bound} in ${entry.domain}`
      : `${e.binding} is not registered`,
  );
}

/** The upgrade expectations in the scenario's words, for reports. */
export function describeUpgradeExpectation(
  e: Of<'upgrade'> | Of<'sysext'> | Of<'binding'> | Of<'outcome'>,
  within: string,
): string {
  switch (e.kind) {
    case 'outcome':
      return `after ${e.outcome} the app's connection ${e.recovered ? 'recovers' : 'does not recover'}${e.cost ? `, at a cost matching ${e.cost}` : ''}${e.needs ? `, and it needs ${e.needs}` : ''}${within}`;
    case 'upgrade': {
      const parts = [
        e.to && `went to ${e.to}`,
        e.vpnConnected !== undefined && `with the VPN ${e.vpnConnected ? 'connected' : 'disconnected'}`,
        e.replaced && `replaced ${e.replaced.join(', ')}`,
        e.broken !== undefined && `broke ${e.broken} connection(s)`,
        e.remedy && `says ${e.remedy} ${(e.works ?? true) ? 'works' : 'does not work'}`,
      ].filter(Boolean);
      return `the last upgrade of ${e.upgrade} ${parts.join(', ') || 'happened'}`;
    }
    case 'sysext':
      return `systemextensionsctl list ${e.listed ? 'shows' : 'does not show'} ${e.sysext}${e.version ? ` (${e.version})` : ''}${e.state ? ` [${e.state}]` : ''}${within}`;
    case 'binding':
      return `${e.binding} is ${e.state}${e.boundTo ? `, bound to ${e.boundTo}` : ''}${within}`;
  }
}
