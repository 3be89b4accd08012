import { clock, duration, shortError } from '../format';
import { actions, live, useConsole } from '../store';
import { StatePill } from './StatePill';

/** Details of what is selected: a connection's state history (channelz-style) or a process's life. */
export function Inspector() {
  useConsole((s) => s.version);
  const selection = useConsole((s) => s.selection);
  if (!selection) return <p className="empty">Select a connection or a process to see its history.</p>;
  if (selection.kind === 'proc') {
    const p = live.model.state.processes[selection.pid];
    if (!p) return <p className="empty">Process {selection.pid} is not in the model.</p>;
    const conns = Object.values(live.model.state.connections).filter((c) => c.pid === p.pid);
    return (
      <div className="inspector">
        <h2>{p.label}</h2>
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
              <dd>{p.exit.detail}</dd>
            </>
          ) : null}
        </dl>
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
              {c.side} {c.name} <StatePill state={c.state} />
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const c = live.model.state.connections[selection.id];
  if (!c) return <p className="empty">Connection {selection.id} is not in the model.</p>;
  const owner = live.model.state.processes[c.pid];
  return (
    <div className="inspector">
      <h2 className="mono">{c.conn}</h2>
      <p>
        <StatePill state={c.state} /> for {duration(Date.now() - c.since)}
      </p>
      <dl>
        <dt>{c.side}</dt>
        <dd>
          {owner?.label ?? '?'} [{c.pid}]
        </dd>
        <dt>name</dt>
        <dd className="mono">{c.name}</dd>
        {c.peerConn ? (
          <>
            <dt>other end</dt>
            <dd>
              <button
                type="button"
                className="link"
                onClick={() => c.peerConn && actions.select({ kind: 'conn', id: c.peerConn })}
              >
                {c.peerConn}
              </button>{' '}
              pid {c.peerPid}
            </dd>
          </>
        ) : null}
        {c.error ? (
          <>
            <dt>last error</dt>
            <dd>{c.error}</dd>
          </>
        ) : null}
        {c.cause ? (
          <>
            <dt>cause</dt>
            <dd>{c.cause}</dd>
          </>
        ) : null}
        {c.reason ? (
          <>
            <dt>invalidation reason</dt>
            <dd>{c.reason}</dd>
          </>
        ) : null}
        {c.nsError ? (
          <>
            <dt>NSXPCConnection</dt>
            <dd>
              {c.nsError.domain} {c.nsError.code} “{c.nsError.description}”
              <div className="muted">{c.nsError.debugDescription}</div>
            </dd>
          </>
        ) : null}
      </dl>
      <h3>History</h3>
      <ol className="history">
        {c.history.map((h) => (
          <li key={`${h.t}-${h.from}-${h.to}`}>
            <span className="mono muted">{clock(h.t)}</span> {h.from} → <StatePill state={h.to} />
            {h.error ? <span className="err"> {shortError(h.error)}</span> : null}
            {h.cause ? <div className="muted">{h.cause}</div> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
