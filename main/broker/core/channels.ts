import type { ChannelFrame } from '../../helper/protocol';
import type { Proc } from '../launchd/process';
import type { BrokerState } from '../state';
import type { Connection, QueuedMessage } from './connection';
import { signingIdentity } from './policy/peer-requirement';

/**
 * A client's direct channel to the peer it is bound to. While the host makes it, the messages the broker
 * delivers wait here; they are written into the channel before its ends are handed over, so they arrive before
 * anything the client sends on it later.
 */
export interface ChannelBinding {
  peer: Connection;
  state: 'opening' | 'open' | 'abandoned';
  pending: QueuedMessage[];
  /** The highest id, in the client's own numbering, of the messages written into the channel for it. */
  injected: number;
}

/**
 * The broker's half of direct channels (docs/design.md, Performance shape): once a connection is brokered, the
 * host makes a channel, the broker writes what it holds into it and hands the two ends to the two helpers. From
 * then on their messages, replies and barriers travel on it; the broker hears of them through capture.
 */
export class Channels {
  constructor(private readonly s: BrokerState) {}

  get enabled(): boolean {
    return this.s.spawner.createChannel !== undefined;
  }

  /** Whether the client's messages now travel on a channel: one it sends through the broker goes back to it. */
  carries(client: Connection): boolean {
    const binding = client.channel;
    return binding?.state === 'open' && binding.peer === client.other && binding.peer.live;
  }

  /** Sends a message back to the client that sent it through the broker after its channel was made. */
  bounce(client: Connection, requesterMsgId: number): void {
    this.s.sendTo(client.owner, { t: 'bounce', conn: client.localId, id: requesterMsgId });
  }

  /** A message the broker delivers to a peer: it waits for the channel, which is made on the first. */
  deliver(message: QueuedMessage, peer: Connection): void {
    const client = message.conn;
    let binding = client.channel;
    if (!binding || binding.peer !== peer || binding.state === 'abandoned') {
      binding = { peer, state: 'opening', pending: [], injected: 0 };
      client.channel = binding;
      void this.open(client, binding);
    }
    if (binding.state === 'open') return this.bounce(client, message.requesterMsgId);
    binding.pending.push(message);
  }

  /** Whether a message of this connection still waits for its channel (a barrier waits for it too). */
  hasPending(conn: Connection): boolean {
    return (conn.channel?.pending.length ?? 0) > 0;
  }

  /** The connection ended: its waiting messages go nowhere. */
  drop(conn: Connection): void {
    if (conn.channel && conn.channel.state !== 'open') conn.channel.pending = [];
  }

  /** Requests written into a channel whose replies are not yet recorded, held by `proc`'s peers. */
  private async open(client: Connection, binding: ChannelBinding): Promise<void> {
    const { peer } = binding;
    const create = this.s.spawner.createChannel;
    if (!create) return;
    let pair: Awaited<ReturnType<typeof create>>;
    try {
      pair = await create.call(this.s.spawner);
    } catch (error) {
      binding.state = 'abandoned';
      const cause = `the host could not make a channel: ${error instanceof Error ? error.message : String(error)}`;
      this.s.connections.invalidate(client, {
        reason: 'the channel to the service could not be made',
        cause,
      });
      // Its peer would wait for a channel that never comes: it ends too, as when a client goes (XPC-MODEL §1.2 rule 2).
      if (peer.live) this.s.connections.invalidatePeer(peer, client.owner.displayPid, cause);
      return;
    }
    // Everything delivered while the channel was made goes into it first, in order.
    while (binding.pending.length > 0 && this.current(client, binding)) {
      const frames: ChannelFrame[] = [];
      for (const message of binding.pending.splice(0)) {
        if (!message.conn.live) continue;
        this.s.delivery.recordHandOver(message, peer);
        this.s.capture.expectReply(message, client.owner);
        binding.injected = Math.max(binding.injected, message.requesterMsgId);
        frames.push({
          t: 'm',
          id: message.requesterMsgId,
          body: message.body,
          expectsReply: message.expectsReply,
          ...(message.key ? { key: message.key } : {}),
        });
      }
      await pair.inject(frames);
    }
    if (!this.current(client, binding)) {
      binding.state = 'abandoned';
      pair.close();
      return;
    }
    binding.state = 'open';
    const listener = [...peer.owner.listeners.values()].find((l) => l.name === peer.service?.name && l.live);
    this.s.sendTo(
      peer.owner,
      {
        t: 'channel',
        conn: peer.localId,
        peerPid: client.owner.displayPid,
        peerIdentity: signingIdentity(client.owner.job),
        ...(listener?.requirement ? { requirement: listener.requirement } : {}),
      },
      pair.b,
    );
    this.s.sendTo(
      client.owner,
      {
        t: 'channel',
        conn: client.localId,
        peerPid: peer.owner.displayPid,
        injected: binding.injected,
        peerIdentity: signingIdentity(peer.owner.job),
        ...(client.requirement ? { requirement: client.requirement } : {}),
      },
      pair.a,
    );
  }

  private current(client: Connection, binding: ChannelBinding): boolean {
    const alive = (p: Proc) => p.state !== 'exited';
    return (
      client.channel === binding &&
      client.live &&
      client.other === binding.peer &&
      binding.peer.live &&
      alive(client.owner) &&
      alive(binding.peer.owner)
    );
  }
}
