import { measureBody } from '../broker/core/message-body';
import { checkRequirement } from '../broker/core/policy/requirement';
import { invalidationReason } from '../broker/logs';
import type { XpcError } from '../trace/schema';
import { type XpcDictionary, type XpcTag, xpcValueProblem } from '../trace/xpc-value';
import { Capture, now } from './capture';
import type { PeerChannel } from './channel';
import {
  type BrokerToHelper,
  BrokerToHelperSchema,
  type ChannelFrame,
  type HelperInit,
  type HelperToBroker,
} from './protocol';

/**
 * How a helper talks to the broker: process.send under child_process, parentPort under utilityProcess. A message
 * that hands the helper a direct channel arrives with that channel's end.
 */
export interface HelperTransport {
  send(message: HelperToBroker): void;
  onMessage(handler: (message: unknown, channel?: PeerChannel) => void): void;
}

/** Messages a client remembers having sent through the broker while it waits for its channel. */
const MAX_THROUGH_BROKER = 10_000;

type Waiting = {
  resolve: (b: XpcDictionary) => void;
  reject: (e: XpcConnectionError) => void;
  sentAt: number;
};
type ChannelMessage = Extract<BrokerToHelper, { t: 'channel' }>;

/** The error a reply handler or event handler receives (XPC-MODEL §1.2). */
export class XpcConnectionError extends Error {
  constructor(
    readonly error: XpcError,
    readonly reason?: string,
  ) {
    super(reason ? `${error}: ${reason}` : error);
  }
}

export type IncomingMessage = {
  body: XpcDictionary;
  /** Present when the sender expects a reply: call it exactly once. */
  reply?: (body: XpcDictionary) => void;
};

type ErrorHandler = (error: XpcConnectionError) => void;
type MessageHandler = (message: IncomingMessage) => void;

/**
 * One XPC connection as a helper script sees it, in the spirit of
 * xpc_connection_t: send, send with reply, an event handler for errors.
 */
export class HelperConnection {
  private readonly replies = new Map<number, Waiting>();
  private readonly errorHandlers: ErrorHandler[] = [];
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly barriers = new Map<number, () => void>();
  invalid: XpcConnectionError | undefined;
  /** The direct channel to the peer, once the broker has made one (docs/design.md, Performance shape). */
  private channel: PeerChannel | undefined;
  private channelInfo: ChannelMessage | undefined;
  /** Messages sent through the broker before the channel existed, until the broker says where each went. */
  private readonly throughBroker = new Map<number, ChannelFrame>();
  /** Frames (and barriers) waiting for the channel, or for the broker's word after the channel closed. */
  private held: (ChannelFrame | { t: 'barrier'; run: () => void })[] = [];
  /** The channel closed under a client of a named service: libxpc asks launchd before it says what that means. */
  private awaitingVerdict = false;

  constructor(
    private readonly sdk: HelperSdk,
    readonly id: string,
    readonly name: string,
    readonly peerPid?: number,
    /** A client made by name, a client made from an endpoint, or a peer a listener accepted (XPC-MODEL §1.2). */
    readonly kind: 'client' | 'endpoint' | 'peer' = 'client',
  ) {}

  onError(handler: ErrorHandler): this {
    this.errorHandlers.push(handler);
    return this;
  }

  onMessage(handler: MessageHandler): this {
    this.messageHandlers.push(handler);
    return this;
  }

  send(body: XpcDictionary): void {
    this.submit({ t: 'm', id: this.sdk.nextId(), body, expectsReply: false });
  }

