import { type ColumnVisibilityState, type SortingState, useTable } from '@tanstack/react-table';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionView, ModelSnapshot } from '../../main/trace/model';
import { useTick } from '../hooks';
import { registerMover, step } from '../nav';
import { isRecord, loadPref, savePref } from '../prefs';
import { actions, live, modelNow, useConsole, useModel } from '../store';
import { columns, DEFAULT_HIDDEN, features, type Row } from './connections/columns';
import { groupConnections } from './repeats';

const isVisibility = (v: unknown): v is ColumnVisibilityState =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'boolean');

function toRow(
  c: ConnectionView,
  now: number,
  processes: ModelSnapshot['processes'],
  repeat?: Row['repeat'],
): Row {
  const clientConn = c.side === 'peer' && c.peerConn ? c.peerConn : c.conn;
  return {
    ...c,
    owner: processes[c.pid]?.label ?? `pid ${c.pid}`,
    domain: processes[c.pid]?.domain ?? '',
    peer: c.peerPid !== undefined ? (processes[c.peerPid]?.label ?? `pid ${c.peerPid}`) : '',
    p95: live.stats.byConnection.get(clientConn)?.latency.quantile(0.95),
    now,
    ...(repeat && repeat.count > 1 ? { repeat } : {}),
  };
}

function ColumnChooser({ table }: { table: ReturnType<typeof useTable<typeof features, Row>> }) {
  return (
    <details className="chooser">
      <summary>Columns</summary>
      <div className="chooser-menu">
        {table
          .getAllLeafColumns()
          .filter((c) => c.getCanHide())
          .map((c) => (
            <label key={c.id}>
              <input type="checkbox" checked={c.getIsVisible()} onChange={() => c.toggleVisibility()} />{' '}
              {typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id}
            </label>
          ))}
      </div>
    </details>
  );
}

/** Every connection with its state, traffic, latency and last error; click a row to inspect its history. */
export function Connections() {
  const tick = useTick(4);
  const filterVersion = useConsole((s) => s.filterVersion);
  const selection = useConsole((s) => s.selection);
  const [showAll, setShowAll] = useState(false);
  const [collapse, setCollapse] = useState(true);
  const [hideExited, setHideExited] = useState(false);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [columnVisibility, setVisibility] = useState<ColumnVisibilityState>(() =>
    loadPref('columns', DEFAULT_HIDDEN, isVisibility),
  );
  const bind = live.filter?.connection ?? null;
  const model = useModel();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the model is mutable; tick and filterVersion say when it changed.
  const data = useMemo<Row[]>(() => {
    const now = modelNow();
    const world = model.state;
    const test = bind?.(world);
    const shown = Object.values(world.connections).filter(
      (c) => (showAll || c.side === 'client') && !(hideExited && c.ownerExited) && (!test || test(c)),
    );
    if (!collapse) return shown.map((c) => toRow(c, now, world.processes));
    return groupConnections(shown).map(({ c, repeat }) => toRow(c, now, world.processes, repeat));
  }, [showAll, collapse, hideExited, tick, filterVersion, model]);
  const table = useTable({
    features,
    columns,
    data,
    state: { sorting, columnVisibility },
    onSortingChange: setSorting,
    onColumnVisibilityChange: (updater) =>
      setVisibility((old) => {
        const next = typeof updater === 'function' ? updater(old) : updater;
        savePref('columns', next);
        return next;
      }),
  });
  const rows = table.getRowModel().rows;
  const selectedId = selection?.kind === 'conn' ? selection.id : undefined;
  const selectedIndex = rows.findIndex((r) => r.original.conn === selectedId);
  const tableRef = useRef<HTMLTableElement>(null);
  // Focus follows the selection while it is in the grid.
  useEffect(() => {
    const el = tableRef.current;
    if (!el?.contains(document.activeElement)) return;
    const row = el.querySelector<HTMLElement>('tbody tr[aria-selected="true"]');
    if (row && row !== document.activeElement) row.focus();
  });

  useEffect(
    () =>
      registerMover((delta) => {
        const i = step(
          rows.findIndex((r) => r.original.conn === selectedId),
          delta,
          rows.length,
        );
        const next = rows[i]?.original.conn;
        if (next) actions.select({ kind: 'conn', id: next });
      }),
    [rows, selectedId],
  );

  const notApplicable = live.filter && !bind;
  return (
    <div className="table-wrap">
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show
          peers and listeners
        </label>
        <label title="One row for connections that failed the same way from the same process, with how often and since when">
          <input type="checkbox" checked={collapse} onChange={(e) => setCollapse(e.target.checked)} />{' '}
          collapse repeats
        </label>
        <label>
          <input type="checkbox" checked={hideExited} onChange={(e) => setHideExited(e.target.checked)} />{' '}
          hide exited processes
        </label>
        <span className="muted">{data.length} connections</span>
        {notApplicable ? (
          <span className="hint">
            The filter names fields connections lack ({live.filter?.fields.join(', ')}).
          </span>
        ) : null}
        <span className="spacer" />
        <ColumnChooser table={table} />
      </div>
      {data.length === 0 ? (
        <p className="empty">
          {live.filter
            ? 'No connection matches the filter.'
            : 'No connections yet. Clients connect when their helpers start; tick "show peers and listeners" to see the service side.'}
        </p>
      ) : (
        <div className="table-scroll">
          {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: ARIA's grid pattern on a table: rows take focus, one tab stop. */}
          <table className="grid" aria-label="Connections" role="grid" ref={tableRef}>
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
              {rows.map((row, i) => (
                <tr
                  // One tab stop (roving tabindex): the selected row, else the first; arrows and j/k move it.
                  tabIndex={(selectedIndex >= 0 ? i === selectedIndex : i === 0) ? 0 : -1}
                  onFocus={(e) => {
                    if (e.target === e.currentTarget && selectedId !== row.original.conn)
                      actions.select({ kind: 'conn', id: row.original.conn });
                  }}
                  key={row.original.conn}
                  data-conn={row.original.conn}
                  data-pid={row.original.pid}
                  data-repeats={row.original.repeat?.count}
                  data-side={row.original.side}
                  data-service={row.original.name}
                  data-state={row.original.state}
                  aria-selected={selectedId === row.original.conn}
                  data-exited={row.original.ownerExited ? 'true' : undefined}
                  className={`${selectedId === row.original.conn ? 'selected' : ''}${row.original.ownerExited ? ' ended' : ''}`}
                  onClick={() => actions.select({ kind: 'conn', id: row.original.conn })}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={`col-${cell.column.id}`}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
