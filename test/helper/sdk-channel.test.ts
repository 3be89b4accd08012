import { afterEach, describe, expect, it } from 'vitest';
import { SocketChannel } from '../../main/helper/channel';
import type { BrokerToHelper, HelperToBroker } from '../../main/helper/protocol';
import { type HelperConnection, HelperSdk, type XpcConnectionError } from '../../main/helper/sdk';
import { SocketPairs, socketOf } from '../../main/hosts/headless/socket-pairs';
import type { XpcDictionary } from '../../main/trace/xpc-value';

/** A helper runtime the test plays the broker for: what it posts is kept, what the broker says is handed in. */
class Runtime {
  readonly posted: HelperToBroker[] = [];
  private deliver: (message: unknown, channel?: SocketChannel) => void = () => {};
  readonly sdk = new HelperSdk({
    send: (m) => this.posted.push(m),
    onMessage: (handler) => {
      this.deliver = handler;
    },
  });

  constructor(label: string) {
    this.say({
      t: 'init',
      label,
      domain: 'system',
      machServices: [],
      behaviours: [],
      channels: true,
    } as never);
  }

  say(message: BrokerToHelper | Record<string, unknown>, channel?: SocketChannel): void {
    this.deliver(message, channel);
  }

  records() {
    return this.posted.flatMap((m) => (m.t === 'capture' ? m.records : []));
  }
}

let pairs = new SocketPairs();
afterEach(() => {
  pairs.dispose();
  pairs = new SocketPairs();
});

async function channelPair(): Promise<[SocketChannel, SocketChannel]> {
  const pair = await pairs.create();
  const a = socketOf(pair.a);
  const b = socketOf(pair.b);
  if (!a || !b) throw new Error('no sockets');
  return [new SocketChannel(a), new SocketChannel(b)];
}

/** A client connected by name and the peer its service accepted, joined by a real socket pair. */
async function joined(options: { requirement?: string; clientIdentity?: object } = {}) {
  const client = new Runtime('com.example.app');
  const service = new Runtime('com.example.daemon');
  const conn = client.sdk.connect('com.example.daemon');
  let peer: HelperConnection | undefined;
  service.sdk.listen('com.example.daemon').onPeer((p) => {
    peer = p;
  });
  const listener = service.posted.find((m) => m.t === 'checkIn');
  if (listener?.t !== 'checkIn') throw new Error('no check-in');
  service.say({ t: 'peer', listener: listener.listener, conn: 'p1', clientPid: 4242 });
  if (!peer) throw new Error('no peer');
  const [a, b] = await channelPair();
  service.say(
    {
      t: 'channel',
      conn: 'p1',
      peerPid: 4242,
      ...(options.requirement ? { requirement: options.requirement } : {}),
      ...(options.clientIdentity ? { peerIdentity: options.clientIdentity } : {}),
    },
    b,
  );
  client.say({ t: 'channel', conn: conn.id, peerPid: 777, injected: 0 }, a);
  return { client, service, conn, peer, a, b };
}

