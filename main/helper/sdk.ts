import type { XpcError } from '../trace/schema';
import type { XpcDictionary, XpcTag } from '../trace/xpc-value';
import { type BrokerToHelper, BrokerToHelperSchema, type HelperInit, type HelperToBroker } from './protocol';

/** How a helper talks to the broker: process.send under child_process, parentPort under utilityProcess. */
export interface HelperTransport {
  send(message: HelperToBroker): void;
  onMessage(handler: (message: unknown) => void): void;
}

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
  private readonly replies = new Map<
    number,
    { resolve: (b: XpcDictionary) => void; reject: (e: XpcConnectionError) => void }
  >();
  private readonly errorHandlers: ErrorHandler[] = [];
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly barriers = new Map<number, () => void>();
  invalid: XpcConnectionError | undefined;

  constructor(
    private readonly sdk: HelperSdk,
    readonly id: string,
    readonly name: string,
    readonly peerPid?: number,
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
    this.sdk.post({ t: 'send', conn: this.id, id: this.sdk.nextId(), body, expectsReply: false });
  }

  /** Resolves with the reply, or rejects with INTERRUPTED / INVALID (XPC-MODEL §1.3). */
  sendWithReply(body: XpcDictionary): Promise<XpcDictionary> {
    if (this.invalid) return Promise.reject(this.invalid);
    const id = this.sdk.nextId();
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.sdk.post({ t: 'send', conn: this.id, id, body, expectsReply: true });
    });
  }

  cancel(): void {
    this.sdk.post({ t: 'cancel', conn: this.id });
  }

  /** xpc_connection_send_barrier: resolves once every message sent before it has been sent (XPC-MODEL §1.3). */
  sendBarrier(): Promise<void> {
    const id = this.sdk.nextId();
    return new Promise((resolve) => {
      this.barriers.set(id, resolve);
      this.sdk.post({ t: 'barrier', conn: this.id, id });
    });
  }

  /** @internal */
  dispatch(message: BrokerToHelper): void {
    switch (message.t) {
      case 'message':
        return this.deliver(message.id, message.body as XpcDictionary, message.expectsReply);
      case 'reply':
        return this.settle(message.to, (r) => r.resolve(message.body as XpcDictionary));
      case 'replyError':
        return this.settle(message.to, (r) => r.reject(new XpcConnectionError(message.error)));
      case 'barrier':
        this.barriers.get(message.id)?.();
        this.barriers.delete(message.id);
        return;
      case 'event': {
        const error = new XpcConnectionError(message.error, message.reason);
        if (message.error === 'XPC_ERROR_CONNECTION_INVALID') this.invalid = error;
        for (const handler of this.errorHandlers) handler(error);
        return;
      }
    }
  }

  private deliver(id: number, body: XpcDictionary, expectsReply: boolean): void {
    let replied = false;
    const reply = expectsReply
      ? (replyBody: XpcDictionary) => {
          if (replied) return;
          replied = true;
          this.sdk.post({ t: 'reply', conn: this.id, to: id, id: this.sdk.nextId(), body: replyBody });
        }
      : undefined;
    for (const handler of this.messageHandlers) handler(reply ? { body, reply } : { body });
  }

  private settle(
    id: number,
    fn: (r: { resolve: (b: XpcDictionary) => void; reject: (e: XpcConnectionError) => void }) => void,
  ): void {
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

  constructor(private readonly transport: HelperTransport) {
    transport.onMessage((raw) => this.receive(raw));
  }

  /** @internal */
  nextId(): number {
    return ++this.counter;
  }

  /** @internal */
  post(message: HelperToBroker): void {
    this.transport.send({ ...message, at: performance.timeOrigin + performance.now() });
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
    const conn = new HelperConnection(this, `c${this.nextId()}`, 'endpoint');
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

  private receive(raw: unknown): void {
    const parsed = BrokerToHelperSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.t) {
      case 'init':
        this.init = message;
        for (const handler of this.initHandlers.splice(0)) handler(message);
        return;
      case 'peer': {
        const listener = this.listeners.get(message.listener);
        if (!listener) return;
        const peer = new HelperConnection(this, message.conn, listener.name, message.clientPid);
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
      default:
        this.connections.get(message.conn)?.dispatch(message);
    }
  }
}
