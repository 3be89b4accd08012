import type { TraceEvent } from '../../main/trace/schema';
import { Advice } from '../components/Advice';
import { clock } from '../format';
import { actions, live } from '../store';
import { explain } from '../views/explain';

function find(seq: number): TraceEvent | undefined {
  for (let i = live.events.size - 1; i >= 0; i--) {
    const e = live.events.at(i);
    if (e?.seq === seq) return e;
    if (e && e.seq < seq) return undefined;
  }
  return undefined;
}

/** One event: what it means, what to do, and every field as recorded. */
export function EventDetail({ seq }: { seq: number }) {
  const e = find(seq);
  if (!e) return <p className="empty">Event {seq} has left the event window.</p>;
  const x = explain(e);
  const conn = 'conn' in e && typeof e.conn === 'string' ? e.conn : undefined;
  const pid = 'pid' in e && typeof e.pid === 'number' ? e.pid : undefined;
  return (
    <div className="inspector">
      <h2>{x?.title ?? e.kind}</h2>
      <p className="muted">
        {clock(e.t)} · {e.kind} · seq {e.seq}
      </p>
      {x?.detail ? <p>{x.detail}</p> : null}
      <Advice means={x?.means} todo={x?.todo} />
      <p className="row-buttons">
        {conn && live.model.state.connections[conn] ? (
          <button type="button" className="small" onClick={() => actions.select({ kind: 'conn', id: conn })}>
            Connection {conn}
          </button>
        ) : null}
        {pid !== undefined && live.model.state.processes[pid] ? (
          <button type="button" className="small" onClick={() => actions.select({ kind: 'proc', pid })}>
            Process {pid}
          </button>
        ) : null}
      </p>
      <h3>Recorded</h3>
      <pre className="code">{JSON.stringify(e, null, 2)}</pre>
    </div>
  );
}
