import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { MessageEvent } from '../../main/trace/schema';
import { bytes, clock } from '../format';
import { actions, live, useConsole } from '../store';
import { useFollow } from './follow';

const ROW = 24;
const DIR_LABEL = { send: '→ send', reply: '← reply', event: '⇠ push' } as const;

function who(pid: number): string {
  return live.model.state.processes[pid]?.label.split('.').pop() ?? String(pid);
}

function preview(m: MessageEvent): string {
  if (!m.payload) return m.key ?? '';
  const text = JSON.stringify(m.payload);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** The live message stream, virtualised: only the visible rows exist in the DOM. */
export function Messages() {
  useConsole((s) => s.version);
  const paused = useConsole((s) => s.paused);
  const parent = useRef<HTMLDivElement>(null);
  const count = live.messages.size;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 12,
  });
  const { follow, onScroll } = useFollow(parent, virtualizer, count, ROW);

  return (
    <div className="messages">
      <div className="toolbar">
        <button type="button" className="small" onClick={actions.togglePause} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="small" onClick={actions.clearMessages}>
          Clear
        </button>
        <span className="muted">
          {count.toLocaleString()} messages in window{follow ? '' : ' · scrolled back, not following'}
        </span>
      </div>
      <div className="list-head msg-row">
        <span>Time</span>
        <span>Dir</span>
        <span>Connection</span>
        <span>From → To</span>
        <span>Key</span>
        <span className="num">Size</span>
        <span>Reply</span>
        <span>Payload</span>
      </div>
      <div className="scroll" ref={parent} onScroll={onScroll} aria-label="Messages" role="log">
        {count === 0 ? (
          <p className="empty">No messages yet. Helpers exchange messages once they connect.</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const m = live.messages.at(item.index);
              if (!m) return null;
              return (
                <div
                  key={item.key}
                  className={`msg-row dir-${m.dir}`}
                  data-dir={m.dir}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    height: ROW,
                    transform: `translateY(${item.start}px)`,
                  }}
                  onClick={() => actions.select({ kind: 'conn', id: m.conn })}
                >
                  <span className="mono">{clock(m.t)}</span>
                  <span>{DIR_LABEL[m.dir]}</span>
                  <span className="mono">{m.conn}</span>
                  <span>
                    {who(m.from)} → {who(m.to)}
                  </span>
                  <span className="key">{m.key ?? ''}</span>
                  <span className="num">{bytes(m.size)}</span>
                  <span className="muted">
                    {m.replyTo !== undefined
                      ? `↩ #${m.replyTo} ${m.latencyMs?.toFixed(1)} ms`
                      : m.expectsReply
                        ? `#${m.id} awaits reply`
                        : ''}
                  </span>
                  <span className="mono preview">{preview(m)}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
