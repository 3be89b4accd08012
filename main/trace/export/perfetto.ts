import type { ConnectionStateEvent, MessageEvent, TraceEvent } from '../schema';

/**
 * Chrome trace-event JSON, which both chrome://tracing and ui.perfetto.dev
 * open. One process track per pid; messages are flow arrows between tiny
 * slices on the sender and the receiver; replies and connection states are
 * async slices; exits, interruptions and invalidations are instants.
 */

export type ChromePhase = 'M' | 'X' | 's' | 'f' | 'b' | 'e' | 'i';

export interface ChromeTraceEvent {
  name: string;
  ph: ChromePhase;
  /** Microseconds since the first event. */
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: string;
  /** Flow end binds to the slice enclosing it rather than the next one. */
  bp?: 'e';
  /** Instant scope: global, process or thread. */
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

export interface ChromeTraceFile {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
}

/** Events that belong to no helper (service registration, user actions) are drawn on this track. */
export const BROKER_PID = 0;
const BROKER_NAME = 'XPC Lab broker (launchd)';

/** Width of the slice a flow arrow attaches to; short enough not to suggest a duration. */
const ANCHOR_NS = 1000;
/** Simultaneous messages on one process are spread this far apart so their slices never overlap. */
const MIN_STEP_NS = 10;
const LOG_NAME_CHARS = 80;

interface Anchor {
  pid: number;
  ns: number;
  name: string;
  cat: string;
  args: Record<string, unknown>;
  flow: { id: string; ph: 's' | 'f' };
}

interface OpenSlice {
  id: string;
  pid: number;
  name: string;
  cat: string;
}

/** Builds the export in one pass over the events in time order, collecting output per kind of track. */
class PerfettoBuilder {
  readonly timed: { ns: number; ev: Omit<ChromeTraceEvent, 'ts'> }[] = [];
  readonly anchors: Anchor[] = [];
  readonly pidNames = new Map<number, string[]>();
  /** The process name log lines give a pid: a Mac's log names processes but has no spawn events to label them. */
  readonly logNames = new Map<number, string>();
  readonly pidsSeen = new Set<number>();
  private readonly pendingReplies = new Map<number, OpenSlice & { startNs: number }>();
  private readonly connStates = new Map<string, OpenSlice>();
  private flowCount = 0;
  private replyCount = 0;

  constructor(
    private readonly t0: number,
    private readonly endNs: number,
  ) {}

  /**
   * Whole microseconds, held as nanoseconds: an epoch-millisecond double resolves only about a
   * quarter of a microsecond today, so finer digits would be noise.
   */
  ns(t: number): number {
    return Math.max(0, Math.round((t - this.t0) * 1000)) * 1000;
  }

  add(event: TraceEvent): void {
    switch (event.kind) {
      case 'process.spawn':
        this.nameProcess(event.pid, event.label);
        this.instant(event.t, event.pid, 'p', `spawn (${event.reason})`, 'process', {
          label: event.label,
          program: event.program,
          domain: event.domain,
          bundleVersion: event.bundleVersion,
        });
        return;
      case 'process.exit':
        this.seePid(event.pid);
        this.instant(event.t, event.pid, 'p', `exit (${event.cause})`, 'process', {
          label: event.label,
          code: event.code,
          signal: event.signal,
          clean: event.clean,
          ranForMs: event.ranForMs,
          detail: event.detail,
        });
        return;
      case 'connection.state':
        this.connectionState(event);
        return;
      case 'message':
        this.message(event);
        return;
      case 'reply.failed':
        this.endReply(event.request, event.t, { error: event.error, cause: event.cause });
        this.instant(event.t, event.pid, 't', `reply failed: ${event.error}`, 'reply', {
          conn: event.conn,
          request: event.request,
          cause: event.cause,
        });
        return;
      case 'message.dropped':
        if (event.request !== undefined) this.endReply(event.request, event.t, { dropped: event.reason });
        this.instant(event.t, event.pid, 't', 'message dropped', 'message', {
          conn: event.conn,
          request: event.request,
          reason: event.reason,
        });
        return;
      case 'lookup':
        if (!event.ok)
          this.instant(event.t, event.pid, 't', `lookup failed: ${event.name}`, 'lookup', {
            conn: event.conn,
            errno: event.errno,
            error: event.error,
          });
        else this.seePid(event.pid);
        return;
      case 'log':
        if (!this.logNames.has(event.pid)) this.logNames.set(event.pid, event.process);
        this.instant(event.t, event.pid, 't', event.text.slice(0, LOG_NAME_CHARS), 'log', {
          subsystem: event.subsystem,
          category: event.category,
          level: event.level,
          text: event.text,
        });
        return;
      case 'service.register':
      case 'service.unregister':
        this.instant(
          event.t,
          BROKER_PID,
          'p',
          `${event.kind === 'service.register' ? 'register' : 'unregister'} ${event.name}`,
          'service',
          { domain: event.domain, label: event.label },
        );
        return;
      case 'world.loaded':
        this.instant(event.t, BROKER_PID, 'p', `world ${event.name}`, 'world', {
          root: event.root,
          jobs: event.jobs,
          services: event.services,
        });
        return;
      case 'action':
        this.instant(event.t, BROKER_PID, 'p', `action: ${event.action}`, 'action', {
          target: event.target,
          detail: event.detail,
        });
        return;
      case 'diagnostic':
        this.instant(event.t, BROKER_PID, 'p', `${event.severity}: ${event.message}`, 'diagnostic', {
          file: event.file,
          key: event.key,
          consequence: event.consequence,
        });
        return;
    }
  }

