import { nsErrorInvalid } from '../errors';
import type { Proc } from '../launchd/process';
import { invalidationReason, libxpc } from '../logs';
import type { BrokerState } from '../state';
import { Connection, type QueuedMessage } from './connection';
import { anonymous, Endpoints } from './endpoint';

/** Anonymous listeners and the connections made from their endpoints (XPC-MODEL §1.1, §1.2 rule 3). */
export class AnonymousListeners {
  private readonly endpoints = new Endpoints();

  constructor(private readonly s: BrokerState) {}

  /** xpc_connection_create(NULL, q): an anonymous listener, reachable only through its endpoint (XPC-MODEL §1.1). */
  listenAnonymous(proc: Proc, localId: string): void {
    if (this.s.connections.idInUse(proc, localId)) return;
    const ptr = this.s.pointers.allocate();
    const listener = new Connection(ptr, 'listener', proc, localId, anonymous.listener(ptr), false);
    proc.listeners.set(localId, listener);
    proc.connections.set(localId, listener);
    this.s.connections.transition(listener, 'activating');
    const flags = { mach: false, listener: true, peer: false, name: listener.name };
    this.s.log.libxpc(proc, libxpc.activating(ptr, flags), ptr);
    this.s.connections.transition(listener, 'connected', {
      cause: 'an anonymous listener, reachable through its endpoint',
    });
    this.s.sendTo(proc, { t: 'endpoint', listener: localId, endpoint: this.endpoints.add(listener) });
  }

  /** xpc_connection_create_from_endpoint: no name, no look-up, so nothing to reconnect to (XPC-MODEL §1.2 rule 3). */
  connectEndpoint(proc: Proc, localId: string, endpoint: string): void {
    if (this.s.connections.idInUse(proc, localId)) return;
    const listener = this.endpoints.resolve(endpoint);
    const name = listener?.name ?? anonymous.listener(endpoint);
    const conn = new Connection(this.s.pointers.allocate(), 'client', proc, localId, name, false);
    proc.connections.set(localId, conn);
    this.s.connections.transition(conn, 'activating');
    this.s.log.libxpc(
      proc,
      libxpc.activating(conn.ptr, { mach: false, listener: false, peer: false, name }),
      conn.ptr,
    );
    if (!listener) {
      this.s.log.libxpc(proc, libxpc.failedInit(conn.ptr), conn.ptr);
      const cause = `the anonymous listener of endpoint ${endpoint} is gone`;
      this.s.connections.invalidate(conn, {
        reason: invalidationReason.listenerGone,
        cause,
        nsError: nsErrorInvalid(name),
      });
      return;
    }
    conn.endpointOf = listener;
    conn.boundTo = listener.owner;
    this.s.connections.transition(conn, 'connected', {
      cause: `${listener.owner.job.label}'s anonymous listener`,
    });
  }

  deliverToEndpoint(message: QueuedMessage): void {
    const client = message.conn;
    const listener = client.endpointOf;
    if (!listener) return;
    const peer = client.other?.live ? client.other : this.acceptFromEndpoint(client, listener);
    if (this.s.channels.enabled) return this.s.channels.deliver(message, peer);
    this.s.delivery.handOver(message, peer);
  }

  private acceptFromEndpoint(client: Connection, listener: Connection): Connection {
    const instance = listener.owner;
    const ptr = this.s.pointers.allocate();
    const name = anonymous.peer(listener.ptr, client.owner.displayPid, ptr);
    const peer = new Connection(ptr, 'peer', instance, `p${this.s.nextMessageId++}`, name, false);
    instance.connections.set(peer.localId, peer);
    peer.endpointOf = listener;
    client.other = peer;
    peer.other = client;
    const clientPid = client.owner.displayPid;
    this.s.sendTo(instance, { t: 'peer', listener: listener.localId, conn: peer.localId, clientPid });
    this.s.connections.transition(peer, 'activating');
    const flags = { mach: false, listener: false, peer: true, name };
    this.s.log.libxpc(instance, libxpc.activating(ptr, flags), ptr);
    this.s.connections.transition(peer, 'connected', {
      cause: `accepted by ${instance.job.label}'s anonymous listener`,
    });
    return peer;
  }

  /** XPC-MODEL §1.2 rule 3: a connection from an endpoint is not rediscoverable, so it gets INVALID. */
  invalidateFromEndpoint(conn: Connection, detail: string): void {
    const cause = `${detail}; a connection made from an endpoint cannot be looked up again`;
    this.s.connections.invalidate(conn, {
      reason: invalidationReason.listenerGone,
      cause,
      nsError: nsErrorInvalid(conn.name),
    });
  }

  /** A cancelled listener takes its peers and the connections made from its endpoint with it (XPC-MODEL §1.2). */
  cancelListener(listener: Connection): void {
    for (const proc of this.s.procs) {
      for (const conn of proc.connections.values()) {
        if (conn.endpointOf !== listener || !conn.live) continue;
        if (conn.side === 'client')
          this.invalidateFromEndpoint(conn, `${listener.owner.job.label} cancelled the listener`);
        else
          this.s.connections.invalidate(conn, {
            reason: invalidationReason.cancelled,
            cause: 'its listener was cancelled',
          });
      }
    }
  }
}