  /** Resolves with the reply, or rejects with INTERRUPTED / INVALID (XPC-MODEL §1.3). */
  sendWithReply(body: XpcDictionary): Promise<XpcDictionary> {
    if (this.invalid) return Promise.reject(this.invalid);
    const id = this.sdk.nextId();
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject, sentAt: now() });
      this.submit({ t: 'm', id, body, expectsReply: true });
    });
  }

  cancel(): void {
    this.sdk.post({ t: 'cancel', conn: this.id });
    this.closeChannel();
  }

  /** xpc_connection_send_barrier: resolves once every message sent before it has been sent (XPC-MODEL §1.3). */
  sendBarrier(): Promise<void> {
    const id = this.sdk.nextId();
    return new Promise((resolve) => {
      if (this.invalid) return resolve();
      if (this.channel && this.held.length === 0 && this.throughBroker.size === 0) {
        // Every earlier message is already written to the channel.
        return resolve();
      }
      if (this.channel || this.awaitingVerdict || this.holdsForChannel()) {
        this.held.push({ t: 'barrier', run: () => resolve() });
        return;
      }
      this.barriers.set(id, resolve);
      this.sdk.post({ t: 'barrier', conn: this.id, id });
    });
  }

  /** Where a message goes: the channel, the held list, or the broker (which launches the service on demand). */
  private submit(frame: Extract<ChannelFrame, { t: 'm' }>): void {
    // A body the channel must not carry goes to the broker, which refuses it by XPC's rules (docs/security.md).
    const measured = this.sdk.channels ? measureBody(frame.body, this.sdk.maxMessageBytes) : undefined;
    if (measured?.ok) this.sizes.set(frame, measured.size);
    if (measured && !measured.ok) {
      this.sdk.post({
        t: 'send',
        conn: this.id,
        id: frame.id,
        body: frame.body,
        expectsReply: frame.expectsReply,
      });
      return;
    }
    if (this.channel && this.held.length === 0 && this.throughBroker.size === 0) return this.write(frame);
    if (this.channel || this.awaitingVerdict || this.holdsForChannel()) {
      this.held.push(frame);
      return;
    }
    // Kept until the channel says whether the broker wrote it there; bounded, as a service may never answer.
    if (this.sdk.channels) {
      this.throughBroker.set(frame.id, frame);
      if (this.throughBroker.size > MAX_THROUGH_BROKER) {
        const oldest = this.throughBroker.keys().next().value;
        if (oldest !== undefined) this.throughBroker.delete(oldest);
      }
    }
    this.sdk.post({
      t: 'send',
      conn: this.id,
      id: frame.id,
      body: frame.body,
      expectsReply: frame.expectsReply,
    });
  }

  /** A peer's messages wait for its channel, which the broker sends right after the peer. */
  private holdsForChannel(): boolean {
    return this.sdk.channels && this.kind === 'peer';
  }

  private write(frame: ChannelFrame): void {
    this.channel?.send(frame);
    if (frame.t !== 'm') return;
    this.sdk.capture.sent(this.id, frame, this.sizes.get(frame));
    this.sizes.delete(frame);
  }

  /** Each outgoing message's size, measured once when it was sent. */
  private readonly sizes = new WeakMap<ChannelFrame, number>();

  /** @internal The broker made the channel: what it already wrote into it for us is delivered from there. */
  attachChannel(message: ChannelMessage, channel: PeerChannel): void {
    if (this.invalid) return channel.close();
    this.channel?.close();
    this.channel = channel;
    this.channelInfo = message;
    this.checkPeer(message);
    this.awaitingVerdict = false;
    for (const id of this.throughBroker.keys())
      if (id <= (message.injected ?? 0)) this.throughBroker.delete(id);
    channel.onFrame((frame) => this.receiveFrame(frame));
    channel.onClose((problem) => this.channelClosed(channel, problem));
    this.drain();
  }

  /** @internal A message the broker refused because the channel now carries this connection's messages. */
  bounced(id: number): void {
    const frame = this.throughBroker.get(id);
    if (!frame || !this.channel) return;
    this.throughBroker.delete(id);
    this.write(frame);
    this.drain();
  }

  private drain(): void {
    if (!this.channel || this.throughBroker.size > 0) return;
    const held = this.held;
    this.held = [];
    for (const item of held) {
      if (item.t === 'barrier') item.run();
      else this.write(item);
    }
  }

  private receiveFrame(frame: ChannelFrame): void {
    if (this.invalid) return;
    const forbidden = this.refusal;
    const problem = xpcValueProblem(frame.body);
    if (problem) {
      this.sdk.capture.broken(this.id, `the peer sent ${problem}`);
      this.channel?.close();
      return;
    }
    if (frame.t === 'm') {
      if (forbidden) return this.sdk.capture.forbidden(this.id, forbidden);
      return this.deliver(frame.id, frame.body as XpcDictionary, frame.expectsReply, 'channel');
    }
    const waiting = this.replies.get(frame.to);
    if (!waiting) return;
    this.replies.delete(frame.to);
    if (forbidden) {
      // XPC-MODEL §1.5: a reply that fails the requirement reaches the reply handler as an error.
      this.sdk.capture.forbidden(this.id, forbidden, frame.to);
      waiting.reject(new XpcConnectionError('XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT'));
      return;
    }
    this.sdk.capture.replied(this.id, frame, waiting.sentAt);
    waiting.resolve(frame.body as XpcDictionary);
  }

  /**
   * XPC-MODEL §1.5: the requirement is checked against every incoming message, in the receiving process. The
   * peer's signature cannot change while the channel lasts, so the outcome is worked out once per channel.
   */
  private refusal: { requirement: string; status: number; message: string } | undefined;

  private checkPeer(info: ChannelMessage): void {
    const requirement = info.requirement;
    const check = requirement ? checkRequirement(requirement, info.peerIdentity) : undefined;
    this.refusal =
      requirement && check && !check.ok
        ? { requirement, status: check.status, message: check.message }
        : undefined;
  }

  /**
   * The other end closed: its process died, or it cancelled. A peer's client is gone for good (XPC-MODEL §1.2
   * rule 2), and so is an endpoint's listener (rule 3). A client of a named service waits for launchd's word:
   * re-initialisation decides between INTERRUPTED and INVALID (rule 1, §10.2).
   */
  private channelClosed(channel: PeerChannel, problem?: string): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    if (problem) this.sdk.capture.broken(this.id, problem);
    if (this.invalid) return;
    if (this.kind === 'client') {
      this.awaitingVerdict = true;
      return;
    }
    const reason =
      this.kind === 'peer'
        ? invalidationReason.clientGone(this.channelInfo?.peerPid ?? this.peerPid ?? 0)
        : invalidationReason.listenerGone;
    this.fail('XPC_ERROR_CONNECTION_INVALID', reason, `the channel to the peer closed: ${reason}`);
  }

  private closeChannel(): void {
    const channel = this.channel;
    this.channel = undefined;
    channel?.close();
  }

  /** The error event: reply handlers still waiting get the error once, then the event handler (XPC-MODEL §1.2). */
  private fail(error: XpcError, reason: string | undefined, cause: string): void {
    const connectionError = new XpcConnectionError(error, reason);
    if (error === 'XPC_ERROR_CONNECTION_INVALID') {
      this.invalid = connectionError;
      this.closeChannel();
      this.throughBroker.clear();
    }
    if (this.sdk.channels) {
      // The queue is unwound (XPC-MODEL §1.2): waiting reply handlers get the error, unsent messages are disposed of.
      for (const [to, waiting] of this.replies) {
        this.sdk.capture.failed(this.id, to, error, cause);
        waiting.reject(connectionError);
      }
      this.replies.clear();
      for (const item of this.held.splice(0)) if (item.t === 'barrier') item.run();
      this.throughBroker.clear();
    }
    for (const handler of this.errorHandlers) handler(connectionError);
  }

  /** @internal */
  dispatch(message: BrokerToHelper): void {
    switch (message.t) {
      case 'message':
        return this.deliver(message.id, message.body as XpcDictionary, message.expectsReply, 'broker');
      case 'reply':
        return this.settle(message.to, (r) => r.resolve(message.body as XpcDictionary));
      case 'replyError':
        return this.settle(message.to, (r) => r.reject(new XpcConnectionError(message.error)));
      case 'barrier':
        this.barriers.get(message.id)?.();
        this.barriers.delete(message.id);
        return;
      case 'bounce':
        return this.bounced(message.id);
      case 'event': {
        if (message.error === 'XPC_ERROR_TERMINATION_IMMINENT') {
          const error = new XpcConnectionError(message.error, message.reason);
          for (const handler of this.errorHandlers) handler(error);
          return;
        }
        // The channel may have told this end already (rule 2, rule 3): the handler never fires again.
        if (this.invalid) return;
        const cause = message.cause ?? message.reason ?? message.error;
        if (message.error === 'XPC_ERROR_CONNECTION_INTERRUPTED') {
          this.closeChannel();
          this.awaitingVerdict = false;
          this.fail(message.error, message.reason, cause);
          return;
        }
        this.fail(message.error, message.reason, cause);
        return;
      }
    }
  }

  /** A reply goes back the way its request came: on the channel, or through the broker. */
  private deliver(id: number, body: XpcDictionary, expectsReply: boolean, via: 'channel' | 'broker'): void {
    let replied = false;
    const reply = expectsReply
      ? (replyBody: XpcDictionary) => {
          if (replied) return;
          replied = true;
          const replyId = this.sdk.nextId();
          if (via === 'channel') {
            this.channel?.send({ t: 'r', to: id, id: replyId, body: replyBody });
            this.sdk.capture.replySent(this.id, replyBody);
          } else this.sdk.post({ t: 'reply', conn: this.id, to: id, id: replyId, body: replyBody });
        }
      : undefined;
    for (const handler of this.messageHandlers) handler(reply ? { body, reply } : { body });
  }

  private settle(id: number, fn: (r: Waiting) => void): void {
    const waiting = this.replies.get(id);
    if (!waiting) return;
    this.replies.delete(id);
    fn(waiting);
  }
}

