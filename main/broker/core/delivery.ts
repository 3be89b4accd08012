import type { HelperToBroker } from '../../helper/protocol';
import type { Proc } from '../launchd/process';
import { libxpc } from '../logs';
import type { BrokerState } from '../state';
import { Connection, type QueuedMessage } from './connection';
import { keyOf, measureBody } from './message-body';
import type { ServiceEntry } from './namespace';

type Send = Extract<HelperToBroker, { t: 'send' }>;

/**
 * Messages on their way: from a client to its service's instance, launched on
 * demand and waited for until it checks in, and from a peer back to its client.
 */
export class Delivery {
  constructor(private readonly s: BrokerState) {}

  send(proc: Proc, m: Send): void {
    const conn = proc.connections.get(m.conn);
    if (!conn) return this.s.connections.rejectMalformed(proc, m, `no connection ${m.conn}`);
    if (conn.side === 'listener') {
      this.s.log.libxpc(proc, libxpc.listenerMessage(), conn.ptr);
      return;
    }
    const measured = measureBody(m.body, this.s.maxMessageBytes);
    if (!measured.ok) return this.s.connections.rejectMalformed(proc, m, measured.problem);
    const { body, size } = measured;
    if (!conn.live) return this.refuse(conn, m);
    // Sent before the client had its channel, and arrived after: it goes back to travel on the channel, in order.
    if (conn.side === 'client' && this.s.channels.carries(conn)) return this.s.channels.bounce(conn, m.id);
    const message: QueuedMessage = {
      conn,
      id: this.s.nextMessageId++,
      requesterMsgId: m.id,
      body,
      expectsReply: m.expectsReply,
      size,
      ...keyOf(body),
    };
    if (conn.side === 'peer') return this.deliverToClient(message);
    if (conn.endpointOf) return this.s.anonymous.deliverToEndpoint(message);
    if (conn.state === 'interrupted') {
      // XPC-MODEL §1.2 rule 1: the next send re-looks up the name and relaunches on demand.
      const service = this.s.lookup.reconnect(conn);
      if (!service) return this.refuse(conn, m);
      this.s.connections.transition(conn, 'connected', {
        cause: `message sent after interruption; ${service.name} resolved again`,
      });
    }
    this.deliverToService(message);
  }

  /** A request sent on an invalid connection gets its reply handler's INVALID at once. */
  private refuse(conn: Connection, m: Send): void {
    if (!m.expectsReply) return;
    this.s.sendTo(conn.owner, {
      t: 'replyError',
      conn: conn.localId,
      to: m.id,
      error: 'XPC_ERROR_CONNECTION_INVALID',
    });
  }

  private deliverToService(message: QueuedMessage): void {
    const service = message.conn.service;
    if (!service) return;
    let instance = this.s.instanceFor(service);
    // XPC-MODEL §4.1 ThrottleInterval: while a KeepAlive respawn is scheduled, messages wait for it.
    const throttled = (!instance || instance.state === 'exited') && this.s.keepAlive.isScheduled(service.job);
    if (!throttled && (!instance || instance.state === 'exited')) {
      instance = this.s.jobs.spawn(service.job, 'ipc (mach)', this.s.ownerOf(service));
    }
    // An instance told TERMINATION_IMMINENT takes no new messages (XPC-MODEL §1.2); they wait with the name.
    if (!instance || throttled || !instance.checkedIn.has(service.name) || instance.endingBecause) {
      this.s.waiting.enqueue(service, message);
      return;
    }
    this.deliver(message, instance, service);
  }

  flushQueue(service: ServiceEntry, instance: Proc): void {
    for (const message of this.s.waiting.take(service)) {
      if (message.conn.live) this.deliver(message, instance, service);
      // Invalidated during this flush (a dropped check-in): its reply handler still runs once.
      else if (message.expectsReply) {
        const error = 'XPC_ERROR_CONNECTION_INVALID';
        this.s.replies.failRequest(
          message.conn,
          message.requesterMsgId,
          message.id,
          error,
          'the connection was invalidated',
        );
      }
    }
  }

