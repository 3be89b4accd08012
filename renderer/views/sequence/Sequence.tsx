import { useEffect, useState } from 'react';
import type { MessageEvent } from '../../../main/trace/schema';
import { ArrowMarker } from '../../components/ArrowMarker';
import { clock } from '../../format';
import { useTick, useWidth } from '../../hooks';
import { shortLabel } from '../../names';
import { actions, live, useConsole } from '../../store';
import { domainRank } from '../topology/layout';
import { collectSequence, type SeqItem } from './collect';

const ROW = 26;
const TIME_W = 86;
const HEAD = 34;
const LIMIT = 240;
const MAX_DEFAULT_LANES = 6;

/** The chosen lifelines survive switching views. */
let chosen: string[] | null = null;

function* newestFirst(): Iterable<[number, MessageEvent]> {
  const view = live.view;
  for (let i = view.count - 1; i >= 0; i--) {
    const abs = view.absAt(i);
    const m = live.messages.at(abs);
    if (m) yield [abs, m];
  }
}

function knownLanes(): string[] {
  const byLabel = new Map<string, string>();
  for (const p of Object.values(live.model.state.processes)) byLabel.set(p.label, p.domain);
  return [...byLabel.entries()]
    .sort(([a, da], [b, db]) => domainRank(da) - domainRank(db) || a.localeCompare(b))
    .map(([label]) => label);
}

function messageLabel(m: MessageEvent): string {
  if (m.dir === 'reply') return `↩ ${m.key ?? `#${m.replyTo}`} ${m.latencyMs?.toFixed(1) ?? '?'} ms`;
  return `${m.dir === 'event' ? '⇠ ' : ''}${m.key ?? `#${m.id}`}`;
}

function MarkGlyph({ mark }: { mark: string }) {
  switch (mark) {
    case 'invalidated':
      return <path className="glyph" d="M -5 -5 L 5 5 M 5 -5 L -5 5" />;
    case 'interrupted':
      return <path className="glyph" d="M -6 -2 L -2 -5 L 2 2 L 6 -1" />;
    case 'exit':
      return <rect className="glyph" x={-5} y={-5} width={10} height={10} />;
    default:
      return <circle className="glyph" r={5} />;
  }
}

function Item({
  item,
  y,
  x,
  width,
  selected,
}: {
  item: SeqItem;
  y: number;
  x: (lane: string) => number;
  width: number;
  selected: boolean;
}) {
  if (item.kind === 'mark') {
    const cx = x(item.lane);
    // About 6.5 px a character at 11 px: the text stops at the diagram's edge; the full text is in the title.
    const room = Math.max(12, Math.floor((width - cx - 16) / 6.5));
    return (
      <g
        className={`seq-mark mark-${item.mark}`}
        data-mark={item.mark}
        data-conn={item.conn}
        transform={`translate(${cx} ${y})`}
        onClick={() =>
          actions.select(item.conn ? { kind: 'conn', id: item.conn } : { kind: 'proc', pid: item.pid })
        }
      >
        <title>{item.text}</title>
        <MarkGlyph mark={item.mark} />
        <text x={10} y={4}>
          {item.text.length > room ? `${item.text.slice(0, room - 1)}…` : item.text}
        </text>
      </g>
    );
  }
  const { m } = item;
  const x1 = x(item.from);
  const x2 = x(item.to);
  const self = x1 === x2;
  const d = self ? `M ${x1} ${y - 6} h 28 v 12 h -26` : `M ${x1} ${y} L ${x2 + (x2 > x1 ? -2 : 2)} ${y}`;
  return (
    <g
      className={`seq-msg dir-${m.dir}${selected ? ' selected' : ''}`}
      data-dir={m.dir}
      data-id={m.id}
      onClick={() => actions.select({ kind: 'msg', id: m.id, abs: item.abs })}
    >
      <title>
        #{m.id} {m.dir} {m.key ?? ''} {item.from} → {item.to}
        {m.latencyMs !== undefined ? ` after ${m.latencyMs.toFixed(2)} ms` : ''}
      </title>
      <path className="seq-hit" d={d} />
      <path className="seq-line" d={d} markerEnd={`url(#seq-arrow-${m.dir})`} />
      <text
        x={self ? x1 + 32 : (x1 + x2) / 2}
        y={self ? y + 4 : y - 5}
        textAnchor={self ? 'start' : 'middle'}
      >
        {messageLabel(m)}
      </text>
    </g>
  );
}

