import type { CaptureRecord, HelperToBroker } from '../../helper/protocol';
import type { EventInput } from '../../trace/schema';
import type { Proc } from '../launchd/process';
import { codeSigning, invalidationReason, libxpc } from '../logs';
import type { TimerHandle } from '../spawner';
import type { BrokerState } from '../state';
import type { Connection, QueuedMessage } from './connection';

/** A helper dropping capture records is reported at most this often. */
export const DROP_REPORT_MS = 2000;

/** How long records wait so that a later batch from another helper with earlier records can overtake them. */
export const REORDER_WINDOW_MS = 20;

interface Held {
  at: number;
  order: number;
  event: EventInput;
}

interface Request {
  id: number;
  key?: string;
  /** When the broker wrote the request into the channel: its reply's latency counts from then, as a hand-over's does. */
  handedAt?: number;
}

/**
 * The broker's half of capture, as Perfetto's service has one: each helper's batches of what it sent and
 * received on its channels become the stream's events, with the sender's time, merged across helpers in time
 * order within a bounded reorder window. A record that arrives after the window has passed its time is still
 * emitted, at once; the stream never loses it.
 */
export class CaptureMerge {
  private held: Held[] = [];
  private order = 0;
  private timer: ReturnType<BrokerState['clock']['setTimeout']> | undefined;
  /** Requests written into channels, by requester pid and its own id, until their reply or failure is recorded. */
  private readonly requests = new Map<string, Request>();
  private readonly droppedBy = new Map<
    Proc,
    { total: number; reported: number; at: number; timer: TimerHandle | undefined }
  >();

  constructor(private readonly s: BrokerState) {}

  /** A request the broker itself wrote into a channel: its reply will be recorded by the requester. */
  expectReply(message: QueuedMessage, requester: Proc): void {
    if (!message.expectsReply) return;
    this.requests.set(`${requester.displayPid}:${message.requesterMsgId}`, {
      id: message.id,
      handedAt: this.s.clock.now(),
      ...(message.key ? { key: message.key } : {}),
    });
  }

  /** Requests whose replies a process owes on its channels: each holds it like a transaction (XPC-MODEL §4.2). */
  openRequests(proc: Proc): number {
    let n = 0;
    for (const conn of proc.connections.values()) n += conn.side === 'peer' ? (conn.openRequests ?? 0) : 0;
    return n;
  }

  receive(proc: Proc, batch: Extract<HelperToBroker, { t: 'capture' }>): void {
    if (batch.dropped > 0) this.countDropped(proc, batch.dropped);
    const now = this.s.clock.now();
    for (const record of batch.records) this.record(proc, record, Math.min(record.at, now));
    this.schedule();
  }

  /**
   * A helper over its capture budget keeps its messages flowing and drops records in its own buffer: said at
   * once, then at most every DROP_REPORT_MS with the running count, so a flood does not flood the stream too.
   */
  private countDropped(proc: Proc, n: number): void {
    const state = this.droppedBy.get(proc) ?? { total: 0, reported: 0, at: -Infinity, timer: undefined };
    state.total += n;
    this.droppedBy.set(proc, state);
    const now = this.s.clock.now();
    if (now - state.at >= DROP_REPORT_MS) return this.reportDropped(proc);
    // What is dropped after a report is said when the next one is due, even if the flood has stopped by then.
    state.timer ??= this.s.clock.setTimeout(
      () => {
        state.timer = undefined;
        this.reportDropped(proc);
      },
      DROP_REPORT_MS - (now - state.at),
    );
  }

  private reportDropped(proc: Proc): void {
    const state = this.droppedBy.get(proc);
    if (!state || state.total === state.reported || this.s.disposed) return;
    state.at = this.s.clock.now();
    const count = state.total - state.reported;
    state.reported = state.total;
    this.s.emit({
      kind: 'diagnostic',
      severity: 'warning',
      key: 'capture',
      message: `${proc.job.label}[${proc.displayPid}] is over its capture budget: ${state.total} message records not kept so far`,
      consequence:
        'its messages still reach their peers; the stream is missing those records, and says how many',
      count,
    });
  }

  /** Everything held up to `t` goes out first, so the broker's own events keep their place in time. */
  drainUntil(t: number): void {
    if (this.held.length === 0) return;
    const ready = this.held.filter((h) => h.at <= t);
    if (ready.length === 0) return;
    this.held = this.held.filter((h) => h.at > t);
    this.emitSorted(ready);
  }

  /** Emits everything held, e.g. when the broker is disposed. */
  flush(): void {
    const all = this.held;
    this.held = [];
    this.emitSorted(all);
  }

