import {
  type ColumnDef,
  createSortedRowModel,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { ConnectionView } from '../../main/trace/model';
import { bytes, duration, STATE_ORDER, shortError } from '../format';
import { actions, live, useConsole } from '../store';
import { StatePill } from './StatePill';

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
});

interface Row extends ConnectionView {
  client: string;
  service: string;
  now: number;
}

function processName(pid: number): string {
  return live.model.state.processes[pid]?.label ?? `pid ${pid}`;
}

const columns: ColumnDef<typeof features, Row>[] = [
  {
    id: 'client',
    header: 'Client',
    accessorFn: (r) => r.client,
    cell: (c) => (
      <span>
        {c.row.original.client} <span className="muted">{c.row.original.pid}</span>
      </span>
    ),
  },
  {
    id: 'service',
    header: 'Service',
    accessorFn: (r) => r.service,
    cell: (c) => <span className="mono">{c.row.original.service}</span>,
  },
  { id: 'side', header: 'Side', accessorFn: (r) => r.side },
  {
    id: 'state',
    header: 'State',
    accessorFn: (r) => STATE_ORDER[r.state],
    cell: (c) => <StatePill state={c.row.original.state} />,
  },
  {
    id: 'since',
    header: 'In state',
    accessorFn: (r) => r.now - r.since,
    cell: (c) => duration(c.row.original.now - c.row.original.since),
  },
  {
    id: 'sent',
    header: 'Sent',
    accessorFn: (r) => r.sent,
    cell: (c) => `${c.row.original.sent} · ${bytes(c.row.original.bytesOut)}`,
  },
  {
    id: 'received',
    header: 'Received',
    accessorFn: (r) => r.received,
    cell: (c) => `${c.row.original.received} · ${bytes(c.row.original.bytesIn)}`,
  },
  { id: 'pending', header: 'Pending', accessorFn: (r) => r.pendingReplies },
  {
    id: 'error',
    header: 'Last error',
    accessorFn: (r) => r.error ?? '',
    cell: (c) => {
      const r = c.row.original;
      if (!r.error) return <span className="muted">—</span>;
      return (
        <span
          className={`err err-${r.state}`}
          title={[r.cause, r.reason && `reason: ${r.reason}`, r.nsError?.debugDescription]
            .filter(Boolean)
            .join('\n')}
        >
          {shortError(r.error)}
          {r.nsError ? <span className="muted"> · NSError {r.nsError.code}</span> : null}
        </span>
      );
    },
  },
  {
    id: 'actions',
    header: '',
    enableSorting: false,
    cell: (c) =>
      c.row.original.state === 'invalidated' || c.row.original.side === 'listener' ? null : (
        <button
          type="button"
          className="small"
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

/** Every connection with its state, traffic and last error; click a row to inspect its history. */
export function Connections() {
  useConsole((s) => s.version);
  const selection = useConsole((s) => s.selection);
  const [showAll, setShowAll] = useState(false);
  const [sorting, setSorting] = useState<SortingState>([]);
  const now = Date.now();
  // `now` moves with every batch, so the rows are rebuilt from the mutable model once per batch.
  const data = useMemo<Row[]>(
    () =>
      Object.values(live.model.state.connections)
        .filter((c) => showAll || c.side === 'client')
        .map((c) => ({
          ...c,
          client: processName(c.pid),
          service: c.side === 'peer' ? c.name : c.name,
          now,
        })),
    [showAll, now],
  );
  const table = useTable({ features, columns, data, state: { sorting }, onSortingChange: setSorting });
  return (
    <div className="table-wrap">
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show
          peers and listeners
        </label>
        <span className="muted">{data.length} connections</span>
      </div>
      {data.length === 0 ? (
        <p className="empty">No connections yet. Clients connect when their helpers start.</p>
      ) : (
        <table className="grid" aria-label="Connections">
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th
                    key={header.id}
                    onClick={header.column.getToggleSortingHandler()}
                    className={header.column.getCanSort() ? 'sortable' : ''}
                    aria-sort={
                      header.column.getIsSorted() === 'asc'
                        ? 'ascending'
                        : header.column.getIsSorted() === 'desc'
                          ? 'descending'
                          : 'none'
                    }
                  >
                    <table.FlexRender header={header} />
                    {header.column.getIsSorted() === 'asc'
                      ? ' ▲'
                      : header.column.getIsSorted() === 'desc'
                        ? ' ▼'
                        : ''}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr
                key={row.original.conn}
                data-conn={row.original.conn}
                data-service={row.original.name}
                data-state={row.original.state}
                className={selection?.kind === 'conn' && selection.id === row.original.conn ? 'selected' : ''}
                onClick={() => actions.select({ kind: 'conn', id: row.original.conn })}
              >
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
