import { describe, expect, it } from 'vitest';
import { checkPeer } from '../../main/broker/core/policy/peer-requirement';
import { answer, app, checkIn, job, ptrOf, setup } from './harness';

const daemon = () => job('com.example.daemon');

function requested(requirement: { listener?: string; client?: string }, clientOver = {}) {
  const t = setup([app('com.example.app', clientOver), daemon()]);
  const client = t.spawner.running('com.example.app');
  client.say({
    t: 'connect',
    conn: 'c1',
    name: 'com.example.daemon',
    privileged: false,
    ...(requirement.client ? { requirement: requirement.client } : {}),
  });
  client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'status' }, expectsReply: true });
  const svc = t.spawner.running('com.example.daemon');
  checkIn(svc, requirement.listener);
  return { ...t, client, svc, ptr: ptrOf(t.rec, client.pid!, 'com.example.daemon') };
}

describe('peer code-signing requirements (XPC-MODEL §1.5, §6.2)', () => {
  it('a listener drops the check-in of a client that fails its requirement: -67050, INVALID, NSError 4102', () => {
    const { rec, client, svc, ptr } = requested({ listener: 'anchor apple' });
    expect(rec.logs()).toContain(
      'xpc_support_check_token: anchor apple error: Error Domain=NSOSStatusErrorDomain Code=-67050 "(null)" status: -67050',
    );
    expect(
      rec
        .logs()
        .some((l) =>
          /^\[0x[0-9a-f]+\] Dropping check-in message due to code signing requirement: anchor apple$/.test(l),
        ),
    ).toBe(true);
    expect(svc.of('peer')).toEqual([]);
    expect(svc.of('message')).toEqual([]);
    const invalid = rec.of('connection.state').find((e) => e.conn === ptr && e.to === 'invalidated');
    expect(invalid).toMatchObject({
      error: 'XPC_ERROR_CONNECTION_INVALID',
      reason: 'the peer failed the code signing requirement',
      nsError: { code: 4102 },
    });
    expect(client.of('replyError')).toEqual([
      { t: 'replyError', conn: 'c1', to: 1, error: 'XPC_ERROR_CONNECTION_INVALID' },
    ]);
  });

  it('a client that satisfies the listener requirement is served', () => {
    const { svc, client } = requested({
      listener: 'anchor apple generic and certificate leaf[subject.OU] = "ABCDE12345"',
    });
    expect(svc.of('message')).toHaveLength(1);
    answer(svc);
    expect(client.of('reply')).toHaveLength(1);
  });

  it('an unsigned client fails with -67062', () => {
    const { rec } = requested(
      { listener: 'anchor apple generic' },
      { signing: { anchor: 'unsigned', notarized: false } },
    );
    expect(rec.logs().some((l) => l.includes('status: -67062'))).toBe(true);
  });

  it('a reply that fails the client requirement reaches the reply handler as XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT', () => {
    const { svc, client, rec, ptr } = requested({ client: 'anchor apple' });
    answer(svc);
    expect(client.of('reply')).toEqual([]);
    expect(client.of('replyError')).toEqual([
      { t: 'replyError', conn: 'c1', to: 1, error: 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT' },
    ]);
    expect(rec.logs()).toContain(
      `[${ptr}] Reply message forbidden due to code signing requirement: anchor apple`,
    );
    expect(rec.of('reply.failed').at(-1)).toMatchObject({ error: 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT' });
  });

  it('a message pushed by a service that fails the client requirement is dropped and logged', () => {
    const { svc, client, rec, ptr } = requested({ client: 'anchor apple' });
    const peer = svc.of('peer')[0]!.conn;
    svc.say({ t: 'send', conn: peer, id: 9, body: { event: 'changed' }, expectsReply: false });
    expect(client.of('message')).toEqual([]);
    expect(rec.logs()).toContain(
      `[${ptr}] Received message forbidden due to code signing requirement: anchor apple`,
    );
    expect(rec.of('message.dropped').at(-1)?.reason).toMatch(/code signing requirement/);
  });

  it('a requirement that does not compile is EINVAL and is not applied', () => {
    const { rec, svc } = requested({ listener: 'anchor apple and (' });
    expect(rec.of('diagnostic').at(-1)).toMatchObject({
      consequence: expect.stringContaining('EINVAL (22)'),
    });
    expect(svc.of('message')).toHaveLength(1);
  });

  it('a sender that has exited has no code to check: -67065 errSecCSNoSuchCode', () => {
    const { broker, client } = requested({});
    const proc = broker.findProc(client.pid!)!;
    expect(checkPeer('anchor apple generic', proc).ok).toBe(true);
    proc.state = 'exited';
    expect(checkPeer('anchor apple generic', proc)).toMatchObject({ ok: false, status: -67065 });
  });
});
