import { ArrowMarker } from '../../components/ArrowMarker';
import { ProcessActions } from '../../components/ProcessActions';
import { shortError } from '../../format';
import { useTick, useWidth } from '../../hooks';
import { shortLabel } from '../../names';
import { actions, live, modelNow, useConsole, useModel } from '../../store';
import { repeatText } from '../repeats';
import { anchor, type Edge, layoutTopology, type NodeBox, STUB, stubLabel } from './layout';

function edgeTitle(e: Edge): string {
  const c = e.conn;
  const lines = [`${e.from.label} → ${c.name}`, `${c.state}${c.error ? ` · ${shortError(c.error)}` : ''}`];
  if (e.repeat) lines.push(repeatText(e.repeat, modelNow()));
  if (c.nsError) lines.push(`NSError ${c.nsError.code}: ${c.nsError.debugDescription}`);
  if (c.cause) lines.push(c.cause);
  if (c.reason) lines.push(`reason: ${c.reason}`);
  return lines.join('\n');
}

function path(e: Edge): string {
  if (!e.to) {
    return `M ${e.from.x + e.from.w} ${e.fromY} h ${STUB.line}`;
  }
  const same = e.to.x === e.from.x;
  const rightward = e.to.x > e.from.x;
  const a = { x: same || rightward ? e.from.x + e.from.w : e.from.x, y: e.fromY };
  const b = anchor(e.to, e.serviceRow, same || !rightward);
  const bend = same ? 60 : Math.max(40, Math.abs(b.x - a.x) / 2);
  const out = same || rightward ? bend : -bend;
  const back = same ? bend : -out;
  return `M ${a.x} ${a.y} C ${a.x + out} ${a.y}, ${b.x + back} ${b.y}, ${b.x} ${b.y}`;
}

function EdgeView({ e, dim, selected }: { e: Edge; dim: boolean; selected: boolean }) {
  const c = e.conn;
  const stubEnd = !e.to ? { x: e.from.x + e.from.w, y: e.fromY } : undefined;
  return (
    <g
      className={`edge edge-${c.state}${selected ? ' selected' : ''}${dim ? ' dim' : ''}`}
      data-conn={c.conn}
      data-pid={c.pid}
      data-state={c.state}
      data-service={c.name}
      data-repeats={e.repeat?.count}
      onClick={(ev) => {
        ev.stopPropagation();
        actions.select({ kind: 'conn', id: c.conn });
      }}
    >
      <title>{edgeTitle(e)}</title>
      <path className="edge-hit" d={path(e)} />
      <path className="edge-casing" d={path(e)} />
      <path className="edge-line" d={path(e)} markerEnd={e.to ? `url(#arrow-${c.state})` : undefined} />
      {stubEnd ? (
        <text className="edge-stub" x={stubEnd.x + STUB.offset} y={stubEnd.y + 4}>
          {stubLabel(c)}
          {e.repeat ? (
            <tspan className="edge-repeat" x={stubEnd.x + STUB.offset} dy={13}>
              {repeatText(e.repeat, modelNow())}
            </tspan>
          ) : null}
        </text>
      ) : e.repeat ? (
        <text className="edge-stub edge-repeat" x={e.from.x + e.from.w + 8} y={e.fromY - 4}>
          {`×${e.repeat.count}`}
        </text>
      ) : null}
    </g>
  );
}

