import type { ConnectionView } from '../../main/trace/model';
import type { TraceEvent } from '../../main/trace/schema';
import { clock } from '../format';

/**
 * Retries that fail the same way (a client reconnecting every 2 s to a name
 * bound to a replaced extension, XPC-MODEL §5.4) make one row, not one per
 * attempt: "×37 since 14:02:31, last 2 s ago". Connections, Events and
 * Topology group with the same keys.
 */
export interface Repeat {
  count: number;
  first: number;
  last: number;
}

/** A dead connection repeats another when the same process failed on the same name the same way. */
export function connectionRepeatKey(c: ConnectionView): string | undefined {
  if (c.state !== 'invalidated' || !c.error) return undefined;
  return [c.pid, c.side, c.name, c.error, c.reason ?? '', c.nsError?.code ?? ''].join('|');
}

/** One representative (the latest) per repeat group, with how often and since when; others pass through. */
export function groupConnections<C extends ConnectionView>(conns: readonly C[]): { c: C; repeat?: Repeat }[] {
  const groups = new Map<string, { c: C; repeat: Repeat }>();
  const out: { c: C; repeat?: Repeat }[] = [];
  for (const c of conns) {
    const key = connectionRepeatKey(c);
    if (key === undefined) {
      out.push({ c });
      continue;
    }
    const g = groups.get(key);
    if (!g) {
      const entry = { c, repeat: { count: 1, first: c.since, last: c.since } };
      groups.set(key, entry);
      out.push(entry);
      continue;
    }
    g.repeat.count++;
    g.repeat.first = Math.min(g.repeat.first, c.since);
    if (c.since >= g.repeat.last) {
      g.repeat.last = c.since;
      g.c = c;
    }
  }
  return out;
}

/** The same change to the same process's connection to the same name, for the same reason. */
export function eventRepeatKey(e: TraceEvent): string | undefined {
  switch (e.kind) {
    case 'connection.state':
      if (e.to !== 'invalidated' && e.to !== 'interrupted') return undefined;
      return ['state', e.pid, e.side, e.name, e.to, e.error ?? '', e.reason ?? '', e.cause ?? ''].join('|');
    case 'lookup':
      return e.ok ? undefined : ['lookup', e.pid, e.name, e.errno ?? ''].join('|');
    case 'reply.failed':
      return ['reply', e.conn, e.error, e.cause].join('|');
    default:
      return undefined;
  }
}

/** "×37 since 14:02:31, last 2 s ago" */
export function repeatText(r: Repeat, now: number): string {
  return `×${r.count} since ${clock(r.first).slice(0, 8)}, last ${ago(now - r.last)}`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ago` : `${Math.floor(m / 60)} h ${m % 60} min ago`;
}
