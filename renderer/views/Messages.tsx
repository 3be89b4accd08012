import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { messagesToCsv } from '../../main/trace/export/csv';
import type { MessageEvent } from '../../main/trace/schema';
import { copyText } from '../clipboard';
import { ContextMenu, type MenuItem } from '../components/ContextMenu';
import { ScaledList } from '../components/ScaledList';
import { num } from '../format';
import { useTick } from '../hooks';
import { registerMover, step } from '../nav';
import { isRecord, loadPref, savePref } from '../prefs';
import { actions, applyFilter, live, modelNow, useConsole, WINDOW_SIZES } from '../store';
import {
  type Cell,
  MESSAGE_COLUMNS,
  type MessageColumn,
  messageService,
  TIME_MODES,
  type TimeMode,
} from './messages/columns';
import { type Repeat, repeatText } from './repeats';

const ROW = 24;

/** Four times a second is enough for a number; re-setting its text per batch costs a repaint per batch. */
function MessageCount({ shown }: { shown: number | undefined }) {
  useTick(4);
  useConsole((s) => s.filterVersion);
  const view = live.view;
  const count = shown ?? view.count;
  return (
    <output className="muted count" aria-label="Message count">
      {view.filtered
        ? `${num(count)} of ${num(live.messages.size)} messages match`
        : `${num(count)} messages in window`}
      {view.filtered && view.lastRefilter
        ? ` · filtered ${num(view.lastRefilter.items)} in ${view.lastRefilter.ms.toFixed(0)} ms`
        : ''}
    </output>
  );
}

export interface ListOptions {
  sort: { id: string; desc: boolean } | null;
  timeMode: TimeMode;
  collapse: boolean;
  hideExited: boolean;
  hidden: Record<string, boolean>;
}

const isHidden = (v: unknown): v is Record<string, boolean> =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'boolean');