function NodeView({ n, selected, repeats }: { n: NodeBox; selected: boolean; repeats: Edge[] }) {
  const p = n.process;
  const mode = useConsole((s) => s.mode);
  const exited = p.state === 'exited';
  return (
    <div
      className={`topo-node${exited ? ' exited' : ''}${selected ? ' selected' : ''}`}
      data-label={n.label}
      data-pid={n.pid}
      style={{ left: n.x, top: n.y, width: n.w, height: n.h }}
      onClick={(e) => {
        e.stopPropagation();
        actions.select({ kind: 'proc', pid: n.pid });
      }}
      title={
        p.exit?.detail ??
        (p.fromLog
          ? `${p.program}\nseen in the log (pid ${p.pid})`
          : `${p.program}\nlaunched because ${p.reason}`)
      }
    >
      <div className="topo-head">
        <span className={`dot ${exited ? (p.exit?.clean ? 'idle' : 'bad') : 'ok'}`} />
        <span className="topo-name">{shortLabel(n.label)}</span>
        <span className="pid">{n.pid < 0 ? '' : n.pid}</span>
        {selected && !exited && mode === 'live' ? (
          <span className="proc-actions">
            <ProcessActions pid={n.pid} ariaLabel={(verb) => `${n.label}: ${verb.toLowerCase()}`} />
          </span>
        ) : null}
      </div>
      <div className="topo-sub muted">{exited ? p.exit?.detail : n.label}</div>
      {n.services.map((s) => (
        <div key={s} className="topo-service mono" data-service={s} title={`vends ${s}`}>
          ◦ {s}
        </div>
      ))}
      {repeats.map((e) => (
        <div key={e.conn.conn} className="topo-repeat" title={edgeTitle(e)}>
          ✕ {shortLabel(e.conn.name)} {e.repeat ? repeatText(e.repeat, modelNow()) : ''}
        </div>
      ))}
    </div>
  );
}

const STATES = ['connected', 'activating', 'interrupted', 'invalidated'] as const;

/** Processes by domain, the services each vends, and every client connection drawn to what serves it. */
export function Topology() {
  useTick(4);
  useConsole((s) => s.filterVersion);
  const selection = useConsole((s) => s.selection);
  const recording = useConsole((s) => s.mode) === 'trace';
  const [ref, width] = useWidth(900);
  const world = useModel().state;
  const t = layoutTopology(world, width);
  const pred = live.filter?.connection?.(world);
  const selectedId =
    selection?.kind === 'conn'
      ? selection.id
      : selection?.kind === 'msg'
        ? live.messages.at(selection.abs)?.conn
        : undefined;
  const selectedConn = selectedId === undefined ? undefined : world.connections[selectedId];
  const selectedClient = selectedConn?.side === 'peer' ? selectedConn.peerConn : selectedConn?.conn;
  if (t.nodes.length === 0)
    return (
      <div className="topology" ref={ref}>
        <p className="empty">
          {recording
            ? 'This recording shows no process: none wrote an XPC line, and no launchd line names one.'
            : 'No processes yet. Helpers appear here when launchd starts them.'}
        </p>
      </div>
    );
  return (
    <div className="topology" ref={ref} onClick={() => actions.select(null)}>
      <div className="legend">
        {STATES.map((s) => (
          <span key={s} className={`legend-${s}`}>
            <svg width="22" height="8" aria-hidden="true">
              <line x1="0" y1="4" x2="22" y2="4" />
            </svg>
            {s}
          </span>
        ))}
        <span className="muted">hover a link for its cause · click to select</span>
      </div>
      <div className="topo-canvas" style={{ width: t.width, height: t.height }}>
        {t.columns.map((c) => (
          <div key={c.domain} className="topo-column" style={{ left: c.x, width: c.w }}>
            {c.domain}
          </div>
        ))}
        {t.groups.map((g) => (
          <div key={g.label} className="topo-group" style={{ left: g.x, top: g.y, width: g.w }}>
            {g.label} <span className="muted">· XPC services of pid {g.label.slice(4)}</span>
          </div>
        ))}
        <svg
          className="topo-edges"
          width={t.width}
          height={t.height}
          aria-label="Connections drawn"
          role="img"
        >
          <defs>
            {STATES.map((s) => (
              <ArrowMarker key={s} id={`arrow-${s}`} className={`marker-${s}`} />
            ))}
          </defs>
          {t.edges.map((e) => (
            <EdgeView
              key={e.conn.conn}
              e={e}
              dim={!!pred && !pred(e.conn)}
              selected={e.conn.conn === selectedClient}
            />
          ))}
        </svg>
        {t.nodes.map((n) => (
          <NodeView
            key={n.pid}
            n={n}
            repeats={t.edges.filter((e) => e.from === n && e.repeat)}
            selected={
              (selection?.kind === 'proc' && selection.pid === n.pid) ||
              (selectedConn !== undefined && (selectedConn.pid === n.pid || selectedConn.peerPid === n.pid))
            }
          />
        ))}
      </div>
    </div>
  );
}
