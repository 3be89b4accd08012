import {
  type ColumnDef,
  columnVisibilityFeature,
  createSortedRowModel,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
} from '@tanstack/react-table';
import type { ConnectionView } from '../../../main/trace/model';
import { FilterValue } from '../../components/FilterValue';
import { bytes, duration, ms, STATE_ORDER, shortError } from '../../format';
import { shortLabel } from '../../names';
import { actions, useConsole } from '../../store';
import { type Repeat, repeatText } from '../repeats';
import { StatePill } from '../StatePill';

export const features = tableFeatures({
  rowSortingFeature,
  columnVisibilityFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
});

export interface Row extends ConnectionView {
  owner: string;
  domain: string;
  peer: string;
  p95?: number | undefined;
  now: number;
  /** Connections that failed the same way, shown as this one row. */
  repeat?: Repeat;
}

type Def = ColumnDef<typeof features, Row>;

const errorTitle = (r: Row) =>
  [r.cause, r.reason && `reason: ${r.reason}`, r.nsError?.debugDescription].filter(Boolean).join('\n');

export const columns: Def[] = [
  {
    id: 'client',
    header: 'Process',
    accessorFn: (r) => r.owner,
    cell: (c) => (
      <span>
        <FilterValue field="process" value={c.row.original.owner} tabIndex={-1}>
          {shortLabel(c.row.original.owner)}
        </FilterValue>{' '}
        <span className="muted">{c.row.original.pid}</span>
        {c.row.original.ownerExited ? <span className="muted"> · exited</span> : null}
      </span>
    ),
  },
  { id: 'domain', header: 'Domain', accessorFn: (r) => r.domain },
  {
    id: 'service',
    header: 'Service',
    accessorFn: (r) => r.name,
    cell: (c) => <FilterValue field="service" value={c.row.original.name} className="mono" tabIndex={-1} />,
  },
  {
    id: 'peer',
    header: 'Other end',
    accessorFn: (r) => r.peer,
    cell: (c) => (c.row.original.peer ? shortLabel(c.row.original.peer) : <span className="muted">—</span>),
  },
  { id: 'side', header: 'Side', accessorFn: (r) => r.side },
  {
    id: 'state',
    header: 'State',
    accessorFn: (r) => STATE_ORDER[r.state],
    cell: (c) => (
      <>
        <FilterValue field="state" value={c.row.original.state} tabIndex={-1}>
          <StatePill state={c.row.original.state} />
        </FilterValue>
        {c.row.original.repeat ? (
          <span className="repeat">{repeatText(c.row.original.repeat, c.row.original.now)}</span>
        ) : null}
      </>
    ),
  },
  {
    id: 'since',
    header: 'In state',
    accessorFn: (r) => r.now - r.since,
    cell: (c) => duration(c.row.original.now - c.row.original.since),
  },
  {
    id: 'sent',
    header: '↑ Sent',
    accessorFn: (r) => r.bytesOut,
    cell: (c) => `${c.row.original.sent} · ${bytes(c.row.original.bytesOut)}`,
  },
  {
    id: 'received',
    header: '↓ Received',
    accessorFn: (r) => r.bytesIn,
    cell: (c) => `${c.row.original.received} · ${bytes(c.row.original.bytesIn)}`,
  },
  { id: 'pending', header: 'Pending', accessorFn: (r) => r.pendingReplies },
  {
    id: 'p95',
    header: 'p95 reply',
    accessorFn: (r) => r.p95 ?? -1,
    cell: (c) =>
      c.row.original.p95 === undefined ? <span className="muted">—</span> : ms(c.row.original.p95),
  },
  {
    id: 'error',
    header: 'Last error',
    accessorFn: (r) => r.error ?? '',
    cell: (c) => {
      const r = c.row.original;
      if (!r.error) return <span className="muted">—</span>;
      return (
        <span className={`err err-${r.state}`} title={errorTitle(r)}>
          {shortError(r.error)}
          {r.nsError ? <span className="muted"> · NSError {r.nsError.code}</span> : null}
        </span>
      );
    },
  },
  {
    id: 'cause',
    header: 'Cause',
    accessorFn: (r) => r.cause ?? '',
    cell: (c) => <span title={c.row.original.cause}>{c.row.original.cause ?? ''}</span>,
  },
  {
    id: 'actions',
    header: '',
    enableSorting: false,
    enableHiding: false,
    // A recorded trace has no helpers to act on: no buttons that can only fail.
    cell: (c) =>
      c.row.original.state === 'invalidated' ||
      c.row.original.side === 'listener' ||
      useConsole.getState().mode !== 'live' ? null : (
        <button
          type="button"
          className="small"
          tabIndex={-1}
          aria-label={`Cancel ${c.row.original.conn}`}
          onClick={(e) => {
            e.stopPropagation();
            void actions.cancel(c.row.original.conn);
          }}
        >
          Cancel
        </button>
      ),
  },
];

export const DEFAULT_HIDDEN: Record<string, boolean> = { cause: false, peer: false, side: false };
