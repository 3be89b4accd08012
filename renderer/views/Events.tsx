import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { clock, num } from '../format';
import { useTick } from '../hooks';
import { registerMover, step } from '../nav';
import { actions, live, modelNow, useConsole } from '../store';
import { buildEventRows, type EventRow } from './event-rows';
import { useFollow } from './follow';
import { repeatText } from './repeats';

const ESTIMATE = 64;

function Row({ row, selected }: { row: EventRow; selected: boolean }) {
  const { e, x, logs } = row;
  if (!x && e.kind === 'log') {
    return (
      <div className={`event tone-log${selected ? ' selected' : ''}`} data-kind="log">
        <span className="mono muted">{clock(e.t)}</span>
        <div className="event-body">
          <div className="mono event-log">{e.text}</div>
          <div className="muted event-detail">
            {e.process}[{e.pid}] {e.subsystem}:{e.category}
          </div>
        </div>
      </div>
    );
  }
  if (!x) return null;
  return (
    <div
      className={`event tone-${x.tone}${selected ? ' selected' : ''}`}
      data-kind={e.kind}
      data-repeats={row.repeat?.count}
    >
      <span className="mono muted">{clock(e.t)}</span>
      <div className="event-body">
        <div className="event-title">{x.title}</div>
        {row.repeat ? <div className="repeat">{repeatText(row.repeat, modelNow())}</div> : null}
        {x.detail ? <div className="muted event-detail">{x.detail}</div> : null}
        {logs.map((l) => (
          <div
            key={l.seq}
            className="mono event-log"
            title={`${l.process}[${l.pid}] ${l.subsystem}:${l.category}`}
          >
            {l.text}
          </div>
        ))}
        {x.means ? (
          <div className="event-means">
            <b>Means</b> {x.means}
          </div>
        ) : null}
        {x.todo ? (
          <div className="event-todo">
            <b>What to do</b> {x.todo}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** Lifecycle events in plain words, each with the log lines a Mac would have written and what they mean. */
export function Events() {
  const tick = useTick(10);
  const filterVersion = useConsole((s) => s.filterVersion);
  const selection = useConsole((s) => s.selection);
  const [logs, setLogs] = useState(false);
  const [collapse, setCollapse] = useState(true);
  const parent = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: live.events is mutable; tick and filterVersion say when it changed.
  const rows = useMemo(
    () =>
      buildEventRows(live.events.toArray(), {
        logs,
        pred: live.filter?.event ?? null,
        world: live.model.state,
        collapse,
      }),
    [tick, filterVersion, logs, collapse],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ESTIMATE,
    getItemKey: (i) => rows[i]?.e.seq ?? i,
    overscan: 6,
  });
  const { follow, onScroll } = useFollow(parent, virtualizer, rows.length, ESTIMATE);
  const selectedSeq = selection?.kind === 'event' ? selection.seq : -1;
  useEffect(
    () =>
      registerMover((delta) => {
        const i = step(
          rows.findIndex((r) => r.e.seq === selectedSeq),
          delta,
          rows.length,
        );
        const row = rows[i];
        if (!row) return;
        actions.select({ kind: 'event', seq: row.e.seq });
        virtualizer.scrollToIndex(i, { align: 'auto' });
      }),
    [rows, selectedSeq, virtualizer],
  );
  const notApplicable = live.filter && !live.filter.event;
  return (
    <div className="events">
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={logs} onChange={(e) => setLogs(e.target.checked)} /> every log line,
          like Console.app
        </label>
        <label title="One entry for an event that repeats the same way, where it last happened, with how often and since when">
          <input type="checkbox" checked={collapse} onChange={(e) => setCollapse(e.target.checked)} />{' '}
          collapse repeats
        </label>
        <span className="muted">
          {num(rows.length)} events{follow ? '' : ' · scrolled back, not following'}
        </span>
        {notApplicable ? (
          <span className="hint">
            The filter names fields events lack ({live.filter?.fields.join(', ')}).
          </span>
        ) : null}
      </div>
      <div className="scroll" ref={parent} onScroll={onScroll} aria-label="Events" role="log">
        {rows.length === 0 ? (
          <p className="empty">
            {live.filter
              ? 'No event matches the filter.'
              : 'No lifecycle events yet. Crash or kill a helper, or cancel a connection, to see what its clients see.'}
          </p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="event-slot"
                  style={{ transform: `translateY(${item.start}px)` }}
                  onClick={() => actions.select({ kind: 'event', seq: row.e.seq })}
                >
                  <Row row={row} selected={selectedSeq === row.e.seq} />
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
