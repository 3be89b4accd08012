import type { Connection } from './connection';

/**
 * XPC-MODEL §1.3: xpc_connection_send_barrier's block runs after every message
 * enqueued before it has been sent. It acknowledges neither delivery nor
 * processing, and on a cancelled or invalid connection it runs at once.
 */
export class Barriers {
  private waiting: { conn: Connection; id: number }[] = [];

  add(conn: Connection, id: number): void {
    this.waiting.push({ conn, id });
  }

  /** Runs every barrier whose connection has nothing left waiting to be sent. */
  settle(hasQueued: (conn: Connection) => boolean, run: (conn: Connection, id: number) => void): void {
    if (this.waiting.length === 0) return;
    const ready = this.waiting.filter((b) => !b.conn.live || !hasQueued(b.conn));
    if (ready.length === 0) return;
    this.waiting = this.waiting.filter((b) => !ready.includes(b));
    for (const b of ready) run(b.conn, b.id);
  }
}
