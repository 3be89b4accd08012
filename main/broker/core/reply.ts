import type { BrokerToHelper, HelperToBroker } from '../../helper/protocol';
import type { EventInput, XpcError } from '../../trace/schema';
import type { Proc } from '../launchd/process';
import type { Clock } from '../spawner';
import type { Connection, PendingReply, QueuedMessage } from './connection';
import type { ConnectionStates } from './connection-states';
import type { Delivery } from './delivery';
import { measureBody } from './message-body';
import type { Requirements } from './requirements';
import type { WaitingQueues } from './waiting';

/** What replies need from the rest of the broker; the broker's state provides it, a test a fake. */
export interface RepliesPort {
  readonly clock: Clock;
  readonly maxMessageBytes: number;
  /** Numbers messages; never reused within a session. */
  nextMessageId: number;
  emit(event: EventInput): void;
  sendTo(proc: Proc, message: BrokerToHelper): void;
  readonly connections: Pick<ConnectionStates, 'rejectMalformed'>;
  readonly requirements: Pick<Requirements, 'replyPassesRequirement'>;
  readonly delivery: Pick<Delivery, 'recordMessage'>;
  readonly waiting: Pick<WaitingQueues, 'failConnection'>;
}

/** Requests waiting for their replies, and the errors their reply handlers get instead (XPC-MODEL §1.3). */
export class Replies {
  private readonly pending = new Map<number, PendingReply>();

  constructor(private readonly s: RepliesPort) {}

  /** A request handed over on its connection now waits for the reply. */
  expect(message: QueuedMessage): void {
    this.pending.set(message.id, {
      id: message.id,
      conn: message.conn,
      requesterMsgId: message.requesterMsgId,
      sentAt: this.s.clock.now(),
      ...(message.key ? { key: message.key } : {}),
    });
  }

  reply(proc: Proc, m: Extract<HelperToBroker, { t: 'reply' }>): void {
    const conn = proc.connections.get(m.conn);
    if (!conn) return this.s.connections.rejectMalformed(proc, m, `no connection ${m.conn}`);
    const pending = this.pending.get(m.to);
    // XPC-MODEL §1.3: a reply must go back on the connection the request came in on.
    if (!pending || pending.conn.other !== conn) {
      return this.s.connections.rejectMalformed(
        proc,
        m,
        pending
          ? 'Attempt to send a message expecting a reply to the wrong connection.'
          : `no request ${m.to} is waiting for a reply`,
      );
    }
    const measured = measureBody(m.body, this.s.maxMessageBytes);
    if (!measured.ok) return this.s.connections.rejectMalformed(proc, m, measured.problem);
    this.pending.delete(m.to);
    const requester = pending.conn;
    if (!this.s.requirements.replyPassesRequirement(requester, proc, pending)) return;
    const { body, size } = measured;
    const latencyMs = Math.max(0, this.s.clock.now() - pending.sentAt);
    const id = this.s.nextMessageId++;
    this.s.delivery.recordMessage(
      {
        conn,
        id,
        requesterMsgId: m.id,
        body,
        expectsReply: false,
        size,
        ...(pending.key ? { key: pending.key } : {}),
      },
      proc,
      requester.owner,
      'reply',
      { replyTo: m.to, latencyMs },
    );
    this.s.sendTo(requester.owner, { t: 'reply', conn: requester.localId, to: pending.requesterMsgId, body });
  }

  /** The requests an exited process sent: no handler is left to run. */
  forget(proc: Proc): void {
    for (const [id, pending] of this.pending) {
      if (pending.conn.owner === proc) this.pending.delete(id);
    }
  }

  /** Every request on the connection, sent or still queued, gets its reply handler's error once. */
  failPending(conn: Connection, error: XpcError, cause: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.conn === conn) {
        this.pending.delete(id);
        this.failRequest(conn, pending.requesterMsgId, id, error, cause);
      }
    }
    this.s.waiting.failConnection(conn, error, cause);
  }

  /** The broker shuts down: every request still waiting for its reply gets its reply handler's error once. */
  failAll(error: XpcError, cause: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) this.failRequest(p.conn, p.requesterMsgId, p.id, error, cause);
  }

  failRequest(conn: Connection, requesterMsgId: number, id: number, error: XpcError, cause: string): void {
    this.s.emit({
      kind: 'reply.failed',
      conn: conn.ptr,
      request: id,
      pid: conn.owner.displayPid,
      error,
      cause,
    });
    this.s.sendTo(conn.owner, { t: 'replyError', conn: conn.localId, to: requesterMsgId, error });
  }

  /** Requests a process holds and has not answered, each a transaction (XPC-MODEL §4.2). */
  openRequests(proc: Proc): number {
    let n = 0;
    for (const pending of this.pending.values()) if (pending.conn.other?.owner === proc) n++;
    return n;
  }
}