  private ensurePeer(client: Connection, instance: Proc, service: ServiceEntry): Connection | undefined {
    if (client.other?.live && client.boundTo === instance) return client.other;
    const listener = [...instance.listeners.values()].find((l) => l.name === service.name && l.live);
    if (!listener) return undefined;
    // XPC-MODEL §10.2: a peer's name ends in its own pointer, `com.example.svc.peer[948].0x71ccdd080`.
    const ptr = this.s.pointers.allocate();
    const peerName = `${service.name}.peer[${client.owner.displayPid}].${ptr}`;
    const peer = new Connection(ptr, 'peer', instance, `p${this.s.nextMessageId++}`, peerName, false);
    instance.connections.set(peer.localId, peer);
    client.boundTo = instance;
    client.other = peer;
    peer.other = client;
    peer.service = service;
    this.s.sendTo(instance, {
      t: 'peer',
      listener: listener.localId,
      conn: peer.localId,
      clientPid: client.owner.displayPid,
    });
    this.s.connections.transition(peer, 'activating');
    this.s.log.libxpc(
      instance,
      libxpc.activating(peer.ptr, { mach: false, listener: false, peer: true, name: peerName }),
      peer.ptr,
    );
    this.s.connections.transition(peer, 'connected', { cause: `accepted by ${service.job.label}` });
    return peer;
  }

  private deliver(message: QueuedMessage, instance: Proc, service: ServiceEntry): void {
    const client = message.conn;
    if (!this.s.requirements.passesListenerRequirement(message, instance, service)) return;
    const peer = this.ensurePeer(client, instance, service);
    if (!peer) {
      this.s.emit({
        kind: 'message.dropped',
        conn: client.ptr,
        pid: client.owner.displayPid,
        reason: `${service.name} has no active listener`,
      });
      return;
    }
    if (this.s.channels.enabled) return this.s.channels.deliver(message, peer);
    this.handOver(message, peer);
  }

  /** The service process takes a client's message: counted, its lifecycle touched, recorded. */
  recordHandOver(message: QueuedMessage, peer: Connection): void {
    const instance = peer.owner;
    instance.messagesReceived++;
    instance.lastActivity = this.s.clock.now();
    this.s.lifecycle.touch(instance);
    this.recordMessage(message, message.conn.owner, instance, 'send');
  }

  /** Passes a client's message to its peer connection in the service process. */
  handOver(message: QueuedMessage, peer: Connection): void {
    const instance = peer.owner;
    if (message.expectsReply) this.s.replies.expect(message);
    this.recordHandOver(message, peer);
    this.s.sendTo(instance, {
      t: 'message',
      conn: peer.localId,
      id: message.id,
      body: message.body,
      expectsReply: message.expectsReply,
    });
  }

  /** A message the service pushes to its client on the peer connection. */
  private deliverToClient(message: QueuedMessage): void {
    const peer = message.conn;
    const client = peer.other;
    if (!client?.live) {
      this.s.emit({
        kind: 'message.dropped',
        conn: peer.ptr,
        pid: peer.owner.displayPid,
        reason: 'the client connection is gone',
      });
      return;
    }
    if (!this.s.requirements.passesClientRequirement(client, peer.owner)) return;
    if (message.expectsReply) this.s.replies.expect(message);
    this.recordMessage(message, peer.owner, client.owner, 'event');
    this.s.sendTo(client.owner, {
      t: 'message',
      conn: client.localId,
      id: message.id,
      body: message.body,
      expectsReply: message.expectsReply,
    });
  }

  recordMessage(
    m: QueuedMessage,
    from: Proc,
    to: Proc,
    dir: 'send' | 'reply' | 'event',
    extra: { replyTo?: number; latencyMs?: number } = {},
  ): void {
    this.s.emit({
      kind: 'message',
      id: m.id,
      conn: m.conn.ptr,
      from: from.displayPid,
      to: to.displayPid,
      dir,
      size: m.size,
      expectsReply: m.expectsReply,
      ...extra,
      ...(m.key ? { key: m.key } : {}),
      ...(this.s.capturePayloads ? { payload: m.body as never } : {}),
    });
  }

  /** XPC-MODEL §1.3: a barrier runs once nothing sent before it on its connection is still waiting. */
  settleBarriers(): void {
    this.s.barriers.settle(
      (conn) => this.s.channels.hasPending(conn) || this.s.waiting.has(conn),
      (conn, id) => this.s.sendTo(conn.owner, { t: 'barrier', conn: conn.localId, id }),
    );
  }
}