export class HelperListener {
  private readonly peerHandlers: ((peer: HelperConnection) => void)[] = [];
  failed: number | undefined;
  private endpointValue: XpcTag | undefined;
  private readonly endpointWaiters: ((endpoint: XpcTag) => void)[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  onPeer(handler: (peer: HelperConnection) => void): this {
    this.peerHandlers.push(handler);
    return this;
  }

  /** @internal */
  accept(peer: HelperConnection): void {
    for (const handler of this.peerHandlers) handler(peer);
  }

  /** xpc_endpoint_create: an anonymous listener's endpoint, to put in a message (XPC-MODEL §1.1). */
  endpoint(): Promise<XpcTag> {
    if (this.endpointValue) return Promise.resolve(this.endpointValue);
    return new Promise((resolve) => this.endpointWaiters.push(resolve));
  }

  /** @internal */
  setEndpoint(v: string): void {
    this.endpointValue = { $xpc: 'endpoint', v };
    for (const waiter of this.endpointWaiters.splice(0)) waiter(this.endpointValue);
  }
}

/** The small SDK a helper script is written against: connect, listen, send, reply, transactions. */
export class HelperSdk {
  private counter = 0;
  private readonly connections = new Map<string, HelperConnection>();
  private readonly listeners = new Map<string, HelperListener>();
  private readonly initHandlers: ((init: HelperInit) => void)[] = [];
  init: HelperInit | undefined;
  /** What this helper records on its channels, sent to the broker in batches. */
  readonly capture: Capture;

