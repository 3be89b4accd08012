import type { TraceEvent } from '../../main/trace/schema';
import {
  type Advice,
  connectionAdvice,
  ERRNO_ADVICE,
  EXIT_ADVICE,
  NSERROR_MEANING,
  XPC_ERROR_ADVICE,
} from './advice';

export interface Explained {
  tone: 'ok' | 'warn' | 'bad' | 'info';
  title: string;
  detail?: string | undefined;
  /** What it means in XPC's terms, and what to do about it (XPC-MODEL cited). */
  means?: string | undefined;
  todo?: string | undefined;
}

/** XPC-MODEL §10.2: its process exited; no handler was left to hear an error, so none is carried. */
export function endedWithProcess(e: TraceEvent): boolean {
  return e.kind === 'connection.state' && e.to === 'invalidated' && !e.error;
}

/** A lifecycle event in plain words: what happened and, where it matters, what it means and what to do. */
export function explain(e: TraceEvent): Explained | null {
  const x = describe(e);
  const advice = x && adviceFor(e);
  return advice ? { ...x, ...advice } : x;
}

function adviceFor(e: TraceEvent): Advice | undefined {
  switch (e.kind) {
    case 'connection.state': {
      if (endedWithProcess(e)) return undefined;
      const a = connectionAdvice({ ...e, state: e.to });
      const ns = e.nsError ? NSERROR_MEANING[e.nsError.code] : undefined;
      return a && ns ? { ...a, means: `${a.means} Cocoa: NSError ${e.nsError?.code}, ${ns}.` } : a;
    }
    case 'reply.failed':
      return XPC_ERROR_ADVICE[e.error];
    case 'lookup':
      return e.ok || e.errno === undefined ? undefined : ERRNO_ADVICE[e.errno];
    case 'process.exit':
      return e.clean ? undefined : EXIT_ADVICE[e.cause];
    default:
      return undefined;
  }
}

function describe(e: TraceEvent): Explained | null {
  switch (e.kind) {
    case 'process.spawn':
      return {
        tone: 'ok',
        title: `${e.label} launched (pid ${e.pid})`,
        detail: `in ${e.domain}, because ${e.reason}`,
      };
    case 'process.exit':
      return {
        tone: e.clean ? 'info' : 'bad',
        title: `${e.label} (pid ${e.pid}) exited: ${e.detail}`,
        detail: e.clean
          ? 'a clean exit: it does not count as a crash'
          : 'its clients see XPC_ERROR_CONNECTION_INTERRUPTED; their next message relaunches it',
      };
    case 'connection.state':
      if (e.to === 'interrupted')
        return { tone: 'warn', title: `${e.conn} ${e.name}: interrupted`, detail: e.cause };
      if (endedWithProcess(e))
        return { tone: 'info', title: `${e.conn} ${e.name}: ended with its process`, detail: e.cause };
      if (e.to === 'invalidated') {
        return {
          tone: 'bad',
          title: `${e.conn} ${e.name}: invalidated`,
          detail: [e.cause, e.nsError && `NSError ${e.nsError.code}: ${e.nsError.debugDescription}`]
            .filter(Boolean)
            .join(' — '),
        };
      }
      if (e.to === 'connected' && e.from === 'interrupted')
        return { tone: 'ok', title: `${e.conn} ${e.name}: connected again`, detail: e.cause };
      return null;
    case 'lookup':
      return e.ok
        ? null
        : {
            tone: 'bad',
            title: `lookup of ${e.name} failed: error ${e.errno} (${e.error})`,
            detail: `from pid ${e.pid} in ${e.domain}`,
          };
    case 'reply.failed':
      return { tone: 'warn', title: `reply to #${e.request} failed with ${e.error}`, detail: e.cause };
    case 'service.register':
      return {
        tone: 'info',
        title: `${e.name} registered in ${e.domain}`,
        detail: `by ${e.label} (${e.origin})`,
      };
    case 'service.unregister':
      return { tone: 'warn', title: `${e.name} left ${e.domain}`, detail: e.reason };
    case 'diagnostic':
      return {
        tone: e.severity === 'error' ? 'bad' : 'warn',
        title: [e.file, e.key].filter(Boolean).join(': ') || 'world',
        detail: [e.message, e.consequence].filter(Boolean).join(' — '),
      };
    case 'action':
      return { tone: 'info', title: `you: ${e.action} ${e.target ?? ''}`, detail: e.detail };
    case 'world.loaded':
      return {
        tone: 'info',
        title: `world "${e.name}" loaded`,
        detail: `${e.jobs} jobs, ${e.services} services from ${e.root}`,
      };
    case 'message.dropped':
      return { tone: 'warn', title: `message dropped on ${e.conn}`, detail: e.reason };
    case 'upgrade':
      return {
        tone: e.after.services.some((s) => s.binding === 'stale') ? 'bad' : 'info',
        title: `${e.app} upgraded ${e.from} → ${e.to} (${e.installer})`,
        detail: e.why[0],
      };
    case 'remedy':
      return e.phase === 'applied'
        ? {
            tone: 'info',
            title: `remedy ${e.remedy} for ${e.app}`,
            detail: e.steps.map((s) => s.outcome).join('; '),
          }
        : {
            tone: e.recovered ? 'ok' : 'warn',
            title: `remedy ${e.remedy}: the app ${e.recovered ? 'recovered' : 'did not recover'}`,
            detail: e.recovered ? `after ${e.afterMs ?? 0} ms` : e.needs.join('; '),
          };
    default:
      return null;
  }
}
