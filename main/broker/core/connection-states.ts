import type { ConnectionState, NsError, XpcError } from '../../trace/schema';
import { nsErrorInterrupted, nsErrorInvalid, nsErrorPeerInvalid } from '../errors';
import type { Proc } from '../launchd/process';
import { invalidationReason, libxpc } from '../logs';
import type { BrokerState } from '../state';
import type { Connection } from './connection';

export interface Transition {
  error?: XpcError;
  cause?: string;
  reason?: string;
  nsError?: NsError;
}

/** The connection state machine of XPC-MODEL §1.2, and the error events each transition delivers. */
export class ConnectionStates {
  constructor(private readonly s: BrokerState) {}

  transition(conn: Connection, to: ConnectionState, t: Transition = {}): void {
    const from = conn.state;
    conn.state = to;
    conn.error = t.error ?? (to === 'connected' ? undefined : conn.error);
    conn.reason = t.reason ?? conn.reason;
    const other = conn.other;
    this.s.emit({
      kind: 'connection.state',
      conn: conn.ptr,
      side: conn.side,
      pid: conn.owner.displayPid,
      name: conn.name,
      ...(other ? { peerConn: other.ptr, peerPid: other.owner.displayPid } : {}),
      from,
      to,
      ...(t.error ? { error: t.error } : {}),
      ...(t.cause ? { cause: t.cause } : {}),
      ...(t.reason ? { reason: t.reason } : {}),
      ...(t.nsError ? { nsError: t.nsError } : {}),
    });
  }

  /** Rule 1: a client of a named service whose process died gets INTERRUPTED once and stays usable. */
  interrupt(conn: Connection, service: Proc, detail: string): void {
    if (conn.endpointOf) return this.s.anonymous.invalidateFromEndpoint(conn, detail);
    conn.boundTo = undefined;
    conn.other = undefined;
    const name = conn.service?.name ?? conn.name;
    // XPC-MODEL §1.2 rule 1, §10.2: libxpc re-initialises before it calls out INTERRUPTED; with the job booted
    // out (its name gone, or registered anew by a reinstall) the re-initialisation fails and the connection is INVALID.
    if (conn.service && !this.s.lookup.stillRegistered(conn.service)) {
      return this.s.lookup.failReconnect(conn, `${detail}, and ${name} left the namespace with its job`);
    }
    this.s.replies.failPending(conn, 'XPC_ERROR_CONNECTION_INTERRUPTED', detail);
    if (conn.state === 'interrupted') return;
    this.s.log.libxpc(conn.owner, libxpc.reinitialized(conn.ptr), conn.ptr);
    this.transition(conn, 'interrupted', {
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      cause: `${detail}; the next message relaunches it on demand`,
      nsError: nsErrorInterrupted(name, service.displayPid),
    });
    this.s.sendTo(conn.owner, {
      t: 'event',
      conn: conn.localId,
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      cause: detail,
    });
  }

  /** `clientPid` is given, not read from `peer.other`: a cancel unlinks the two ends before the peer hears of it. */
  invalidatePeer(peer: Connection, clientPid: number, cause: string): void {
    const reason = invalidationReason.clientGone(clientPid);
    this.s.log.libxpc(peer.owner, libxpc.clientGone(peer.ptr, clientPid), peer.ptr);
    this.invalidate(peer, { reason, cause, nsError: nsErrorPeerInvalid(clientPid) });
  }

  /** Rule 5 and the INVALID row of §1.2: final; reply handlers get INVALID too. */
  invalidate(conn: Connection, t: Omit<Transition, 'error'>): void {
    if (!conn.live) return;
    this.s.replies.failPending(conn, 'XPC_ERROR_CONNECTION_INVALID', t.cause ?? 'connection invalidated');
    this.s.waiting.drop(conn);
    this.s.channels.drop(conn);
    const other = conn.other;
    conn.other = undefined;
    conn.boundTo = undefined;
    this.transition(conn, 'invalidated', { ...t, error: 'XPC_ERROR_CONNECTION_INVALID' });
    this.s.sendTo(conn.owner, {
      t: 'event',
      conn: conn.localId,
      error: 'XPC_ERROR_CONNECTION_INVALID',
      ...(t.reason ? { reason: t.reason } : {}),
      cause: t.cause ?? 'connection invalidated',
    });
    if (other?.live && other.other === conn) other.other = undefined;
  }