  constructor(private readonly transport: HelperTransport) {
    this.capture = new Capture((batch) => this.transport.send(batch));
    transport.onMessage((raw, channel) => this.receive(raw, channel));
  }

  /** @internal The largest body a message may have (the broker's limit). */
  get maxMessageBytes(): number {
    return this.init?.maxMessageBytes ?? 1024 * 1024;
  }

  /** @internal Whether messages go on direct channels (the host makes them) or through the broker. */
  get channels(): boolean {
    return this.init?.channels ?? false;
  }

  /** @internal */
  nextId(): number {
    return ++this.counter;
  }

  /** @internal */
  post(message: HelperToBroker): void {
    // What this helper recorded before goes first: the broker sees its records and its requests in its own order.
    this.capture.flush();
    this.transport.send({ ...message, at: now() });
  }

  onInit(handler: (init: HelperInit) => void): void {
    if (this.init) handler(this.init);
    else this.initHandlers.push(handler);
  }

  /**
   * xpc_connection_create_mach_service(name, q, privileged ? PRIVILEGED : 0), with an optional
   * xpc_connection_set_peer_code_signing_requirement, activated.
   */
  connect(name: string, options: { privileged?: boolean; requirement?: string } = {}): HelperConnection {
    const conn = new HelperConnection(this, `c${this.nextId()}`, name);
    this.connections.set(conn.id, conn);
    const requirement = options.requirement ? { requirement: options.requirement } : {};
    this.post({ t: 'connect', conn: conn.id, name, privileged: options.privileged ?? false, ...requirement });
    return conn;
  }