  /** Closes what the trace left open, so every begin has its end. */
  finishOpenSlices(): void {
    for (const [request, open] of this.pendingReplies) {
      this.push(this.endNs, asyncEvent(open, 'e', { unanswered: true, request }));
    }
    this.pendingReplies.clear();
    for (const open of this.connStates.values()) this.push(this.endNs, asyncEvent(open, 'e'));
    this.connStates.clear();
  }

  private push(ns: number, ev: Omit<ChromeTraceEvent, 'ts'>): void {
    this.timed.push({ ns, ev });
  }

  private seePid(pid: number): void {
    this.pidsSeen.add(pid);
  }

  private nameProcess(pid: number, label: string): void {
    this.seePid(pid);
    const names = this.pidNames.get(pid) ?? [];
    if (!names.includes(label)) names.push(label);
    this.pidNames.set(pid, names);
  }

  private instant(
    t: number,
    pid: number,
    s: 'p' | 't',
    name: string,
    cat: string,
    args: Record<string, unknown>,
  ): void {
    this.seePid(pid);
    this.push(this.ns(t), { name, cat, ph: 'i', s, pid, tid: pid, args: dropUndefined(args) });
  }

  private connectionState(event: ConnectionStateEvent): void {
    this.seePid(event.pid);
    const ns = this.ns(event.t);
    const open = this.connStates.get(event.conn);
    if (open) {
      this.push(ns, asyncEvent(open, 'e'));
      this.connStates.delete(event.conn);
    }
    // Invalidation is final: it is an instant, not the start of an interval that lasts to the end of the trace.
    if (event.to !== 'invalidated') {
      const slice: OpenSlice = {
        id: `conn:${event.conn}`,
        pid: event.pid,
        name: event.to,
        cat: 'connection',
      };
      this.connStates.set(event.conn, slice);
      const args = dropUndefined({
        conn: event.conn,
        service: event.name,
        side: event.side,
        from: event.from,
        peerConn: event.peerConn,
        peerPid: event.peerPid,
      });
      this.push(ns, asyncEvent(slice, 'b', args));
    }
    if (event.to === 'invalidated' || event.to === 'interrupted') {
      const args = {
        conn: event.conn,
        service: event.name,
        error: event.error,
        cause: event.cause,
        reason: event.reason,
      };
      this.instant(event.t, event.pid, 't', event.to, 'connection', args);
    }
  }

  private message(event: MessageEvent): void {
    this.seePid(event.from);
    this.seePid(event.to);
    const ns = this.ns(event.t);
    const label = event.key ?? `#${event.id}`;
    const flowId = `msg:${this.flowCount++}`;
    const args = dropUndefined({
      id: event.id,
      conn: event.conn,
      dir: event.dir,
      from: event.from,
      to: event.to,
      size: event.size,
      expectsReply: event.expectsReply,
      replyTo: event.replyTo,
      latencyMs: event.latencyMs,
      payload: event.payload,
    });
    this.anchors.push({
      pid: event.from,
      ns,
      name: `${event.dir} ${label}`,
      cat: 'message',
      args,
      flow: { id: flowId, ph: 's' },
    });
    this.anchors.push({
      pid: event.to,
      ns,
      name: `recv ${label}`,
      cat: 'message',
      args: { id: event.id, conn: event.conn, from: event.from },
      flow: { id: flowId, ph: 'f' },
    });
    if (event.dir === 'send' && event.expectsReply) this.beginReply(event, ns);
    if (event.dir === 'reply' && event.replyTo !== undefined) this.replyArrived(event, ns);
  }

  private beginReply(request: MessageEvent, ns: number): void {
    const open = {
      id: `reply:${this.replyCount++}`,
      pid: request.from,
      name: `${request.key ?? `#${request.id}`} → reply`,
      cat: 'reply',
      startNs: ns,
    };
    this.pendingReplies.set(request.id, open);
    this.push(ns, asyncEvent(open, 'b', { request: request.id, conn: request.conn }));
  }

