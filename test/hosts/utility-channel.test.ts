import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../main/trace/schema';
import type { Posted } from '../support/fake-utility';
import { app, job, world } from '../support/fakes';
import { LiveSession } from '../support/live';

type MessageEvent = Extract<TraceEvent, { kind: 'message' }>;
const isMessage = (e: TraceEvent): e is MessageEvent => e.kind === 'message';

/** A client asking a service every 20 ms, so requests are sent before, while and after the channel is made. */
function echoWorld() {
  return world([
    app('com.example.asker', {
      behaviours: [
        {
          kind: 'poll',
          service: 'com.example.echo',
          intervalMs: 20,
          body: { selector: 'echo' },
          privileged: false,
          reconnectAfterMs: 0,
        },
      ],
    }),
    job('com.example.echo', { behaviours: [{ kind: 'reply', delayMs: 0 }] }),
  ]);
}

const kindOf = (p: Posted) => (p.message as { t?: string }).t;

let live: LiveSession | undefined;
afterEach(() => live?.dispose());

describe('under the utilityProcess spawner, a brokered connection moves onto a MessageChannelMain', () => {
  it('each helper is handed one port, and the broker relays nothing once they hold them', async () => {
    live = new LiveSession(echoWorld(), 'utility');
    const s = live;
    const fake = s.fake!;
    const echo = await s.waitFor(
      'the service to launch',
      (e) => e.kind === 'process.spawn' && e.label === 'com.example.echo',
    );
    const asker = s.pidOf('com.example.asker');
    const echoPid = (echo as Extract<TraceEvent, { kind: 'process.spawn' }>).pid;

    // Both ends of one channel were transferred with a `channel` message, one to each helper.
    await expect
      .poll(() => fake.transfers.map((t) => [t.pid, kindOf(t)]))
      .toEqual(
        expect.arrayContaining([
          [asker, 'channel'],
          [echoPid, 'channel'],
        ]),
      );
    const toAsker = fake.transfers.find((t) => t.pid === asker)!;
    const toEcho = fake.transfers.find((t) => t.pid === echoPid)!;
    expect(toAsker.message).toMatchObject({ t: 'channel', peerPid: echoPid });
    expect(toEcho.message).toMatchObject({ t: 'channel', peerPid: asker });
    expect(toAsker.ports[0]).not.toBe(toEcho.ports[0]);
    // The asker's first requests were held by the broker and written into its port before the transfer.
    const injected = (toAsker.message as { injected?: number }).injected ?? 0;
    expect(injected).toBeGreaterThanOrEqual(1);

    // Round trips go on: fifty replies from the service after both ports were handed over.
    const handedOver = fake.posted.length;
    const from = s.events.length;
    await expect
      .poll(
        () =>
          s.events
            .slice(from)
            .filter((e) => isMessage(e) && e.dir === 'reply' && e.from === echoPid && e.to === asker).length,
        { timeout: 15_000 },
      )
      .toBeGreaterThanOrEqual(50);
    // The requests written into the port before the transfer were answered too.
    const replied = new Set(
      s.events
        .filter((e): e is MessageEvent => isMessage(e) && e.dir === 'reply' && e.from === echoPid)
        .map((e) => e.replyTo),
    );
    const firstRequests = s.events.filter(
      (e): e is MessageEvent => isMessage(e) && e.dir === 'send' && e.from === asker,
    );
    expect(firstRequests.length).toBeGreaterThan(0);
    expect(replied.has(firstRequests[0]!.id)).toBe(true);

    // After the hand-over the broker relayed no message, reply or error to either helper: they went on the channel.
    const after = fake.posted.slice(handedOver);
    expect(after.filter((p) => ['message', 'reply', 'replyError'].includes(kindOf(p) ?? ''))).toEqual([]);
    // What the asker sent through the broker while its port was on the way went back to it, once, to go on the channel.
    const bounced = after.filter((p) => kindOf(p) === 'bounce');
    expect(bounced.every((p) => p.pid === asker)).toBe(true);
    const ids = bounced.map((p) => (p.message as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > injected)).toBe(true);
    // And nothing of the asker's requests ever reached the service through the broker.
    expect(fake.posted.filter((p) => p.pid === echoPid && kindOf(p) === 'message')).toEqual([]);
  });

  it('without MessageChannelMain the same connection goes through the broker, and the fake sees it', async () => {
    live = new LiveSession(echoWorld(), 'utility', { withoutChannels: true });
    const s = live;
    const fake = s.fake!;
    await s.waitFor('a reply', (e) => isMessage(e) && e.dir === 'reply');
    const echoPid = s.pidOf('com.example.echo');
    await expect
      .poll(() => fake.posted.filter((p) => p.pid === echoPid && kindOf(p) === 'message').length)
      .toBeGreaterThanOrEqual(5);
    expect(fake.transfers).toEqual([]);
  });
});
