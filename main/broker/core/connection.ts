import type { ConnectionSide, ConnectionState, XpcError } from '../../trace/schema';
import type { Proc } from '../launchd/process';
import type { ChannelBinding } from './channels';
import type { ServiceEntry } from './namespace';

/** A request waiting for its reply (XPC-MODEL §1.3: the handler runs exactly once). */
export interface PendingReply {
  id: number;
  /** The connection the request was sent on, and the id the requester gave it. */
  conn: Connection;
  requesterMsgId: number;
  sentAt: number;
  key?: string;
}

/** A message sent before the service checked in: delivered once the listener activates (XPC-MODEL §8.9). */
export interface QueuedMessage {
  conn: Connection;
  id: number;
  requesterMsgId: number;
  body: Record<string, unknown>;
  expectsReply: boolean;
  size: number;
  key?: string;
}

/**
 * One end of an XPC connection, held by one process. A client connection made
 * by name has, once a message reaches the service, a peer connection in the
 * service's process.
 */
export class Connection {
  state: ConnectionState = 'inactive';
  error: XpcError | undefined;
  reason: string | undefined;
  /** The other end: a client's peer in the service process, or a peer's client. */
  other: Connection | undefined;
  /** The service this client connection resolved to. */
  service: ServiceEntry | undefined;
  /** The service process instance this connection is currently bound to. */
  boundTo: Proc | undefined;
  /** The peer code-signing requirement set before activation (XPC-MODEL §1.5). */
  requirement: string | undefined;
  /** For a connection made from an endpoint: the anonymous listener it leads to (XPC-MODEL §1.2 rule 3). */
  endpointOf: Connection | undefined;
  /** A client's direct channel to its peer (main/broker/core/channels.ts). */
  channel: ChannelBinding | undefined;
  /** A peer's requests received on its channel and not yet answered, as capture reports them. */
  openRequests: number | undefined;

  constructor(
    readonly ptr: string,
    readonly side: ConnectionSide,
    readonly owner: Proc,
    readonly localId: string,
    readonly name: string,
    readonly privileged: boolean,
  ) {}

  get live(): boolean {
    return this.state !== 'invalidated';
  }
}