  private emitSorted(items: Held[]): void {
    items.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const item of items) this.s.emitNow(item.event);
  }

  private schedule(): void {
    if (this.timer || this.held.length === 0) return;
    this.timer = this.s.clock.setTimeout(() => {
      this.timer = undefined;
      this.drainUntil(this.s.clock.now() - REORDER_WINDOW_MS);
      this.schedule();
    }, REORDER_WINDOW_MS);
  }

  private hold(at: number, event: EventInput): void {
    this.held.push({ at, order: this.order++, event: { ...event, t: at } });
  }

  private record(proc: Proc, record: CaptureRecord, at: number): void {
    const conn = proc.connections.get(record.conn);
    if (!conn) return;
    switch (record.k) {
      case 'send':
        return this.sent(proc, conn, record, at);
      case 'reply':
        return this.replied(proc, conn, record, at);
      case 'failed': {
        const request = this.takeRequest(proc, record.to);
        if (request === undefined) return;
        this.hold(at, {
          kind: 'reply.failed',
          conn: conn.ptr,
          request: request.id,
          pid: proc.displayPid,
          error: record.error,
          cause: record.cause,
        });
        return;
      }
      case 'forbidden':
        return this.forbidden(proc, conn, record, at);
      case 'counts':
        return this.counted(proc, conn, record, at);
      case 'broken': {
        const other = conn.other;
        const problem = `the peer broke the channel: ${record.problem}`;
        const cause = `malformed message on the channel to ${proc.job.label}[${proc.displayPid}]: ${record.problem}`;
        this.s.connections.invalidate(conn, { reason: invalidationReason.malformed(problem), cause });
        if (other?.live)
          this.s.connections.invalidate(other, {
            reason: invalidationReason.malformed(record.problem),
            cause,
          });
        return;
      }
    }
  }

  private sent(
    proc: Proc,
    conn: Connection,
    record: Extract<CaptureRecord, { k: 'send' }>,
    at: number,
  ): void {
    const to = conn.other?.owner;
    const id = this.s.nextMessageId++;
    if (record.expectsReply) {
      this.requests.set(`${proc.displayPid}:${record.id}`, {
        id,
        ...(record.key ? { key: record.key } : {}),
      });
      if (conn.other) conn.other.openRequests = (conn.other.openRequests ?? 0) + 1;
    }
    if (to) {
      to.messagesReceived++;
      to.lastActivity = this.s.clock.now();
      this.s.lifecycle.touch(to);
    }
    this.hold(at, {
      kind: 'message',
      id,
      conn: conn.ptr,
      from: proc.displayPid,
      to: to?.displayPid ?? -1,
      dir: conn.side === 'peer' ? 'event' : 'send',
      size: record.size,
      expectsReply: record.expectsReply,
      ...(record.key ? { key: record.key } : {}),
      ...(record.payload && this.s.capturePayloads ? { payload: record.payload as never } : {}),
    });
  }

  private counted(
    proc: Proc,
    conn: Connection,
    record: Extract<CaptureRecord, { k: 'counts' }>,
    at: number,
  ): void {
    const to = conn.other?.owner;
    if (to) {
      to.messagesReceived += record.messages;
      to.lastActivity = this.s.clock.now();
      this.s.lifecycle.touch(to);
    }
    // Requests a service holds are transactions (XPC-MODEL §4.2): counted in, counted out.
    if (conn.other && record.requests)
      conn.other.openRequests = (conn.other.openRequests ?? 0) + record.requests;
    if (record.replies && conn.openRequests)
      conn.openRequests = Math.max(0, conn.openRequests - record.replies);
    this.hold(at, {
      kind: 'message.counts',
      conn: conn.ptr,
      from: proc.displayPid,
      to: to?.displayPid ?? -1,
      messages: record.messages,
      bytes: record.bytes,
      requests: record.requests,
      replies: record.replies,
    });
  }

  private replied(
    proc: Proc,
    conn: Connection,
    record: Extract<CaptureRecord, { k: 'reply' }>,
    at: number,
  ): void {
    const request = this.takeRequest(proc, record.to);
    const replier = conn.other;
    if (replier?.openRequests) replier.openRequests--;
    this.hold(at, {
      kind: 'message',
      id: this.s.nextMessageId++,
      conn: replier?.ptr ?? conn.ptr,
      from: replier?.owner.displayPid ?? -1,
      to: proc.displayPid,
      dir: 'reply',
      size: record.size,
      expectsReply: false,
      ...(request ? { replyTo: request.id } : {}),
      latencyMs: request?.handedAt !== undefined ? Math.max(0, at - request.handedAt) : record.latencyMs,
      ...(request?.key ? { key: request.key } : {}),
      ...(record.payload && this.s.capturePayloads ? { payload: record.payload as never } : {}),
    });
  }

  private forbidden(
    proc: Proc,
    conn: Connection,
    record: Extract<CaptureRecord, { k: 'forbidden' }>,
    at: number,
  ): void {
    this.drainUntil(at);
    const line = (text: string, ptr?: string) => this.s.log.libxpc(proc, text, ptr);
    line(codeSigning.checkToken(record.requirement, record.status));
    if (record.replyTo !== undefined) {
      line(codeSigning.forbiddenReply(conn.ptr, record.requirement), conn.ptr);
      const request = this.takeRequest(proc, record.replyTo);
      if (conn.other?.openRequests) conn.other.openRequests--;
      if (request === undefined) return;
      this.s.emit({
        kind: 'reply.failed',
        conn: conn.ptr,
        request: request.id,
        pid: proc.displayPid,
        error: 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT',
        cause: `the reply from ${conn.other?.owner.job.label ?? 'the peer'}[${conn.other?.owner.displayPid ?? -1}] fails "${record.requirement}" (${record.message})`,
      });
      return;
    }
    line(libxpc.forbiddenMessage(conn.ptr, record.requirement), conn.ptr);
    const whose = conn.side === 'peer' ? `${proc.job.label}'s` : "the client's";
    this.s.emit({
      kind: 'message.dropped',
      conn: conn.other?.ptr ?? conn.ptr,
      pid: conn.other?.owner.displayPid ?? proc.displayPid,
      reason: `forbidden by ${whose} code signing requirement: ${record.message}`,
    });
  }

  private takeRequest(proc: Proc, localId: number): Request | undefined {
    const key = `${proc.displayPid}:${localId}`;
    const request = this.requests.get(key);
    this.requests.delete(key);
    return request;
  }

  /** A process exited: its requests will never be answered, and no record of theirs will come. */
  forget(proc: Proc): void {
    // What it dropped and has not yet said is said now, once.
    this.reportDropped(proc);
    this.droppedBy.get(proc)?.timer?.cancel();
    this.droppedBy.delete(proc);
    const prefix = `${proc.displayPid}:`;
    for (const key of this.requests.keys()) if (key.startsWith(prefix)) this.requests.delete(key);
  }
}