  private replyArrived(reply: MessageEvent, ns: number): void {
    const requestId = reply.replyTo!;
    if (!this.pendingReplies.has(requestId) && reply.latencyMs !== undefined) {
      // The request is older than the trace; its latency still tells where the slice began.
      const start = this.ns(reply.t - reply.latencyMs);
      const open = {
        id: `reply:${this.replyCount++}`,
        pid: reply.to,
        name: `${reply.key ?? `#${requestId}`} → reply`,
        cat: 'reply',
        startNs: start,
      };
      this.pendingReplies.set(requestId, open);
      this.push(
        start,
        asyncEvent(open, 'b', { request: requestId, conn: reply.conn, requestNotInTrace: true }),
      );
    }
    this.endReply(requestId, reply.t, {
      latencyMs: reply.latencyMs ?? (ns - (this.pendingReplies.get(requestId)?.startNs ?? ns)) / 1e6,
    });
  }

  private endReply(request: number, t: number, args: Record<string, unknown>): void {
    const open = this.pendingReplies.get(request);
    if (!open) return;
    this.pendingReplies.delete(request);
    this.push(this.ns(t), asyncEvent(open, 'e', dropUndefined(args)));
  }
}

function asyncEvent(
  open: OpenSlice,
  ph: 'b' | 'e',
  args?: Record<string, unknown>,
): Omit<ChromeTraceEvent, 'ts'> {
  const ev: Omit<ChromeTraceEvent, 'ts'> = {
    name: open.name,
    cat: open.cat,
    ph,
    id: open.id,
    pid: open.pid,
    tid: open.pid,
  };
  return args ? { ...ev, args } : ev;
}

function dropUndefined(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) out[k] = v;
  return out;
}

function usFromNs(ns: number): number {
  return ns / 1000;
}

/**
 * Places each message's slice on its process so no two overlap: same-time
 * messages are spread by a few nanoseconds and each slice ends before the next
 * begins. The flow point sits strictly inside its slice so viewers bind it there.
 */
function layoutAnchors(anchors: readonly Anchor[]): ChromeTraceEvent[] {
  const byPid = new Map<number, Anchor[]>();
  for (const a of anchors) {
    const list = byPid.get(a.pid) ?? [];
    list.push(a);
    byPid.set(a.pid, list);
  }
  const out: ChromeTraceEvent[] = [];
  for (const list of byPid.values()) {
    list.sort((a, b) => a.ns - b.ns);
    const starts: number[] = [];
    for (const a of list) {
      const prev = starts.at(-1);
      starts.push(prev !== undefined && a.ns < prev + MIN_STEP_NS ? prev + MIN_STEP_NS : a.ns);
    }
    list.forEach((a, i) => {
      const start = starts[i]!;
      const next = starts[i + 1];
      const dur = next === undefined ? ANCHOR_NS : Math.min(ANCHOR_NS, next - start);
      const flowNs = start + Math.floor(dur / 2);
      out.push({
        name: a.name,
        cat: a.cat,
        ph: 'X',
        ts: usFromNs(start),
        dur: usFromNs(dur),
        pid: a.pid,
        tid: a.pid,
        args: a.args,
      });
      const flow: ChromeTraceEvent = {
        name: a.name,
        cat: a.cat,
        ph: a.flow.ph,
        id: a.flow.id,
        ts: usFromNs(flowNs),
        pid: a.pid,
        tid: a.pid,
      };
      out.push(a.flow.ph === 'f' ? { ...flow, bp: 'e' } : flow);
    });
  }
  return out;
}

function metadata(builder: PerfettoBuilder): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  const pids = [...builder.pidsSeen].sort((a, b) => a - b);
  for (const pid of pids) {
    const labels = builder.pidNames.get(pid);
    const name =
      pid === BROKER_PID
        ? BROKER_NAME
        : labels
          ? labels.join(', ')
          : (builder.logNames.get(pid) ?? `pid ${pid}`);
    out.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: pid, args: { name } });
  }
  return out;
}

function byTime(a: TraceEvent, b: TraceEvent): number {
  return a.t - b.t || a.seq - b.seq;
}

export function toPerfetto(events: readonly TraceEvent[]): ChromeTraceFile {
  if (events.length === 0) return { traceEvents: [], displayTimeUnit: 'ms' };
  const sorted = [...events].sort(byTime);
  const t0 = sorted[0]!.t;
  const builder = new PerfettoBuilder(t0, Math.round((sorted.at(-1)!.t - t0) * 1000) * 1000);
  for (const event of sorted) builder.add(event);
  builder.finishOpenSlices();
  // Stable sort: events at the same instant keep the order they were made in, so an interval that
  // ends and the next that begins on the same track stay paired.
  const timed = builder.timed
    .map(({ ns, ev }) => ({ ns, ev: { ...ev, ts: usFromNs(ns) } as ChromeTraceEvent }))
    .concat(layoutAnchors(builder.anchors).map((ev) => ({ ns: Math.round(ev.ts * 1000), ev })))
    .sort((a, b) => a.ns - b.ns)
    .map(({ ev }) => ev);
  return { traceEvents: [...metadata(builder), ...timed], displayTimeUnit: 'ms' };
}
