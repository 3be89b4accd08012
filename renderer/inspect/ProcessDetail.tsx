import { Advice } from '../components/Advice';
import { ProcessActions } from '../components/ProcessActions';
import { clock, duration } from '../format';
import { useTick } from '../hooks';
import { actions, useConsole, useModel } from '../store';
import { EXIT_ADVICE } from '../views/advice';
import { StatePill } from '../views/StatePill';

/** A process: where launchd put it and why, the services it vends, its connections, and how it ended. */
export function ProcessDetail({ pid }: { pid: number }) {
  useTick(4);
  const mode = useConsole((s) => s.mode);
  const { processes, connections, services } = useModel().state;
  const p = processes[pid];
  if (!p) return <p className="empty">Process {pid} is not in the model.</p>;
  const conns = Object.values(connections).filter((c) => c.pid === p.pid);
  const vends = Object.values(services).filter((s) => s.label === p.label && s.registered);
  const advice = p.exit && !p.exit.clean ? EXIT_ADVICE[p.exit.cause] : undefined;
  return (
    <div className="inspector">
      <h2>{p.label}</h2>
      {p.state === 'running' && mode === 'live' ? (
        <p className="row-buttons">
          <ProcessActions pid={p.pid} ariaLabel={(verb) => `${verb} ${p.label}`} />
        </p>
      ) : null}
      <dl>
        <dt>pid</dt>
        <dd>{p.pid}</dd>
        <dt>domain</dt>
        <dd>{p.domain}</dd>
        <dt>program</dt>
        <dd className="mono">{p.program}</dd>
        <dt>launched</dt>
        <dd>
          {clock(p.spawnedAt)} because {p.reason}
        </dd>
        {p.bundleVersion ? (
          <>
            <dt>version</dt>
            <dd>{p.bundleVersion}</dd>
          </>
        ) : null}
        {p.exit ? (
          <>
            <dt>exit</dt>
            <dd>
              {p.exit.detail} <span className="muted">after {duration(p.exit.t - p.spawnedAt)}</span>
            </dd>
          </>
        ) : null}
      </dl>
      <Advice means={advice?.means} todo={advice?.todo} />
      {vends.length > 0 ? (
        <>
          <h3>Vends ({vends.length})</h3>
          <ul className="plain">
            {vends.map((s) => (
              <li key={s.key} className="mono">
                {s.name} <span className="muted">{s.origin}</span>
                {s.binding === 'stale' ? <span className="err"> stale: bound to {s.boundTo}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Connections ({conns.length})</h3>
      <ul className="plain">
        {conns.map((c) => (
          <li key={c.conn}>
            <button
              type="button"
              className="link"
              onClick={() => actions.select({ kind: 'conn', id: c.conn })}
            >
              {c.conn}
            </button>{' '}
            {c.side} <span className="mono">{c.name}</span> <StatePill state={c.state} />
          </li>
        ))}
      </ul>
    </div>
  );
}
