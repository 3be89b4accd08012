import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/broker/broker';
import { REORDER_WINDOW_MS } from '../../main/broker/core/capture';
import type { ChannelEnd, ChannelPair } from '../../main/broker/spawner';
import type { ChannelFrame } from '../../main/helper/protocol';
import { app, FakeClock, FakeSpawner, job, Recorder, world } from '../support/fakes';

/** A host that makes channels: each pair records what the broker wrote into it before handing it over. */
class ChannelSpawner extends FakeSpawner {
  readonly pairs: { injected: ChannelFrame[]; closed: boolean }[] = [];

  async createChannel(): Promise<ChannelPair> {
    const record = { injected: [] as ChannelFrame[], closed: false };
    this.pairs.push(record);
    const end = (): ChannelEnd => ({ channelEnd: true });
    return {
      a: end(),
      b: end(),
      inject: async (frames) => {
        record.injected.push(...frames);
      },
      close: () => {
        record.closed = true;
      },
    };
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

async function connected() {
  const spawner = new ChannelSpawner();
  const clock = new FakeClock();
  const rec = new Recorder();
  const broker = new Broker({
    world: world([app('com.example.app'), job('com.example.daemon')]),
    spawner,
    clock,
    emit: rec.emit,
  });
  broker.start();
  const client = spawner.running('com.example.app');
  client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
  client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
  const daemon = spawner.running('com.example.daemon');
  daemon.say({ t: 'checkIn', listener: 'l1', name: 'com.example.daemon' });
  await settle();
  return { broker, spawner, clock, rec, client, daemon };
}

describe('direct channels, the broker side', () => {
  it('hands both helpers the ends of one channel, with the messages it held written into it first', async () => {
    const { spawner, rec, client, daemon } = await connected();
    expect(spawner.pairs).toHaveLength(1);
    expect(spawner.pairs[0]?.injected).toEqual([
      { t: 'm', id: 1, body: { selector: 'hello' }, expectsReply: true, key: 'hello' },
    ]);
    const peer = daemon.of('peer')[0];
    expect(daemon.of('channel')).toEqual([
      expect.objectContaining({
        conn: peer?.conn,
        peerPid: client.pid,
        peerIdentity: expect.objectContaining({ identifier: 'com.example.app' }),
      }),
    ]);
    expect(client.of('channel')).toEqual([
      expect.objectContaining({ conn: 'c1', peerPid: daemon.pid, injected: 1 }),
    ]);
    // The broker relays nothing itself once it has written the held message into the channel.
    expect(daemon.of('message')).toEqual([]);
    expect(rec.of('message')).toEqual([
      expect.objectContaining({ dir: 'send', from: client.pid, to: daemon.pid, key: 'hello' }),
    ]);
  });

  it('sends a message that reached it after the channel back to the client, to go on the channel in order', async () => {
    const { rec, client, daemon } = await connected();
    client.say({ t: 'send', conn: 'c1', id: 2, body: { selector: 'late' }, expectsReply: false });
    expect(client.of('bounce')).toEqual([{ t: 'bounce', conn: 'c1', id: 2 }]);
    expect(daemon.of('message')).toEqual([]);
    expect(rec.of('message')).toHaveLength(1);
  });

  it('merges two helpers’ capture batches in time order within the reorder window, with each sender’s time', async () => {
    const { clock, rec, client, daemon } = await connected();
    const peer = daemon.of('peer')[0]?.conn ?? '';
    const t0 = clock.now();
    clock.advance(10);
    // The client's batch arrives first but its message was sent after the daemon's.
    client.say({
      t: 'capture',
      records: [{ k: 'send', conn: 'c1', id: 3, at: t0 + 5, size: 10, expectsReply: true, key: 'later' }],
      dropped: 0,
    });
    daemon.say({
      t: 'capture',
      records: [{ k: 'send', conn: peer, id: 9, at: t0 + 2, size: 10, expectsReply: false, key: 'earlier' }],
      dropped: 0,
    });
    expect(rec.of('message').slice(1)).toEqual([]);
    clock.advance(REORDER_WINDOW_MS * 2);
    const messages = rec.of('message').slice(1);
    expect(messages.map((m) => m.key)).toEqual(['earlier', 'later']);
    expect(messages.map((m) => m.t)).toEqual([t0 + 2, t0 + 5]);
    expect(messages[0]).toMatchObject({ dir: 'event', from: daemon.pid, to: client.pid });
    // The requester records the reply; it is paired with its request's id in the stream.
    client.say({
      t: 'capture',
      records: [{ k: 'reply', conn: 'c1', to: 3, at: t0 + 40, size: 4, latencyMs: 12 }],
      dropped: 0,
    });
    clock.advance(REORDER_WINDOW_MS * 2);
    const reply = rec.of('message').at(-1);
    expect(reply).toMatchObject({
      dir: 'reply',
      from: daemon.pid,
      to: client.pid,
      replyTo: messages[1]?.id,
      latencyMs: 12,
      key: 'later',
    });
  });

  it('turns a refusal in the receiving helper into libxpc’s lines and a dropped message', async () => {
    const { rec, daemon } = await connected();
    const peer = daemon.of('peer')[0]?.conn ?? '';
    daemon.say({
      t: 'capture',
      records: [
        {
          k: 'forbidden',
          conn: peer,
          at: 1,
          requirement: 'anchor apple',
          status: -67050,
          message: 'the anchor is not Apple',
        },
      ],
      dropped: 0,
    });
    expect(
      rec
        .logs()
        .some((l) => l.includes('Received message forbidden due to code signing requirement: anchor apple')),
    ).toBe(true);
    expect(rec.of('message.dropped').at(-1)?.reason).toContain('the anchor is not Apple');
  });

  it('says how many records a helper’s own buffer dropped, not once per batch, and the rest when the next report is due', async () => {
    const { rec, client, clock } = await connected();
    const said = () => rec.of('diagnostic').filter((d) => d.key === 'capture');
    for (let i = 0; i < 5; i++) client.say({ t: 'capture', records: [], dropped: 100 });
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatchObject({ count: 100 });
    expect(said()[0]?.message).toContain('100 message records not kept');
    // The flood stops; what was dropped since the first report is still said, once.
    clock.advance(2500);
    expect(said()).toHaveLength(2);
    expect(said()[1]).toMatchObject({ count: 400 });
    expect(said()[1]?.message).toContain('500 message records not kept so far');
    clock.advance(5000);
    expect(said()).toHaveLength(2);
  });

  it('with capture off, a count per connection becomes one message.counts event and keeps the service busy', async () => {
    const { broker, rec, client, daemon, clock } = await connected();
    expect(broker.captureCountsOnly).toBe(false);
    broker.captureCountsOnly = true;
    expect(client.of('capture').at(-1)).toEqual({ t: 'capture', payloads: true, counts: true });
    clock.advance(5);
    const t = clock.now() - 2;
    client.say({
      t: 'capture',
      records: [{ k: 'counts', conn: 'c1', at: t, messages: 250, bytes: 5000, requests: 250, replies: 0 }],
      dropped: 0,
    });
    clock.advance(REORDER_WINDOW_MS * 2);
    expect(rec.of('message.counts')).toEqual([
      expect.objectContaining({
        from: client.pid,
        to: daemon.pid,
        messages: 250,
        bytes: 5000,
        requests: 250,
        t,
      }),
    ]);
    expect(rec.of('message')).toHaveLength(1);
  });

  it('a channel the host cannot make costs only that connection, with the cause stated', async () => {
    class FailingSpawner extends ChannelSpawner {
      override async createChannel(): Promise<ChannelPair> {
        throw new Error('listen EMFILE: too many open files');
      }
    }
    const spawner = new FailingSpawner();
    const rec = new Recorder();
    const broker = new Broker({
      world: world([app('com.example.app'), job('com.example.daemon')]),
      spawner,
      clock: new FakeClock(),
      emit: rec.emit,
    });
    broker.start();
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
    spawner.running('com.example.daemon').say({ t: 'checkIn', listener: 'l1', name: 'com.example.daemon' });
    await settle();
    const invalidated = rec.of('connection.state').filter((e) => e.to === 'invalidated');
    expect(invalidated).toEqual([
      expect.objectContaining({ side: 'client', pid: client.pid, cause: expect.stringContaining('EMFILE') }),
      expect.objectContaining({ side: 'peer', cause: expect.stringContaining('EMFILE') }),
    ]);
    expect(client.of('event').at(-1)).toMatchObject({ conn: 'c1', error: 'XPC_ERROR_CONNECTION_INVALID' });
  });
});