  /** xpc_connection_create_from_endpoint, activated. */
  connectEndpoint(endpoint: XpcTag): HelperConnection {
    const conn = new HelperConnection(this, `c${this.nextId()}`, 'endpoint', undefined, 'endpoint');
    this.connections.set(conn.id, conn);
    this.post({ t: 'connectEndpoint', conn: conn.id, endpoint: 'v' in endpoint ? String(endpoint.v) : '' });
    return conn;
  }

  /** xpc_connection_create(NULL, q): an anonymous listener, reachable only through its endpoint. */
  anonymousListener(): HelperListener {
    const listener = new HelperListener(`l${this.nextId()}`, 'anonymous');
    this.listeners.set(listener.id, listener);
    this.post({ t: 'listen', listener: listener.id });
    return listener;
  }

  /** xpc_connection_create_mach_service(name, q, LISTENER): checks the name in with launchd. */
  listen(name: string, options: { requirement?: string } = {}): HelperListener {
    const existing = [...this.listeners.values()].find((l) => l.name === name);
    if (existing) return existing;
    const listener = new HelperListener(`l${this.nextId()}`, name);
    this.listeners.set(listener.id, listener);
    const requirement = options.requirement ? { requirement: options.requirement } : {};
    this.post({ t: 'checkIn', listener: listener.id, name, ...requirement });
    return listener;
  }

  transactionBegin(): void {
    this.post({ t: 'transaction', delta: 1 });
  }

  transactionEnd(): void {
    this.post({ t: 'transaction', delta: -1 });
  }

  log(text: string): void {
    this.post({ t: 'log', text });
  }

  private receive(raw: unknown, channel?: PeerChannel): void {
    const parsed = BrokerToHelperSchema.safeParse(raw);
    if (!parsed.success) {
      channel?.close();
      return;
    }
    const message = parsed.data;
    switch (message.t) {
      case 'init':
        this.init = message;
        this.capture.payloads = message.payloads;
        this.capture.countsOnly = message.counts;
        this.capture.setBudget(message.captureBudget);
        for (const handler of this.initHandlers.splice(0)) handler(message);
        return;
      case 'peer': {
        const listener = this.listeners.get(message.listener);
        if (!listener) return;
        const peer = new HelperConnection(this, message.conn, listener.name, message.clientPid, 'peer');
        this.connections.set(peer.id, peer);
        listener.accept(peer);
        return;
      }
      case 'listenerFailed': {
        const listener = this.listeners.get(message.listener);
        if (listener) listener.failed = message.errno;
        return;
      }
      case 'endpoint':
        this.listeners.get(message.listener)?.setEndpoint(message.endpoint);
        return;
      case 'capture':
        this.capture.payloads = message.payloads;
        this.capture.countsOnly = message.counts;
        return;
      case 'channel': {
        const conn = this.connections.get(message.conn);
        if (conn && channel) conn.attachChannel(message, channel);
        else channel?.close();
        return;
      }
      default:
        this.connections.get(message.conn)?.dispatch(message);
    }
  }
}
