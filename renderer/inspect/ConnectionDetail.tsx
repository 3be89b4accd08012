import { Advice } from '../components/Advice';
import { clock, duration, shortError } from '../format';
import { useTick } from '../hooks';
import { processLabel } from '../names';
import { MessageStatsLine } from '../stats/MessageStatsLine';
import { actions, modelNow, useConsole, useModel } from '../store';
import { connectionAdvice, NSERROR_MEANING } from '../views/advice';
import { StatePill } from '../views/StatePill';

/** A connection's state, cause and history (channelz-style), with what its last error means. */
export function ConnectionDetail({ id }: { id: string }) {
  useTick(4);
  const mode = useConsole((s) => s.mode);
  const { state } = useModel();
  const c = state.connections[id];
  if (!c) return <p className="empty">Connection {id} is not in the model.</p>;
  const owner = state.processes[c.pid];
  const advice = connectionAdvice(c);
  return (
    <div className="inspector">
      <h2 className="mono">{c.conn}</h2>
      <p className="state-line">
        <StatePill state={c.state} /> for {duration(modelNow() - c.since)}
        {c.state !== 'invalidated' && c.side !== 'listener' && mode === 'live' ? (
          <button type="button" className="small" onClick={() => void actions.cancel(c.conn)}>
            Cancel
          </button>
        ) : null}
      </p>
      <dl>
        <dt>{c.side}</dt>
        <dd>
          <button type="button" className="link" onClick={() => actions.select({ kind: 'proc', pid: c.pid })}>
            {owner?.label ?? '?'} [{c.pid}]
          </button>
          {owner ? <span className="muted"> in {owner.domain}</span> : null}
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
              {c.peerPid !== undefined ? `${processLabel(c.peerPid) ?? 'pid'} [${c.peerPid}]` : null}
            </dd>
          </>
        ) : null}
        <dt>traffic</dt>
        <dd>
          <MessageStatsLine conn={c} />
        </dd>
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
              {NSERROR_MEANING[c.nsError.code] ? (
                <div className="muted">{NSERROR_MEANING[c.nsError.code]}</div>
              ) : null}
            </dd>
          </>
        ) : null}
      </dl>
      <Advice means={advice?.means} todo={advice?.todo} />
      <h3>History</h3>
      <ol className="history">
        {c.history.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: history is append-only; two changes can share a millisecond.
          <li key={i}>
            <span className="mono muted">{clock(h.t)}</span> {h.from} → <StatePill state={h.to} />
            {h.error ? <span className="err"> {shortError(h.error)}</span> : null}
            {h.cause ? <div className="muted">{h.cause}</div> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
