import type { XpcError } from '../../trace/schema';
import type { JobSpec } from '../../world/model';
import type { Proc } from '../launchd/process';
import type { Connection, QueuedMessage } from './connection';
import type { ServiceEntry } from './namespace';

/** What the waiting queues need from the rest of the broker. */
export interface WaitingPort {
  /** The process that runs a name's job now, if any. */
  instanceFor(service: ServiceEntry): Proc | undefined;
  /** A request that will never be delivered: its reply handler gets `error` (XPC-MODEL §1.3). */
  readonly replies: {
    failRequest(conn: Connection, requesterMsgId: number, id: number, error: XpcError, cause: string): void;
  };
}

/**
 * Messages sent to a name before its instance checked in, waiting in the name's port in the order they were sent
 * (XPC-MODEL §8.9). This is their one owner: the rest of the broker asks, it does not reach in.
 */
export class WaitingQueues {
  private readonly queues = new Map<ServiceEntry, QueuedMessage[]>();

  constructor(private readonly port: WaitingPort) {}

  enqueue(service: ServiceEntry, message: QueuedMessage): void {
    const queue = this.queues.get(service);
    if (queue) queue.push(message);
    else this.queues.set(service, [message]);
  }

  /** The instance checked in: every message waiting for the name, oldest first, leaves the queue. */
  take(service: ServiceEntry): QueuedMessage[] {
    const queue = this.queues.get(service) ?? [];
    this.queues.delete(service);
    return queue;
  }

  /** A connection's messages are never delivered (it was invalidated); no handler runs for them here. */
  drop(conn: Connection): void {
    for (const [service, queue] of this.queues) {
      const kept = queue.filter((m) => m.conn !== conn);
      if (kept.length !== queue.length) this.queues.set(service, kept);
    }
  }

  /** Every request a connection has waiting gets its reply handler's error once, and its messages leave. */
  failConnection(conn: Connection, error: XpcError, cause: string): void {
    for (const queue of this.queues.values()) {
      for (const m of queue) if (m.conn === conn && m.expectsReply) this.failRequest(m, error, cause);
    }
    this.drop(conn);
  }

  /** The name is gone (its job booted out): each request waiting for it gets its reply handler's error once. */
  failService(service: ServiceEntry, error: XpcError, cause: string): void {
    for (const m of this.take(service)) if (m.expectsReply) this.failRequest(m, error, cause);
  }

  /**
   * The job's process died before it took its messages: each live connection waiting on one of its names is
   * settled once (XPC-MODEL §1.2 rule 1), then the job's queues are emptied.
   */
  abandon(job: JobSpec, settle: (conn: Connection) => void): void {
    for (const [service, queue] of [...this.queues]) {
      if (service.job !== job) continue;
      for (const conn of new Set(queue.map((m) => m.conn))) if (conn.live) settle(conn);
      this.queues.delete(service);
    }
  }

  /** Shutdown: every waiting request gets its reply handler's error once, and nothing is left waiting. */
  failAll(error: XpcError, cause: string): void {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    for (const m of all) if (m.expectsReply) this.failRequest(m, error, cause);
  }

  /** [I] Messages waiting for a process to check in count as work it holds: it is not idle (XPC-MODEL §4.2). */
  countFor(proc: Proc): number {
    let n = 0;
    for (const [service, queue] of this.queues)
      if (this.port.instanceFor(service) === proc) n += queue.length;
    return n;
  }

  /** Whether anything the connection sent is still waiting: a barrier after it waits too (XPC-MODEL §1.3). */
  has(conn: Connection): boolean {
    for (const queue of this.queues.values()) if (queue.some((m) => m.conn === conn)) return true;
    return false;
  }

  private failRequest(m: QueuedMessage, error: XpcError, cause: string): void {
    this.port.replies.failRequest(m.conn, m.requesterMsgId, m.id, error, cause);
  }
}
