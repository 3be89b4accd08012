import type { ReconnectPolicy } from '../world/model';
import type { HelperConnection, HelperSdk, XpcConnectionError } from './sdk';

/**
 * A client connection that follows a ReconnectPolicy (XPC-MODEL §1.2): after
 * INTERRUPTED the same connection is still usable, so the client only
 * resynchronises; after INVALID it is dead, so a new connection is made (a
 * fresh bootstrap look-up), with a back-off.
 */
export class ReconnectingClient {
  conn: HelperConnection;
  private failures = 0;

  constructor(
    private readonly sdk: HelperSdk,
    private readonly service: string,
    private readonly privileged: boolean,
    private readonly policy: ReconnectPolicy,
    /** Sends whatever the client needs the service to know again. */
    private readonly resync: () => void,
  ) {
    this.conn = this.open();
  }

  /** A reply came back: the service works, so the next failure starts the back-off afresh. */
  succeeded(): void {
    this.failures = 0;
  }

  private open(): HelperConnection {
    const conn = this.sdk.connect(this.service, { privileged: this.privileged });
    conn.onError((error) => this.onError(conn, error));
    return conn;
  }

  private onError(conn: HelperConnection, error: XpcConnectionError): void {
    if (conn !== this.conn) return;
    if (error.error === 'XPC_ERROR_CONNECTION_INTERRUPTED') {
      if (this.policy.onInterrupted === 'resync') setTimeout(() => this.resync(), this.policy.delayMs);
      return;
    }
    if (error.error !== 'XPC_ERROR_CONNECTION_INVALID' || this.policy.onInvalid === 'give-up') return;
    this.failures++;
    const { maxAttempts, delayMs, backoff, maxDelayMs } = this.policy;
    if (maxAttempts > 0 && this.failures > maxAttempts) {
      this.sdk.log(`gave up on ${this.service} after ${maxAttempts} reconnects`);
      return;
    }
    const wait = Math.min(maxDelayMs, delayMs * backoff ** (this.failures - 1));
    setTimeout(() => {
      this.conn = this.open();
      this.resync();
    }, wait);
  }
}

/** The policy poll used before policies existed: reconnectAfterMs after INVALID, nothing after INTERRUPTED. */
export function pollPolicy(reconnectAfterMs: number): ReconnectPolicy {
  return {
    onInterrupted: 'ignore',
    onInvalid: reconnectAfterMs > 0 ? 'reconnect' : 'give-up',
    delayMs: reconnectAfterMs,
    backoff: 1,
    maxDelayMs: reconnectAfterMs,
    maxAttempts: 0,
  };
}

/** The policy subscribe used before policies existed: resend the subscription 250 ms after INTERRUPTED. */
export const SUBSCRIBE_POLICY: ReconnectPolicy = {
  onInterrupted: 'resync',
  onInvalid: 'give-up',
  delayMs: 250,
  backoff: 1,
  maxDelayMs: 250,
  maxAttempts: 0,
};
