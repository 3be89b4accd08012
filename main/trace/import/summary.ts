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

/** The processes an event shows: its writer, and for a launchd line the job it names by pid. */
function processKeys(ev: TraceEvent): string[] {
  switch (ev.kind) {
    case 'log': {
      const keys: string[] = [];
      if (ev.pid !== UNKNOWN_PID) keys.push(`pid:${ev.pid}`);
      if (ev.job?.pid !== undefined) keys.push(`pid:${ev.job.pid}`);
      return keys;
    }
    case 'process.spawn':
    case 'process.exit':
    case 'lookup':
    case 'connection.state':
      return ev.pid === UNKNOWN_PID ? [] : [`pid:${ev.pid}`];
    default:
      return [];
  }
}

/**
 * The summary counts, kept up to date one event at a time so an import never
 * needs its events back. A connection id is never used again after its
 * invalidation (a reused pointer gets a new id), so the sets that make
 * "distinct" counts hold only connections still open.
 */
export class SummaryCounter {
  private readonly processes = new Set<string>();
  private readonly activating = new Set<string>();
  private readonly listening = new Set<string>();
  private activated = 0;
  private listeners = 0;
  private interruptions = 0;
  // Keyed by text from the log: prototype-free, so `constructor` or `__proto__` count like any other key.
  private readonly invalidationsByReason: Record<string, number> = Object.create(null);
  private readonly lookupFailuresByError: Record<string, number> = Object.create(null);

  add(ev: TraceEvent): void {
    for (const key of processKeys(ev)) this.processes.add(key);
    if (ev.kind === 'lookup' && !ev.ok)
      bump(this.lookupFailuresByError, `${ev.errno ?? '?'}: ${ev.error ?? 'unknown'}`);
    if (ev.kind !== 'connection.state') return;
    if (
      (ev.to === 'activating' || (ev.to === 'connected' && ev.from === 'inactive')) &&
      !this.activating.has(ev.conn)
    ) {
      this.activating.add(ev.conn);
      this.activated++;
    }
    if (ev.side === 'listener' && !this.listening.has(ev.conn)) {
      this.listening.add(ev.conn);
      this.listeners++;
    }
    if (ev.to === 'interrupted') this.interruptions++;
    if (ev.to === 'invalidated') {
      bump(this.invalidationsByReason, invalidationKey(ev.reason ?? 'unknown'));
      this.activating.delete(ev.conn);
      this.listening.delete(ev.conn);
    }
  }

  summary(result: Omit<SummaryInput, 'events'>): ImportSummary {
    return {
      format: result.format,
      linesRead: result.linesRead,
      linesUsed: result.linesUsed,
      processes: this.processes.size,
      connectionsActivated: this.activated,
      listeners: this.listeners,
      invalidationsByReason: { ...this.invalidationsByReason },
      interruptions: this.interruptions,
      lookupFailuresByError: { ...this.lookupFailuresByError },
    };
  }
}

export function summarize(result: SummaryInput): ImportSummary {
  const counter = new SummaryCounter();
  for (const ev of result.events) counter.add(ev);
  return counter.summary(result);
}
