import type { TraceEvent } from '../schema';
import { UNKNOWN_PID } from './convert';
import { invalidationKey } from './recognise';
import type { LogFormat } from './record';

export interface ImportSummary {
  format: LogFormat;
  linesRead: number;
  linesUsed: number;
  /** Distinct processes named by the events: log senders, spawned and exited jobs, lookup requestors. */
  processes: number;
  /** Connections with an activation line. */
  connectionsActivated: number;
  /** Connections known to be listeners, activated or failing to activate. */
  listeners: number;
  /** By short reason: "failed init", "cancelled", "client cancelled or exited", … */
  invalidationsByReason: Record<string, number>;
  interruptions: number;
  /** By `errno: error`, e.g. "159: Sandbox restriction". */
  lookupFailuresByError: Record<string, number>;
}

export interface SummaryInput {
  format: LogFormat;
  events: readonly TraceEvent[];
  linesRead: number;
  linesUsed: number;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function processKey(ev: TraceEvent): string | null {
  switch (ev.kind) {
    case 'log':
      return ev.pid === UNKNOWN_PID ? `name:${ev.process}` : `pid:${ev.pid}`;
    case 'process.spawn':
    case 'process.exit':
    case 'lookup':
    case 'connection.state':
      return ev.pid === UNKNOWN_PID ? null : `pid:${ev.pid}`;
    default:
      return null;
  }
}

export function summarize(result: SummaryInput): ImportSummary {
  const processes = new Set<string>();
  const activated = new Set<string>();
  const listeners = new Set<string>();
  const invalidationsByReason: Record<string, number> = {};
  const lookupFailuresByError: Record<string, number> = {};
  let interruptions = 0;
  for (const ev of result.events) {
    const key = processKey(ev);
    if (key) processes.add(key);
    if (ev.kind === 'lookup' && !ev.ok)
      bump(lookupFailuresByError, `${ev.errno ?? '?'}: ${ev.error ?? 'unknown'}`);
    if (ev.kind !== 'connection.state') continue;
    if (ev.to === 'activating' || (ev.to === 'connected' && ev.from === 'inactive')) {
      activated.add(ev.conn);
    }
    if (ev.side === 'listener') listeners.add(ev.conn);
    if (ev.to === 'interrupted') interruptions++;
    if (ev.to === 'invalidated') bump(invalidationsByReason, invalidationKey(ev.reason ?? 'unknown'));
  }
  return {
    format: result.format,
    linesRead: result.linesRead,
    linesUsed: result.linesUsed,
    processes: processes.size,
    connectionsActivated: activated.size,
    listeners: listeners.size,
    invalidationsByReason,
    interruptions,
    lookupFailuresByError,
  };
}
