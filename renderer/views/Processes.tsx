import type { ProcessView } from '../../main/trace/model';
import { ProcessActions } from '../components/ProcessActions';
import { useTick } from '../hooks';
import { actions, useConsole, useModel } from '../store';

function domainRank(domain: string): number {
  return domain === 'system' ? 0 : domain.startsWith('gui/') ? 1 : domain.startsWith('user/') ? 2 : 3;
}

/** Processes grouped by launchd domain, with the actions a user can cause. */
export function Processes() {
  useTick(4);
  const selection = useConsole((s) => s.selection);
  const mode = useConsole((s) => s.mode);
  const all = Object.values(useModel().state.processes);
  const running = all.filter((p) => p.state === 'running');
  const recentExits = all
    .filter((p) => p.state === 'exited')
    .sort((a, b) => (b.exit?.t ?? 0) - (a.exit?.t ?? 0))
    .slice(0, 6);
  const domains = [...new Set(running.map((p) => p.domain))].sort(
    (a, b) => domainRank(a) - domainRank(b) || a.localeCompare(b),
  );
  if (all.length === 0)
    return (
      <p className="empty">
        {mode === 'trace'
          ? 'No process is launched in this trace. A log names most processes only where they connect: see Connections.'
          : 'No helpers yet. They start when the world loads and on demand.'}
      </p>
    );
  return (
    <nav className="processes" aria-label="Processes">
      {domains.map((domain) => (
        <section key={domain} className="domain">
          <h3>{domain}</h3>
          {running
            .filter((p) => p.domain === domain)
            .map((p) => (
              <ProcessRow
                key={p.pid}
                p={p}
                selected={selection?.kind === 'proc' && selection.pid === p.pid}
              />
            ))}
        </section>
      ))}
      {recentExits.length > 0 && (
        <section className="domain exited">
          <h3>Recently exited</h3>
          {recentExits.map((p) => (
            <ProcessRow key={p.pid} p={p} selected={selection?.kind === 'proc' && selection.pid === p.pid} />
          ))}
        </section>
      )}
    </nav>
  );
}

function ProcessRow({ p, selected }: { p: ProcessView; selected: boolean }) {
  const live = useConsole((s) => s.mode) === 'live';
  return (
    <div
      className={`proc ${p.state} ${selected ? 'selected' : ''}`}
      data-label={p.label}
      data-pid={p.pid}
      onClick={() => actions.select({ kind: 'proc', pid: p.pid })}
      title={p.exit?.detail ?? `${p.program}\nlaunched because ${p.reason}`}
    >
      <span className={`dot ${p.state === 'running' ? 'ok' : p.exit?.clean ? 'idle' : 'bad'}`} />
      <span className="proc-name">{p.label}</span>
      <span className="pid">{p.pid < 0 ? '' : p.pid}</span>
      {p.state === 'running' ? (
        live ? (
          <span className="proc-actions">
            <ProcessActions pid={p.pid} ariaLabel={(verb) => `${verb} ${p.label}`} />
          </span>
        ) : null
      ) : (
        <span className={`exit-cause${p.exit?.clean ? ' clean' : ''}`}>
          {p.exit?.signal ?? `exit ${p.exit?.code ?? '?'}`}
        </span>
      )}
    </div>
  );
}
