import { describe, expect, it } from 'vitest';
import { Connection, type QueuedMessage } from '../../main/broker/core/connection';
import { Replies, type RepliesPort } from '../../main/broker/core/reply';
import type { Proc } from '../../main/broker/launchd/process';
import type { BrokerToHelper } from '../../main/helper/protocol';
import type { EventInput } from '../../main/trace/schema';
import { app, FakeClock, job } from '../support/fakes';
import { procOf } from './parts';

/** An app's client connection linked to its peer in a service; the port records what Replies asks of the broker. */
function fixture(opts: { requirementPasses?: boolean } = {}) {
  const appProc = procOf(app('com.example.app'), 500);
  const svcProc = procOf(job('com.example.svc'), 600);
  const client = new Connection('0xc1', 'client', appProc, 'c1', 'com.example.svc', false);
  const peer = new Connection('0xp1', 'peer', svcProc, 'p1', 'com.example.svc.peer[500].0xp1', false);
  const other = new Connection('0xc2', 'client', appProc, 'c2', 'com.example.svc', false);
  for (const c of [client, peer, other]) c.state = 'connected';
  client.other = peer;
  peer.other = client;
  const clock = new FakeClock();
  const sent: { to: Proc; message: BrokerToHelper }[] = [];
  const events: EventInput[] = [];
  const malformed: { proc: Proc; problem: string }[] = [];
  const recorded: { id: number; from: Proc; to: Proc; dir: string; replyTo?: number; latencyMs?: number }[] =
    [];
  const queuedFailed: { conn: Connection; error: string; cause: string }[] = [];
  const port: RepliesPort = {
    clock,
    maxMessageBytes: 1024,
    nextMessageId: 50,
    emit: (e) => events.push(e),
    sendTo: (to, message) => sent.push({ to, message }),
    connections: { rejectMalformed: (proc, _raw, problem) => malformed.push({ proc, problem }) },
    requirements: { replyPassesRequirement: () => opts.requirementPasses ?? true },
    delivery: {
      recordMessage: (m, from, to, dir, extra = {}) => recorded.push({ id: m.id, from, to, dir, ...extra }),
    },
    waiting: { failConnection: (conn, error, cause) => queuedFailed.push({ conn, error, cause }) },
  };
  const replies = new Replies(port);
  let nextId = 1;
  const request = (conn = client): QueuedMessage => {
    const id = nextId++;
    const m = { conn, id, requesterMsgId: id + 100, body: {}, expectsReply: true, size: 0 };
    replies.expect(m);
    return m;
  };
  const answer = (m: QueuedMessage, on = 'p1', body: Record<string, unknown> = { ok: true }) =>
    replies.reply(svcProc, { t: 'reply', conn: on, to: m.id, id: 900 + m.id, body });
  svcProc.connections.set('p1', peer);
  appProc.connections.set('c1', client);
  return {
    replies,
    port,
    clock,
    appProc,
    svcProc,
    client,
    peer,
    other,
    sent,
    events,
    malformed,
    recorded,
    queuedFailed,
    request,
    answer,
  };
}

describe('replies (XPC-MODEL §1.3)', () => {
  it('a reply reaches the requester under the id it gave, recorded with its latency, and only once', () => {
    const t = fixture();
    const m = t.request();
    t.clock.advance(40);
    t.answer(m, 'p1', { answer: 42 });
    expect(t.sent).toEqual([
      { to: t.appProc, message: { t: 'reply', conn: 'c1', to: m.requesterMsgId, body: { answer: 42 } } },
    ]);
    expect(t.recorded).toEqual([
      { id: 50, from: t.svcProc, to: t.appProc, dir: 'reply', replyTo: m.id, latencyMs: 40 },
    ]);
    expect(t.port.nextMessageId).toBe(51);
    t.answer(m);
    expect(t.sent).toHaveLength(1);
    expect(t.malformed).toEqual([{ proc: t.svcProc, problem: `no request ${m.id} is waiting for a reply` }]);
  });

  it('a reply on another connection than the request came in on is malformed, and the request still waits', () => {
    const t = fixture();
    const m = t.request();
    const stray = new Connection('0xp2', 'peer', t.svcProc, 'p2', 'com.example.svc.peer[500].0xp2', false);
    stray.state = 'connected';
    t.svcProc.connections.set('p2', stray);
    t.answer(m, 'p2');
    expect(t.malformed.map((f) => f.problem)).toEqual([
      'Attempt to send a message expecting a reply to the wrong connection.',
    ]);
    expect(t.sent).toEqual([]);
    t.answer(m, 'p1');
    expect(t.sent.map((s) => s.message.t)).toEqual(['reply']);
  });

  it('a reply body that is not a dictionary is malformed and not delivered', () => {
    const t = fixture();
    const m = t.request();
    t.replies.reply(t.svcProc, { t: 'reply', conn: 'p1', to: m.id, id: 1, body: { $xpc: 'data' } });
    expect(t.malformed).toHaveLength(1);
    expect(t.sent).toEqual([]);
  });

  it('a reply that fails the requester’s requirement is not delivered', () => {
    const t = fixture({ requirementPasses: false });
    t.answer(t.request());
    expect(t.sent).toEqual([]);
    expect(t.recorded).toEqual([]);
  });

  it('failing a connection runs each sent request’s handler once with the error and cause, then its queued ones', () => {
    const t = fixture();
    const r1 = t.request();
    const r2 = t.request();
    const elsewhere = t.request(t.other);
    t.replies.failPending(t.client, 'XPC_ERROR_CONNECTION_INTERRUPTED', 'com.example.svc[600] crashed');
    expect(t.events).toEqual(
      [r1, r2].map((m) => ({
        kind: 'reply.failed',
        conn: '0xc1',
        request: m.id,
        pid: 500,
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
        cause: 'com.example.svc[600] crashed',
      })),
    );
    expect(t.sent.map((s) => s.message)).toEqual(
      [r1, r2].map((m) => ({
        t: 'replyError',
        conn: 'c1',
        to: m.requesterMsgId,
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      })),
    );
    expect(t.queuedFailed).toEqual([
      { conn: t.client, error: 'XPC_ERROR_CONNECTION_INTERRUPTED', cause: 'com.example.svc[600] crashed' },
    ]);
    t.replies.failPending(t.client, 'XPC_ERROR_CONNECTION_INVALID', 'again');
    expect(t.events).toHaveLength(2);
    t.replies.failPending(t.other, 'XPC_ERROR_CONNECTION_INVALID', 'cancelled');
    expect(t.events.at(-1)).toMatchObject({ request: elsewhere.id, error: 'XPC_ERROR_CONNECTION_INVALID' });
  });

  it('the requests of a process that exited are forgotten: no handler runs, a late reply finds nothing', () => {
    const t = fixture();
    const m = t.request();
    t.replies.forget(t.appProc);
    t.replies.failPending(t.client, 'XPC_ERROR_CONNECTION_INVALID', 'gone');
    expect(t.events).toEqual([]);
    t.answer(m);
    expect(t.sent).toEqual([]);
    expect(t.malformed).toHaveLength(1);
  });

  it('counts the requests a process holds unanswered', () => {
    const t = fixture();
    expect(t.replies.openRequests(t.svcProc)).toBe(0);
    const m = t.request();
    t.request();
    expect(t.replies.openRequests(t.svcProc)).toBe(2);
    expect(t.replies.openRequests(t.appProc)).toBe(0);
    t.answer(m);
    expect(t.replies.openRequests(t.svcProc)).toBe(1);
  });
});
