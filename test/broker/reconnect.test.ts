import { describe, expect, it } from 'vitest';
import { answer, checkIn, connected, job } from './harness';

const helper = () => job('com.example.helper');

/** A client whose service crashed: its connection is INTERRUPTED and still usable (XPC-MODEL §1.2 rule 1). */
function interrupted() {
  const t = connected(helper());
  answer(t.svc);
  t.svc.exit({ code: null, signal: 'SIGSEGV' });
  expect(t.rec.states(t.ptr).at(-1)).toBe('interrupted');
  return t;
}

describe('reconnect after the job is gone (XPC-MODEL §10.2)', () => {
  it('a send after a bootout invalidates the connection "after a failed reconnect" and launches nothing', () => {
    const { broker, client, rec, ptr, spawner } = interrupted();
    broker.launchctl.bootout('system/com.example.helper');
    const before = rec.logs().length;
    client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: true });
    const after = rec.logs().slice(before);
    expect(after).toContain(`[${ptr}] invalidated after a failed reconnect`);
    expect(after.join('\n')).not.toMatch(/Re-initialization successful/);
    expect(rec.states(ptr).at(-1)).toBe('invalidated');
    expect(client.of('replyError')).toMatchObject([{ to: 2, error: 'XPC_ERROR_CONNECTION_INVALID' }]);
    expect(spawner.count('com.example.helper')).toBe(1);
  });

  it('a helper reinstalled under the same label is not reached by the old connection', () => {
    const { broker, client, rec, ptr, spawner } = interrupted();
    broker.launchctl.bootout('system/com.example.helper');
    expect(broker.launchctl.bootstrap('system/com.example.helper')).toEqual({ ok: true });
    client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: true });
    expect(rec.logs()).toContain(`[${ptr}] invalidated after a failed reconnect`);
    expect(rec.states(ptr).at(-1)).toBe('invalidated');
    const last = rec
      .of('connection.state')
      .filter((e) => e.conn === ptr)
      .at(-1);
    expect(last?.cause).toMatch(/registered again by a reinstalled com\.example\.helper/);
    expect(spawner.count('com.example.helper')).toBe(1);
    // A new connection reaches the reinstalled helper.
    client.say({ t: 'connect', conn: 'c2', name: 'com.example.helper', privileged: false });
    client.say({ t: 'send', conn: 'c2', id: 3, body: {}, expectsReply: true });
    expect(spawner.count('com.example.helper')).toBe(2);
    checkIn(spawner.running('com.example.helper'));
    expect(spawner.running('com.example.helper').of('message')).toHaveLength(1);
  });

  it('booting out a running job leaves its connected clients nothing to re-initialise: INVALID, not INTERRUPTED', () => {
    const { broker, svc, client, rec, ptr } = connected(helper());
    answer(svc);
    broker.launchctl.bootout('system/com.example.helper');
    svc.exit({ code: 0, signal: null });
    expect(rec.states(ptr)).not.toContain('interrupted');
    expect(rec.states(ptr).at(-1)).toBe('invalidated');
    expect(rec.logs()).toContain(`[${ptr}] invalidated after a failed reconnect`);
    expect(rec.logs().join('\n')).not.toMatch(/Re-initialization successful/);
    expect(client.of('event')).toMatchObject([{ error: 'XPC_ERROR_CONNECTION_INVALID' }]);
  });

  it('a crash with the job still loaded re-initialises: INTERRUPTED, and the next send relaunches it', () => {
    const { client, rec, ptr, spawner } = interrupted();
    expect(rec.logs()).toContain(
      `[${ptr}] Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED`,
    );
    client.say({ t: 'send', conn: 'c1', id: 2, body: {}, expectsReply: true });
    expect(rec.states(ptr).at(-1)).toBe('connected');
    expect(spawner.count('com.example.helper')).toBe(2);
  });
});
