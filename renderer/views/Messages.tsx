import { memo, useEffect, useMemo, useState } from 'react';
import type { MessageEvent } from '../../main/trace/schema';
import { FilterValue } from '../components/FilterValue';
import { ScaledList } from '../components/ScaledList';
import { serviceOf } from '../filter/fields';
import { bytes, clock, num } from '../format';
import { useTick } from '../hooks';
import { processLabel, shortService, who } from '../names';
import { registerMover, step } from '../nav';
import { actions, live, useConsole, WINDOW_SIZES } from '../store';

const ROW = 24;
const DIR_LABEL = { send: '→ send', reply: '← reply', event: '⇠ push' } as const;

function preview(m: MessageEvent): string {
  if (!m.payload) return m.key ?? '';
  const text = JSON.stringify(m.payload);
  return text.length > 140 ? `${text.slice(0, 137)}…` : text;
}

function replyText(m: MessageEvent): string {
  if (m.replyTo !== undefined) return `↩ #${m.replyTo} · ${m.latencyMs?.toFixed(1) ?? '?'} ms`;
  return m.expectsReply ? `#${m.id} · expects reply` : `#${m.id}`;
}

/** A row never changes once drawn (a message is immutable), so it renders again only when its selection does. */
const MessageRow = memo(function MessageRow({
  m,
  abs,
  selected,
}: {
  m: MessageEvent;
  abs: number;
  selected: boolean;
}) {
  const service = serviceOf(live.model.state, live.model.state.connections[m.conn]);
  return (
    <div
      className={`msg-row dir-${m.dir}${selected ? ' selected' : ''}`}
      data-dir={m.dir}
      data-id={m.id}
      onClick={() => actions.select({ kind: 'msg', id: m.id, abs })}
    >
      <span className="mono">{clock(m.t)}</span>
      <span>
        <FilterValue field="dir" value={m.dir}>
          {DIR_LABEL[m.dir]}
        </FilterValue>
      </span>
      <span>
        <FilterValue field="from" value={processLabel(m.from) ?? m.from}>
          {who(m.from)}
        </FilterValue>
        {' → '}
        <FilterValue field="to" value={processLabel(m.to) ?? m.to}>
          {who(m.to)}
        </FilterValue>
      </span>
      <span title={service}>
        {service ? (
          <FilterValue field="service" value={service} className="mono">
            {shortService(service, 15)}
          </FilterValue>
        ) : null}
      </span>
      <span className="key">{m.key ? <FilterValue field="key" value={m.key} /> : null}</span>
      <span className="num">{bytes(m.size)}</span>
      <span className="muted">{replyText(m)}</span>
      <span className="mono preview">{preview(m)}</span>
    </div>
  );
});

/** Four times a second is enough for a number; re-setting its text per batch costs a repaint per batch. */
function MessageCount() {
  useTick(4);
  useConsole((s) => s.filterVersion);
  const view = live.view;
  return (
    <output className="muted count" aria-label="Message count">
      {view.filtered
        ? `${num(view.count)} of ${num(live.messages.size)} messages match`
        : `${num(view.count)} messages in window`}
      {view.filtered && view.lastRefilter
        ? ` · filtered ${num(view.lastRefilter.items)} in ${view.lastRefilter.ms.toFixed(0)} ms`
        : ''}
    </output>
  );
}

function Toolbar({ follow, onFollow }: { follow: boolean; onFollow: () => void }) {
  const paused = useConsole((s) => s.paused);
  const windowSize = useConsole((s) => s.windowSize);
  const capturePayloads = useConsole((s) => s.capturePayloads);
  // A recording (trace or log) does not grow: it has nothing to pause or clear.
  const recording = useConsole((s) => s.mode) === 'trace';
  const view = live.view;
  const notApplicable = live.filter && !live.filter.message;
  return (
    <div className="toolbar">
      {recording ? null : (
        <>
          <button
            type="button"
            className="small"
            onClick={actions.togglePause}
            aria-pressed={paused}
            title="Space"
          >
            {paused ? `Resume${view.pending ? ` (${num(view.pending)} new)` : ''}` : 'Pause'}
          </button>
          <button type="button" className="small" onClick={actions.clearMessages}>
            Clear
          </button>
        </>
      )}
      <MessageCount />
      {notApplicable ? (
        <span className="hint">
          The filter names fields messages lack ({live.filter?.fields.join(', ')}); showing every message.
        </span>
      ) : null}
      {follow ? null : (
        <button type="button" className="small" onClick={onFollow}>
          ↓ Newest
        </button>
      )}
      <span className="spacer" />
      <label className="muted" title="Record message bodies (payloads). Off: sizes and keys only.">
        <input
          type="checkbox"
          checked={capturePayloads}
          onChange={(e) => void actions.setCapture(e.target.checked)}
        />{' '}
        payloads
      </label>
      <label className="muted">
        window{' '}
        <select
          aria-label="Capture window"
          value={windowSize}
          onChange={(e) => actions.setWindowSize(Number(e.target.value))}
        >
          {WINDOW_SIZES.map((n) => (
            <option key={n} value={n}>
              {num(n)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

let nonce = 0;

function moveInList(delta: number): void {
  const view = live.view;
  const s = useConsole.getState().selection;
  const i = step(s?.kind === 'msg' ? view.indexOf(s.abs) : -1, delta, view.count);
  if (i < 0) return;
  const abs = view.absAt(i);
  const m = live.messages.at(abs);
  if (m) actions.select({ kind: 'msg', id: m.id, abs });
}

/** The message stream: a filtered, paused or live view of the capture window, one row per message. */
export function Messages() {
  useConsole((s) => s.version);
  useConsole((s) => s.filterVersion);
  const selection = useConsole((s) => s.selection);
  const recording = useConsole((s) => s.mode) === 'trace';
  const [follow, setFollow] = useState(true);
  const view = live.view;
  const selectedAbs = selection?.kind === 'msg' ? selection.abs : -1;
  const reveal = useMemo(() => ({ index: live.view.indexOf(selectedAbs), nonce: ++nonce }), [selectedAbs]);
  useEffect(() => registerMover(moveInList), []);

  return (
    <div className="messages">
      <Toolbar follow={follow} onFollow={() => setFollow(true)} />
      <div className="list-head msg-row">
        <span>Time</span>
        <span>Dir</span>
        <span>From → To</span>
        <span>Service</span>
        <span>Key</span>
        <span className="num">Size</span>
        <span>Reply</span>
        <span>Payload</span>
      </div>
      <ScaledList
        count={view.count}
        rowHeight={ROW}
        label="Messages"
        follow={follow}
        onFollowChange={setFollow}
        reveal={reveal}
        empty={
          <p className="empty">
            {view.filtered
              ? 'No captured message matches the filter. Loosen or clear the filter (✕ in the filter box); captured messages are all still here.'
              : recording
                ? 'This recording holds no messages. A Mac’s log records connections and their states, not the messages sent on them: see Connections and Events.'
                : 'No messages yet. Helpers exchange messages once they connect; a paused list shows nothing new until you resume.'}
          </p>
        }
        renderRow={(i) => {
          const abs = view.absAt(i);
          const m = live.messages.at(abs);
          return m ? <MessageRow key={abs} m={m} abs={abs} selected={abs === selectedAbs} /> : null;
        }}
      />
    </div>
  );
}
