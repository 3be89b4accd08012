import { describe, expect, it } from 'vitest';
import { Connection, type QueuedMessage } from '../../main/broker/core/connection';
import type { ServiceEntry } from '../../main/broker/core/namespace';
import { type WaitingPort, WaitingQueues } from '../../main/broker/core/waiting';
import type { Proc } from '../../main/broker/launchd/process';
import { app, job } from '../support/fakes';
import { procOf, serviceOf } from './parts';

let nextId = 1;
function message(conn: Connection, expectsReply = true): QueuedMessage {
  const id = nextId++;
  return { conn, id, requesterMsgId: id + 100, body: { n: id }, expectsReply, size: 10 };
}

/** Two clients of one app, two services; the port records every reply handler run. */
function fixture() {
  const appProc = procOf(app('com.example.app'), 500);
  const a = new Connection('0xa', 'client', appProc, 'c1', 'com.example.one', false);
  const b = new Connection('0xb', 'client', appProc, 'c2', 'com.example.one', false);
  for (const c of [a, b]) c.state = 'connected';
  const oneJob = job('com.example.one');
  const twoJob = job('com.example.two');
  const one = serviceOf(oneJob);
  const two = serviceOf(twoJob);
  const instances = new Map<ServiceEntry, Proc>();
  const failed: { conn: Connection; requesterMsgId: number; id: number; error: string; cause: string }[] = [];
  const port: WaitingPort = {
    instanceFor: (service) => instances.get(service),
    replies: {
      failRequest: (conn, requesterMsgId, id, error, cause) =>
        failed.push({ conn, requesterMsgId, id, error, cause }),
    },
  };
  return { waiting: new WaitingQueues(port), a, b, one, two, oneJob, twoJob, instances, failed };
}

describe('messages waiting for a check-in (XPC-MODEL §8.9)', () => {
  it('the instance that checks in takes its name’s messages in the order they were sent, once', () => {
    const { waiting, a, b, one, two } = fixture();
    const sent = [message(a), message(b), message(a, false)];
    for (const m of sent) waiting.enqueue(one, m);
    const other = message(b);
    waiting.enqueue(two, other);
    expect(waiting.take(one).map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(waiting.take(one)).toEqual([]);
    expect(waiting.take(two)).toEqual([other]);
  });

  it('a dropped connection’s messages are never handed over, and no reply handler runs for them', () => {
    const { waiting, a, b, one, two, failed } = fixture();
    const kept = message(b);
    waiting.enqueue(one, message(a));
    waiting.enqueue(one, kept);
    waiting.enqueue(two, message(a));
    waiting.drop(a);
    expect(waiting.take(one)).toEqual([kept]);
    expect(waiting.take(two)).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('failing a connection runs each of its waiting requests’ reply handlers once, with the error and cause', () => {
    const { waiting, a, b, one, two, failed } = fixture();
    const r1 = message(a);
    const oneWay = message(a, false);
    const r2 = message(a);
    const others = message(b);
    waiting.enqueue(one, r1);
    waiting.enqueue(one, oneWay);
    waiting.enqueue(two, r2);
    waiting.enqueue(one, others);
    waiting.failConnection(a, 'XPC_ERROR_CONNECTION_INTERRUPTED', 'the service exited');
    expect(failed).toEqual([
      {
        conn: a,
        requesterMsgId: r1.requesterMsgId,
        id: r1.id,
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
        cause: 'the service exited',
      },
      {
        conn: a,
        requesterMsgId: r2.requesterMsgId,
        id: r2.id,
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
        cause: 'the service exited',
      },
    ]);
    expect(waiting.has(a)).toBe(false);
    waiting.failConnection(a, 'XPC_ERROR_CONNECTION_INVALID', 'again');
    expect(failed).toHaveLength(2);
    expect(waiting.take(one)).toEqual([others]);
  });

  it('failing a name runs each waiting request’s handler once and empties only that name’s queue', () => {
    const { waiting, a, b, one, two, failed } = fixture();
    const r1 = message(a);
    const r2 = message(b);
    waiting.enqueue(one, r1);
    waiting.enqueue(one, message(b, false));
    waiting.enqueue(one, r2);
    const elsewhere = message(a);
    waiting.enqueue(two, elsewhere);
    waiting.failService(one, 'XPC_ERROR_CONNECTION_INVALID', 'booted out');
    waiting.failService(one, 'XPC_ERROR_CONNECTION_INVALID', 'booted out');
    expect(failed.map((f) => [f.conn.ptr, f.id, f.error, f.cause])).toEqual([
      ['0xa', r1.id, 'XPC_ERROR_CONNECTION_INVALID', 'booted out'],
      ['0xb', r2.id, 'XPC_ERROR_CONNECTION_INVALID', 'booted out'],
    ]);
    expect(waiting.take(one)).toEqual([]);
    expect(waiting.take(two)).toEqual([elsewhere]);
  });

  it('failing everything at shutdown leaves nothing waiting and runs each handler once', () => {
    const { waiting, a, b, one, two, failed } = fixture();
    waiting.enqueue(one, message(a));
    waiting.enqueue(two, message(b));
    waiting.enqueue(two, message(b, false));
    waiting.failAll('XPC_ERROR_CONNECTION_INVALID', 'the broker shut down');
    expect(failed.map((f) => f.conn.ptr)).toEqual(['0xa', '0xb']);
    expect(waiting.has(a) || waiting.has(b)).toBe(false);
    waiting.failAll('XPC_ERROR_CONNECTION_INVALID', 'the broker shut down');
    expect(failed).toHaveLength(2);
  });

  it('a dead job’s queues settle each live waiting connection once, then are empty', () => {
    const { waiting, a, b, one, two, oneJob } = fixture();
    waiting.enqueue(one, message(a));
    waiting.enqueue(one, message(a));
    waiting.enqueue(one, message(b));
    const elsewhere = message(a);
    waiting.enqueue(two, elsewhere);
    b.state = 'invalidated';
    const settled: string[] = [];
    waiting.abandon(oneJob, (conn) => settled.push(conn.ptr));
    expect(settled).toEqual(['0xa']);
    expect(waiting.take(one)).toEqual([]);
    expect(waiting.take(two)).toEqual([elsewhere]);
  });

  it('counts the messages waiting for a process, and tells whether a connection has one waiting', () => {
    const { waiting, a, b, one, two, oneJob, instances } = fixture();
    const instance = procOf(oneJob, 600);
    instances.set(one, instance);
    expect(waiting.countFor(instance)).toBe(0);
    waiting.enqueue(one, message(a));
    waiting.enqueue(one, message(b, false));
    waiting.enqueue(two, message(b));
    expect(waiting.countFor(instance)).toBe(2);
    expect(waiting.has(a)).toBe(true);
    waiting.take(one);
    expect(waiting.countFor(instance)).toBe(0);
    expect(waiting.has(a)).toBe(false);
    expect(waiting.has(b)).toBe(true);
  });
});
