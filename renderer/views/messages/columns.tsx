import type { ReactNode } from 'react';
import type { ModelSnapshot } from '../../../main/trace/model';
import type { MessageEvent } from '../../../main/trace/schema';
import { FilterValue } from '../../components/FilterValue';
import { serviceOf } from '../../filter/fields';
import { bytes, clock, duration } from '../../format';
import { processLabel, shortService, who } from '../../names';

export const DIR_LABEL = { send: '→ send', reply: '← reply', event: '⇠ push' } as const;

/** How the Time column reads: the clock, time since the session started, or since the row above. */
export type TimeMode = 'clock' | 'start' | 'previous';
export const TIME_MODES: { mode: TimeMode; label: string }[] = [
  { mode: 'clock', label: 'clock' },
  { mode: 'start', label: 'since start' },
  { mode: 'previous', label: 'since previous' },
];

export interface Cell {
  m: MessageEvent;
  world: ModelSnapshot;
  /** The session's start and the row above's time, for relative times. */
  origin: number;
  previous: number | undefined;
  timeMode: TimeMode;
}

export interface MessageColumn {
  id: string;
  header: string;
  width: string;
  className?: string;
  /** A value to sort by; the same for every row that looks the same. */
  sortValue: (m: MessageEvent, world: ModelSnapshot) => string | number;
  render: (c: Cell) => ReactNode;
  /** As text, for Copy row (tab-separated, as Console.app copies its visible columns). */
  text: (c: Cell) => string;
}

export function preview(m: MessageEvent): string {
  if (!m.payload) return m.key ?? '';
  const text = JSON.stringify(m.payload);
  return text.length > 140 ? `${text.slice(0, 137)}…` : text;
}

export function replyText(m: MessageEvent): string {
  if (m.replyTo !== undefined) return `↩ #${m.replyTo} · ${m.latencyMs?.toFixed(1) ?? '?'} ms`;
  return m.expectsReply ? `#${m.id} · expects reply` : `#${m.id}`;
}

export const messageService = (m: MessageEvent, world: ModelSnapshot) =>
  serviceOf(world, world.connections[m.conn]) ?? '';

function timeText(c: Cell): string {
  if (c.timeMode === 'clock') return clock(c.m.t);
  if (c.timeMode === 'start') return `+${duration(Math.max(0, c.m.t - c.origin))}`;
  return c.previous === undefined ? '—' : `+${duration(Math.max(0, c.m.t - c.previous))}`;
}

const NO_TAB = -1;

export const MESSAGE_COLUMNS: MessageColumn[] = [
  {
    id: 'time',
    header: 'Time',
    width: '96px',
    className: 'mono',
    sortValue: (m) => m.t,
    render: (c) => timeText(c),
    text: (c) => timeText(c),
  },
  {
    id: 'dir',
    header: 'Dir',
    width: '58px',
    className: 'col-dir',
    sortValue: (m) => m.dir,
    render: ({ m }) => (
      <FilterValue field="dir" value={m.dir} tabIndex={NO_TAB}>
        {DIR_LABEL[m.dir]}
      </FilterValue>
    ),
    text: ({ m }) => m.dir,
  },
  {
    id: 'ends',
    header: 'From → To',
    width: '136px',
    sortValue: (m) => `${who(m.from)} ${who(m.to)}`,
    render: ({ m }) => (
      <>
        <FilterValue field="from" value={processLabel(m.from) ?? m.from} tabIndex={NO_TAB}>
          {who(m.from)}
        </FilterValue>
        {' → '}
        <FilterValue field="to" value={processLabel(m.to) ?? m.to} tabIndex={NO_TAB}>
          {who(m.to)}
        </FilterValue>
      </>
    ),
    text: ({ m }) => `${processLabel(m.from) ?? m.from} → ${processLabel(m.to) ?? m.to}`,
  },
  {
    id: 'service',
    header: 'Service',
    width: 'minmax(90px, 1fr)',
    sortValue: messageService,
    render: ({ m, world }) => {
      const service = messageService(m, world);
      return service ? (
        <FilterValue field="service" value={service} className="mono" tabIndex={NO_TAB}>
          {shortService(service, 15)}
        </FilterValue>
      ) : null;
    },
    text: ({ m, world }) => messageService(m, world),
  },
  {
    id: 'key',
    header: 'Key',
    width: 'minmax(70px, 120px)',
    className: 'key',
    sortValue: (m) => m.key ?? '',
    render: ({ m }) => (m.key ? <FilterValue field="key" value={m.key} tabIndex={NO_TAB} /> : null),
    text: ({ m }) => m.key ?? '',
  },
  {
    id: 'size',
    header: 'Size',
    width: '56px',
    className: 'num',
    sortValue: (m) => m.size,
    render: ({ m }) => bytes(m.size),
    text: ({ m }) => String(m.size),
  },
  {
    id: 'reply',
    header: 'Reply',
    width: '118px',
    className: 'muted',
    sortValue: (m) => m.latencyMs ?? -1,
    render: ({ m }) => replyText(m),
    text: ({ m }) => replyText(m),
  },
  {
    id: 'payload',
    header: 'Payload',
    width: 'minmax(0, 1.2fr)',
    className: 'mono preview',
    sortValue: (m) => preview(m),
    render: ({ m }) => preview(m),
    text: ({ m }) => (m.payload ? JSON.stringify(m.payload) : ''),
  },
];
