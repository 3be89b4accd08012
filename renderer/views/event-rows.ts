import type { ModelSnapshot } from '../../main/trace/model';
import type { LogEvent, TraceEvent } from '../../main/trace/schema';
import type { Bind } from '../filter';
import { type Explained, explain } from './explain';
import { eventRepeatKey, type Repeat } from './repeats';

/**
 * The events timeline: each lifecycle event with the log lines a Mac would
 * have written for it. libxpc lines carry the connection pointer; launchd
 * lines name the service target "(domain/label [pid])" (XPC-MODEL §7). A line
 * belongs to the next event on the same connection or the same job; an
 * imported line names the event it caused (`event`) and sits on that one, or
 * on none.
 */
export interface EventRow {
  e: TraceEvent;
  x: Explained | null;
  logs: LogEvent[];
  /** With repeats collapsed: the events this row stands for (itself the latest). */
  repeat?: Repeat;
}

const LAUNCHD_TARGET = /^\(([^)\s]+)(?: \[\d+\])?\)/;

function logKey(l: LogEvent): string | undefined {
  if (l.conn) return `conn:${l.conn}`;
  const target = LAUNCHD_TARGET.exec(l.text)?.[1];
  return target ? `job:${target}` : undefined;
}

function eventKey(e: TraceEvent): string | undefined {
  if (e.kind === 'process.spawn' || e.kind === 'process.exit') return `job:${e.domain}/${e.label}`;
  if ('conn' in e && typeof e.conn === 'string') return `conn:${e.conn}`;
  return undefined;
}

export function buildEventRows(
  events: readonly TraceEvent[],
  options: { logs: boolean; pred: Bind<TraceEvent> | null; world: ModelSnapshot; collapse?: boolean },
): EventRow[] {
  const pending = new Map<string, LogEvent[]>();
  const caused = new Map<number, LogEvent[]>();
  const bySeq = new Map<number, EventRow>();
  const attached = new Set<LogEvent>();
  const rows: EventRow[] = [];
  for (const e of events) {
    if (e.kind === 'log') {
      const shown = e.event == null ? undefined : bySeq.get(e.event);
      if (shown) {
        // The line completes an event already shown (the second report of a failed look-up).
        shown.logs.push(e);
        attached.add(e);
      } else if (e.event != null) caused.set(e.event, [...(caused.get(e.event) ?? []), e]);
      // An imported line that caused nothing (`event: null`) sits on no event.
      const key = e.event === undefined ? logKey(e) : undefined;
      if (key) {
        const list = pending.get(key) ?? [];
        list.push(e);
        pending.set(key, list);
      }
      rows.push({ e, x: null, logs: [] });
      continue;
    }
    const key = eventKey(e);
    const logs = key ? (pending.get(key) ?? []) : [];
    if (key) pending.delete(key);
    logs.push(...(caused.get(e.seq) ?? []));
    caused.delete(e.seq);
    // Lines before an event the timeline does not show (e.g. activating) belong to that event, not the next one.
    const x = explain(e);
    if (!x) continue;
    for (const l of logs) attached.add(l);
    const row = { e, x, logs };
    bySeq.set(e.seq, row);
    rows.push(row);
  }
  const test = options.pred?.(options.world);
  const shown = rows.filter((r) => {
    if (r.e.kind === 'log' && (!options.logs || attached.has(r.e))) return false;
    return !test || test(r.e);
  });
  return options.collapse ? collapseRepeats(shown) : shown;
}

/** Each repeated event once, where it last happened, counting the ones it stands for. */
function collapseRepeats(rows: EventRow[]): EventRow[] {
  const latest = new Map<string, number>();
  const out: (EventRow | undefined)[] = [];
  for (const r of rows) {
    const key = eventRepeatKey(r.e);
    const at = key === undefined ? undefined : latest.get(key);
    const before = at === undefined ? undefined : out[at];
    if (key === undefined || at === undefined || !before) {
      if (key !== undefined) latest.set(key, out.length);
      out.push(r);
      continue;
    }
    out[at] = undefined;
    const prior = before.repeat ?? { count: 1, first: before.e.t, last: before.e.t };
    latest.set(key, out.length);
    out.push({ ...r, repeat: { count: prior.count + 1, first: prior.first, last: r.e.t } });
  }
  return out.filter((r): r is EventRow => r !== undefined);
}