const until = async (what: string, ok: () => boolean, ms = 3000) => {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('a helper runtime on a direct channel', () => {
  it('carries a request and its reply from helper to helper; the broker hears of both only through capture', async () => {
    const { client, service, conn, peer } = await joined();
    peer.onMessage(({ body, reply }) => reply?.({ echo: body.n as number }));
    const answer = await conn.sendWithReply({ selector: 'ping', n: 7 } as XpcDictionary);
    expect(answer).toEqual({ echo: 7 });
    expect(client.posted.some((m) => m.t === 'send')).toBe(false);
    expect(service.posted.some((m) => m.t === 'reply')).toBe(false);
    await until('the client to record both ends', () => client.records().length >= 2);
    const [sent, replied] = client.records();
    expect(sent).toMatchObject({ k: 'send', conn: conn.id, expectsReply: true, key: 'ping' });
    expect(replied).toMatchObject({ k: 'reply', conn: conn.id, to: sent && 'id' in sent ? sent.id : -1 });
  });

  it('a peer sees its client die through the channel closing: INVALID, with libxpc reason, and no word from the broker', async () => {
    const { peer, a } = await joined();
    const errors: XpcConnectionError[] = [];
    peer.onError((e) => errors.push(e));
    a.close();
    await until('the peer to hear', () => errors.length > 0);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBe('XPC_ERROR_CONNECTION_INVALID');
    expect(errors[0]?.reason).toBe('the client process (pid 4242) either cancelled the connection or exited');
    expect(peer.invalid).toBeDefined();
  });

  it("a client of a named service waits for launchd's word after the channel closes; INTERRUPTED fails what was in flight, once", async () => {
    const { client, conn, peer, b } = await joined();
    peer.onMessage(() => {});
    const errors: string[] = [];
    conn.onError((e) => errors.push(e.error));
    const inFlight = conn.sendWithReply({ selector: 'slow' });
    await until('the request to be written', () => client.records().some((r) => r.k === 'send'));
    b.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toEqual([]);
    client.say({
      t: 'event',
      conn: conn.id,
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      cause: 'the daemon crashed',
    });
    await expect(inFlight).rejects.toMatchObject({ error: 'XPC_ERROR_CONNECTION_INTERRUPTED' });
    expect(errors).toEqual(['XPC_ERROR_CONNECTION_INTERRUPTED']);
    await until('the failure to be recorded', () => client.records().some((r) => r.k === 'failed'));
    expect(client.records().find((r) => r.k === 'failed')).toMatchObject({ cause: 'the daemon crashed' });
    // Still usable (XPC-MODEL §1.2 rule 1): the next message goes to launchd, which relaunches on demand.
    conn.send({ selector: 'again' });
    expect(client.posted.at(-1)).toMatchObject({ t: 'send', conn: conn.id, body: { selector: 'again' } });
  });

  it("checks the listener's requirement on every incoming message in the receiving process, and reports the drop", async () => {
    const { service, conn, peer } = await joined({
      requirement: 'anchor apple',
      clientIdentity: { identifier: 'com.example.app', anchor: 'adhoc' },
    });
    const received: XpcDictionary[] = [];
    peer.onMessage(({ body }) => received.push(body));
    conn.send({ selector: 'one' });
    conn.send({ selector: 'two' });
    await until('two refusals', () => service.records().filter((r) => r.k === 'forbidden').length === 2);
    expect(received).toEqual([]);
    expect(service.records()[0]).toMatchObject({ k: 'forbidden', conn: 'p1', requirement: 'anchor apple' });
  });

  it('keeps order across the switch: a message sent through the broker before the channel is written before later ones', async () => {
    const client = new Runtime('com.example.app');
    const conn = client.sdk.connect('com.example.daemon');
    conn.send({ selector: 'first' });
    expect(client.posted.at(-1)).toMatchObject({ t: 'send', body: { selector: 'first' } });
    const first = client.posted.at(-1) as Extract<HelperToBroker, { t: 'send' }>;
    const [a, b] = await channelPair();
    const seen: string[] = [];
    b.onFrame((frame) => frame.t === 'm' && seen.push(String(frame.body.selector)));
    // The broker had not written `first` into the channel: it comes back as a bounce.
    client.say({ t: 'channel', conn: conn.id, peerPid: 1, injected: 0 }, a);
    conn.send({ selector: 'second' });
    expect(client.posted.filter((m) => m.t === 'send')).toHaveLength(1);
    client.say({ t: 'bounce', conn: conn.id, id: first.id });
    await until('both frames', () => seen.length === 2);
    expect(seen).toEqual(['first', 'second']);
  });

  it('a flooding helper is held to its capture budget in its own buffer: every message still arrives, the rest is counted', async () => {
    const { client, conn, peer } = await joined();
    client.sdk.capture.setBudget({ recordsPerSecond: 20, bytesPerSecond: 1024 * 1024 });
    const started = performance.now();
    let received = 0;
    peer.onMessage(() => received++);
    for (let i = 0; i < 2000; i++) conn.send({ selector: 'flood', n: i });
    const seconds = (performance.now() - started) / 1000;
    await until('every message', () => received === 2000);
    client.sdk.capture.flush();
    // A quarter second of burst, then 20 a second for as long as the sending took.
    const allowed = Math.ceil(20 * 0.25 + 20 * seconds) + 1;
    const kept = client.records().filter((r) => r.k === 'send').length;
    const dropped = client.posted.reduce((n, m) => n + (m.t === 'capture' ? m.dropped : 0), 0);
    expect(kept + dropped).toBe(2000);
    expect(kept).toBeLessThanOrEqual(allowed);
    expect(dropped).toBeGreaterThanOrEqual(2000 - allowed);
    expect(dropped).toBeGreaterThan(1000);
  });

  it('with capture off, counts and sizes travel, one record per connection per batch', async () => {
    const { client, service, conn, peer } = await joined();
    client.say({ t: 'capture', payloads: false, counts: true });
    service.say({ t: 'capture', payloads: false, counts: true });
    peer.onMessage(({ reply }) => reply?.({ ok: true }));
    for (let i = 0; i < 20; i++) await conn.sendWithReply({ selector: 'ping', n: i });
    client.sdk.capture.flush();
    service.sdk.capture.flush();
    const sent = client.records().filter((r) => r.k === 'counts');
    const replied = service.records().filter((r) => r.k === 'counts');
    expect(client.records().filter((r) => r.k === 'send' || r.k === 'reply')).toEqual([]);
    expect(sent.reduce((n, r) => n + (r.k === 'counts' ? r.messages : 0), 0)).toBe(20);
    expect(sent.reduce((n, r) => n + (r.k === 'counts' ? r.requests : 0), 0)).toBe(20);
    expect(replied.reduce((n, r) => n + (r.k === 'counts' ? r.replies : 0), 0)).toBe(20);
    expect(sent.length).toBeLessThan(20);
  });
});