function LanePicker({
  lanes,
  all,
  onChange,
}: {
  lanes: string[];
  all: string[];
  onChange: (l: string[]) => void;
}) {
  return (
    <fieldset className="lane-picker" aria-label="Lifelines">
      <span className="muted">Lifelines:</span>
      {all.map((label) => (
        <label key={label} className={`chip${lanes.includes(label) ? ' on' : ''}`} title={label}>
          <input
            type="checkbox"
            checked={lanes.includes(label)}
            onChange={(e) =>
              onChange(
                e.target.checked
                  ? all.filter((l) => l === label || lanes.includes(l))
                  : lanes.filter((l) => l !== label),
              )
            }
          />
          {shortLabel(label)}
        </label>
      ))}
    </fieldset>
  );
}

/** Bustle-style: lifelines for the chosen processes, messages as arrows labelled with latency, invalidations marked. */
export function Sequence() {
  useTick(4);
  useConsole((s) => s.filterVersion);
  const selection = useConsole((s) => s.selection);
  const all = knownLanes();
  const [lanes, setLanesState] = useState<string[]>(() => chosen ?? all.slice(0, MAX_DEFAULT_LANES));
  const setLanes = (l: string[]) => {
    chosen = l;
    setLanesState(l);
  };
  const effective = lanes.length === 0 && chosen === null ? all.slice(0, MAX_DEFAULT_LANES) : lanes;
  const [ref, width] = useWidth(900);
  const [follow, setFollow] = useState(true);
  const items = collectSequence(
    { messages: newestFirst, events: live.events.toArray(), world: live.model.state },
    new Set(effective),
    LIMIT,
  );
  useEffect(() => {
    const el = ref.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  });
  const laneW = Math.max(150, (width - TIME_W - 24) / Math.max(1, effective.length));
  const x = (lane: string) => TIME_W + laneW * (effective.indexOf(lane) + 0.5);
  const svgW = TIME_W + laneW * effective.length + 24;
  const height = HEAD + items.length * ROW + 16;
  const selectedAbs = selection?.kind === 'msg' ? selection.abs : -1;

  return (
    <div className="sequence">
      <LanePicker lanes={effective} all={all} onChange={setLanes} />
      <div
        className="seq-scroll"
        ref={ref}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {effective.length < 2 ? (
          <p className="empty">Choose at least two processes above to draw the messages between them.</p>
        ) : (
          <>
            <div className="seq-heads" style={{ width: svgW }}>
              {effective.map((lane) => (
                <div
                  key={lane}
                  className="seq-head"
                  style={{ left: x(lane) - laneW / 2 + 6, width: laneW - 12 }}
                  title={lane}
                >
                  {shortLabel(lane)}
                </div>
              ))}
            </div>
            <svg className="seq" width={svgW} height={height} role="img" aria-label="Sequence diagram">
              <defs>
                {(['send', 'reply', 'event'] as const).map((d) => (
                  <ArrowMarker key={d} id={`seq-arrow-${d}`} className={`seq-marker-${d}`} />
                ))}
              </defs>
              {effective.map((lane) => (
                <line key={lane} className="lifeline" x1={x(lane)} x2={x(lane)} y1={0} y2={height} />
              ))}
              {items.map((item, i) => {
                const y = HEAD / 2 + i * ROW + ROW / 2;
                return (
                  <g key={`${item.kind}-${item.seq}`}>
                    <text className="seq-time" x={4} y={y + 4}>
                      {clock(item.t)}
                    </text>
                    <Item
                      item={item}
                      y={y}
                      x={x}
                      width={svgW}
                      selected={item.kind === 'msg' && item.abs === selectedAbs}
                    />
                  </g>
                );
              })}
            </svg>
            {items.length === 0 ? (
              <p className="empty">No messages between these processes in the capture window yet.</p>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