  cancel(conn: Connection): void {
    if (!conn.live) return;
    const other = conn.other;
    this.s.log.libxpc(conn.owner, libxpc.cancelled(conn.ptr), conn.ptr);
    this.invalidate(conn, {
      reason: invalidationReason.cancelled,
      cause: `${conn.owner.job.label}[${conn.owner.displayPid}] cancelled the connection`,
      nsError: nsErrorInvalid(conn.service?.name ?? conn.name),
    });
    if (conn.side === 'client' && other?.live) {
      this.invalidatePeer(other, conn.owner.displayPid, `the client cancelled the connection`);
    } else if (conn.side === 'listener') {
      this.s.anonymous.cancelListener(conn);
    } else if (conn.side === 'peer' && other?.live) {
      // A cancelled peer looks to its named client like the service going away.
      this.interrupt(other, conn.owner, `${conn.owner.job.label} cancelled its end of the connection`);
    }
  }

  /** A malformed message costs the connection it names, and nothing more. */
  rejectMalformed(proc: Proc, raw: unknown, problem: string): void {
    const connId =
      typeof raw === 'object' && raw !== null && 'conn' in raw
        ? String((raw as { conn: unknown }).conn)
        : undefined;
    const conn = connId === undefined ? undefined : proc.connections.get(connId);
    const detail = `malformed message from ${proc.job.label}[${proc.displayPid}]: ${problem}`;
    if (conn) {
      this.invalidate(conn, { reason: invalidationReason.malformed(problem), cause: detail });
      return;
    }
    this.s.emit({ kind: 'diagnostic', severity: 'warning', message: `${detail}; ignored` });
  }

  /**
   * A helper over its message budget past the grace period loses its own connections (docs/security.md, Quotas):
   * each end it owns, and the end each was linked to, becomes INVALID with the quota as cause.
   */
  cutOff(proc: Proc, cause: string): void {
    for (const conn of [...proc.connections.values()]) {
      if (!conn.live) continue;
      const other = conn.other;
      this.invalidate(conn, { reason: 'over its message budget', cause });
      if (other?.live) this.invalidate(other, { reason: 'the peer is over its message budget', cause });
    }
  }

  /** A process names each of its connections once; a second connection under a used id is malformed. */
  idInUse(proc: Proc, localId: string): boolean {
    if (!proc.connections.has(localId)) return false;
    this.rejectMalformed(proc, { conn: localId }, `connection id ${localId} is already in use`);
    return true;
  }

  /**
   * XPC-MODEL §10.2: a process that exits ends its own connections. No handler is left to hear an
   * error, so the change carries none; the ends it was linked to are settled by `tearDown`.
   */
  endWithProcess(proc: Proc, detail: string): void {
    for (const conn of proc.connections.values()) {
      if (!conn.live) continue;
      this.transition(conn, 'invalidated', { cause: `ended with its process: ${detail}` });
    }
  }

  /** XPC-MODEL §1.2: what every connection touching a dead process becomes. */
  tearDown(proc: Proc, detail: string): void {
    for (const conn of proc.connections.values()) {
      const other = conn.other;
      if (conn.side === 'client' && other?.live) {
        // Rule 2: the service-side peer of an exited client gets INVALID, never INTERRUPTED.
        this.invalidatePeer(other, proc.displayPid, `client ${detail}`);
      }
      conn.state = 'invalidated';
    }
    this.s.replies.forget(proc);
    this.s.capture.forget(proc);
    for (const conn of this.clientsBoundTo(proc)) this.interrupt(conn, proc, detail);
    // Clients whose first messages were still waiting for this instance to check in.
    this.s.waiting.abandon(proc.job, (conn) => this.interrupt(conn, proc, detail));
  }

  private clientsBoundTo(proc: Proc): Connection[] {
    const out: Connection[] = [];
    for (const p of this.s.procs) {
      for (const conn of p.connections.values()) {
        if (conn.side === 'client' && conn.boundTo === proc && conn.live) out.push(conn);
      }
    }
    return out;
  }

  /** XPC-MODEL §1.2: only service-side peers hear it; the connection stays, but takes no new messages. */
  terminationImminent(peer: Connection, cause: string): void {
    this.transition(peer, peer.state, { error: 'XPC_ERROR_TERMINATION_IMMINENT', cause });
    this.s.sendTo(peer.owner, { t: 'event', conn: peer.localId, error: 'XPC_ERROR_TERMINATION_IMMINENT' });
  }
}
