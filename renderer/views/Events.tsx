import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { TraceEvent } from '../../main/trace/schema';
import { clock } from '../format';
import { live, useConsole } from '../store';
import { explain } from './explain';
import { useFollow } from './follow';

const ROW = 44;

/** Lifecycle events in plain words, with the log line a Mac would have written. */
export function Events() {
  const version = useConsole((s) => s.version);
  const [logs, setLogs] = useState(true);
  const parent = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: live.events is mutable; version moves once per batch.
  const rows = useMemo(() => {
    const out: { e: TraceEvent; title: string; detail?: string | undefined; tone: string }[] = [];
    for (const e of live.events.toArray()) {
      if (e.kind === 'log') {
        if (logs)
          out.push({
            e,
            title: e.text,
            detail: `${e.process}[${e.pid}] ${e.subsystem}:${e.category}`,
            tone: 'log',
          });
        continue;
      }
      const x = explain(e);
      if (x) out.push({ e, title: x.title, detail: x.detail, tone: x.tone });
    }
    return out;
  }, [version, logs]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 8,
  });
  const { follow, onScroll } = useFollow(parent, virtualizer, rows.length, ROW);
  return (
    <div className="events">
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={logs} onChange={(e) => setLogs(e.target.checked)} /> libxpc and
          launchd log lines
        </label>
        <span className="muted">
          {rows.length.toLocaleString()} events{follow ? '' : ' · scrolled back, not following'}
        </span>
      </div>
      <div className="scroll" ref={parent} onScroll={onScroll} aria-label="Events" role="log">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={item.key}
                className={`event tone-${row.tone}`}
                data-kind={row.e.kind}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <span className="mono muted">{clock(row.e.t)}</span>
                <div className="event-body">
                  <div className={row.tone === 'log' ? 'mono event-title' : 'event-title'}>{row.title}</div>
                  {row.detail ? <div className="muted event-detail">{row.detail}</div> : null}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