function Toolbar({
  follow,
  onFollow,
  opts,
  set,
  shown,
}: {
  follow: boolean;
  onFollow: () => void;
  opts: ListOptions;
  set: (o: Partial<ListOptions>) => void;
  shown: number | undefined;
}) {
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
      <MessageCount shown={shown} />
      {notApplicable ? (
        <span className="hint">
          The filter names fields messages lack ({live.filter?.fields.join(', ')}); showing every message.
        </span>
      ) : null}
      {follow || opts.sort ? null : (
        <button type="button" className="small" onClick={onFollow}>
          ↓ Newest
        </button>
      )}
      <span className="spacer" />
      <label className="muted">
        time{' '}
        <select
          aria-label="Time column"
          value={opts.timeMode}
          onChange={(e) => set({ timeMode: e.target.value as TimeMode })}
        >
          {TIME_MODES.map((t) => (
            <option key={t.mode} value={t.mode}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <label
        className="muted"
        title="One row per connection, direction and key, where it last happened, with how often"
      >
        <input
          type="checkbox"
          checked={opts.collapse}
          onChange={(e) => set({ collapse: e.target.checked })}
        />{' '}
        collapse repeats
      </label>
      <label className="muted">
        <input
          type="checkbox"
          checked={opts.hideExited}
          onChange={(e) => set({ hideExited: e.target.checked })}
        />{' '}
        hide exited processes
      </label>
      <details className="chooser">
        <summary>Columns</summary>
        <div className="chooser-menu">
          {MESSAGE_COLUMNS.map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={!opts.hidden[c.id]}
                onChange={() => set({ hidden: { ...opts.hidden, [c.id]: !opts.hidden[c.id] } })}
              />{' '}
              {c.header}
            </label>
          ))}
        </div>
      </details>
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

/** A row never changes once drawn (a message is immutable), so it renders again only when what it shows does. */
const MessageRow = memo(function MessageRow({
  cell,
  abs,
  index,
  selected,
  tabStop,
  columns,
  repeat,
  onMenu,
}: {
  cell: Cell;
  abs: number;
  index: number;
  selected: boolean;
  tabStop: boolean;
  columns: MessageColumn[];
  repeat: Repeat | undefined;
  onMenu: (abs: number, x: number, y: number) => void;
}) {
  const { m } = cell;
  return (
    // biome-ignore lint/a11y/useSemanticElements: rows of a virtual list laid out by CSS grid; a <table> cannot be scaled past 33M px.
    <div
      className={`msg-row dir-${m.dir}${selected ? ' selected' : ''}`}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      tabIndex={tabStop ? 0 : -1}
      data-dir={m.dir}
      data-id={m.id}
      data-conn={m.conn}
      data-from={m.from}
      data-to={m.to}
      data-repeats={repeat?.count}
      onClick={() => actions.select({ kind: 'msg', id: m.id, abs })}
      onFocus={(e) => {
        if (e.target === e.currentTarget && !selected) actions.select({ kind: 'msg', id: m.id, abs });
      }}
      onContextMenu={(e) => {
        e.preventDefault();
        actions.select({ kind: 'msg', id: m.id, abs });
        onMenu(abs, e.clientX, e.clientY);
      }}
      onKeyDown={(e) => {
        if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
          e.preventDefault();
          const r = e.currentTarget.getBoundingClientRect();
          onMenu(abs, r.left + 40, r.bottom);
        }
      }}
    >
      {columns.map((c) => (
        // biome-ignore lint/a11y/useSemanticElements: a cell of the div grid above.
        <span key={c.id} role="gridcell" tabIndex={-1} className={c.className}>
          {c.render(cell)}
          {c.id === 'key' && repeat ? (
            <span className="repeat-badge" title={repeatText(repeat, modelNow())}>
              {' '}
              ×{repeat.count}
            </span>
          ) : null}
        </span>
      ))}
    </div>
  );
});

let nonce = 0;

/** The order a derived list shows: sorted, collapsed or with exited processes left out. */
function derive(opts: ListOptions): { order: number[]; repeats: Map<number, Repeat> } | null {
  if (!opts.sort && !opts.collapse && !opts.hideExited) return null;
  const view = live.view;
  const world = live.model.state;
  let order: number[] = [];
  for (let i = 0; i < view.count; i++) order.push(view.absAt(i));
  if (opts.hideExited) {
    const running = (pid: number) => world.processes[pid]?.state !== 'exited';
    order = order.filter((abs) => {
      const m = live.messages.at(abs);
      return !!m && running(m.from) && running(m.to);
    });
  }
  const repeats = new Map<number, Repeat>();
  if (opts.collapse) {
    const latest = new Map<string, number>();
    const kept: (number | undefined)[] = [];
    for (const abs of order) {
      const m = live.messages.at(abs);
      if (!m) continue;
      const key = `${m.conn}|${m.dir}|${m.key ?? ''}`;
      const at = latest.get(key);
      const before = at === undefined ? undefined : kept[at];
      if (at !== undefined && before !== undefined) {
        const prior = repeats.get(before) ?? {
          count: 1,
          first: live.messages.at(before)?.t ?? m.t,
          last: m.t,
        };
        repeats.delete(before);
        kept[at] = undefined;
        repeats.set(abs, { count: prior.count + 1, first: prior.first, last: m.t });
      }
      latest.set(key, kept.length);
      kept.push(abs);
    }
    order = kept.filter((a): a is number => a !== undefined);
  }
  if (opts.sort) {
    const column = MESSAGE_COLUMNS.find((c) => c.id === opts.sort?.id);
    if (column) {
      const value = new Map<number, string | number>();
      for (const abs of order) {
        const m = live.messages.at(abs);
        if (m) value.set(abs, column.sortValue(m, world));
      }
      const dir = opts.sort.desc ? -1 : 1;
      order.sort((a, b) => {
        const x = value.get(a) ?? '';
        const y = value.get(b) ?? '';
        return (
          (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir
        );
      });
    }
  }
  return { order, repeats };
}

/** When the session started: its first process, or the first message held. */
function sessionStart(): number {
  let t = live.messages.at(live.view.absAt(0))?.t ?? Date.now();
  for (const p of Object.values(live.model.state.processes)) t = Math.min(t, p.spawnedAt);
  return t;
}

function quote(v: string): string {
  return JSON.stringify(v);
}

function menuFor(m: MessageEvent, row: string): MenuItem[] {
  const world = live.model.state;
  const c = world.connections[m.conn];
  const ends = [m.conn, c?.peerConn].filter((x): x is string => !!x);
  const service = messageService(m, world);
  return [
    { label: 'Copy row', run: () => void copyText(row, 'the row') },
    {
      label: 'Copy as filter',
      run: () =>
        void copyText(
          [`conn == ${quote(m.conn)}`, `dir == ${m.dir}`, m.key ? `key == ${quote(m.key)}` : '']
            .filter(Boolean)
            .join(' && '),
          'a filter for the row',
        ),
    },
    { label: 'Copy as CSV', run: () => void copyText(messagesToCsv([m], { world }), 'the row as CSV') },
    {
      label: 'Follow this connection',
      run: () => applyFilter(`conn in {${ends.map(quote).join(', ')}}`),
    },
    ...(service
      ? [{ label: `Filter by service ${service}`, run: () => applyFilter(`service == ${quote(service)}`) }]
      : []),
  ];
}

/** The message stream: a filtered, paused or live view of the capture window, one row per message. */
export function Messages() {
  useConsole((s) => s.version);
  const filterVersion = useConsole((s) => s.filterVersion);
  const selection = useConsole((s) => s.selection);
  const recording = useConsole((s) => s.mode) === 'trace';
  const [follow, setFollow] = useState(true);
  const [opts, setOpts] = useState<ListOptions>(() => ({
    sort: null,
    timeMode: 'clock',
    collapse: false,
    hideExited: false,
    hidden: loadPref('messageColumns', {}, isHidden),
  }));
  const [menu, setMenu] = useState<{ abs: number; x: number; y: number } | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const set = useCallback((o: Partial<ListOptions>) => {
    setOpts((old) => {
      const next = { ...old, ...o };
      if (o.hidden) savePref('messageColumns', next.hidden);
      return next;
    });
  }, []);
  const tick = useTick(4);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the capture is mutable; tick and filterVersion say when it changed.
  const derived = useMemo(() => derive(opts), [opts, tick, filterVersion]);
  const view = live.view;
  const count = derived ? derived.order.length : view.count;
  const absAt = (i: number) => (derived ? (derived.order[i] ?? -1) : view.absAt(i));
  const indexOf = (abs: number) => (derived ? derived.order.indexOf(abs) : view.indexOf(abs));
  const selectedAbs = selection?.kind === 'msg' ? selection.abs : -1;
  const selectedIndex = indexOf(selectedAbs);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new selection asks for a reveal.
  const reveal = useMemo(() => ({ index: selectedIndex, nonce: ++nonce }), [selectedAbs]);
  const columns = MESSAGE_COLUMNS.filter((c) => !opts.hidden[c.id]);
  const origin = opts.timeMode === 'start' ? sessionStart() : 0;

  useEffect(() =>
    registerMover((delta) => {
      const s = useConsole.getState().selection;
      const i = step(s?.kind === 'msg' ? indexOf(s.abs) : -1, delta, count);
      if (i < 0) return;
      const abs = absAt(i);
      const m = live.messages.at(abs);
      if (m) actions.select({ kind: 'msg', id: m.id, abs });
    }),
  );
  // Focus follows the selection while it is in the grid, so the keyboard user sees where they are.
  useEffect(() => {
    const el = grid.current;
    if (!el?.contains(document.activeElement)) return;
    const row = el.querySelector<HTMLElement>('[role="row"][aria-selected="true"]');
    if (row && row !== document.activeElement) row.focus({ preventScroll: true });
  });

  const onMenu = useCallback((abs: number, x: number, y: number) => setMenu({ abs, x, y }), []);
  const menuMessage = menu ? live.messages.at(menu.abs) : undefined;
  const cellFor = (m: MessageEvent, previous: number | undefined): Cell => ({
    m,
    world: live.model.state,
    origin,
    previous,
    timeMode: opts.timeMode,
  });
  const sortBy = (id: string) =>
    set({
      sort: opts.sort?.id !== id ? { id, desc: false } : opts.sort.desc ? null : { id, desc: true },
    });

  return (
    <div
      className="messages"
      ref={grid}
      style={{ '--msg-cols': columns.map((c) => c.width).join(' ') } as React.CSSProperties}
    >
      <Toolbar
        follow={follow}
        onFollow={() => setFollow(true)}
        opts={opts}
        set={set}
        shown={derived ? count : undefined}
      />
      {/* biome-ignore lint/a11y/useSemanticElements: the header row of the div grid below. */}
      <div className="list-head msg-row" role="row" tabIndex={-1}>
        {columns.map((c) => (
          // biome-ignore lint/a11y/useSemanticElements: a column header of the div grid.
          <span
            key={c.id}
            role="columnheader"
            tabIndex={-1}
            aria-sort={opts.sort?.id === c.id ? (opts.sort.desc ? 'descending' : 'ascending') : 'none'}
          >
            <button
              type="button"
              className={`col-head ${c.className ?? ''}`}
              title={`Sort by ${c.header.toLowerCase()}; again for descending, a third time for arrival order`}
              onClick={() => sortBy(c.id)}
            >
              {c.header}
              {opts.sort?.id === c.id ? (opts.sort.desc ? ' ▼' : ' ▲') : ''}
            </button>
          </span>
        ))}
      </div>
      <ScaledList
        count={count}
        rowHeight={ROW}
        label="Messages"
        role="grid"
        follow={follow && !opts.sort}
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
        renderRow={(i, drawn) => {
          const abs = absAt(i);
          const m = live.messages.at(abs);
          if (!m) return null;
          const previous =
            opts.timeMode === 'previous' && i > 0 ? live.messages.at(absAt(i - 1))?.t : undefined;
          // One tab stop (roving tabindex): the selected row if drawn, else the first drawn row.
          const drawnSelected = selectedIndex >= drawn.first && selectedIndex < drawn.last;
          const tabStop = drawnSelected ? i === selectedIndex : i === drawn.first;
          return (
            <MessageRow
              key={abs}
              cell={cellFor(m, previous)}
              abs={abs}
              index={i}
              selected={abs === selectedAbs}
              tabStop={tabStop}
              columns={columns}
              repeat={derived?.repeats.get(abs)}
              onMenu={onMenu}
            />
          );
        }}
      />
      {menu && menuMessage ? (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          label="Message"
          items={menuFor(menuMessage, columns.map((c) => c.text(cellFor(menuMessage, undefined))).join('\t'))}
          onClose={() => {
            setMenu(null);
            grid.current?.querySelector<HTMLElement>('[role="row"][aria-selected="true"]')?.focus();
          }}
        />
      ) : null}
    </div>
  );
}
