import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../main/trace/model';
import { parseTraceText } from '../../main/trace/parse';
import { connState, eventMaker, message, spawn } from './event-fixtures';

const NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

/** A trace whose connection ids are the names of Object.prototype's members, as a hostile file could carry. */
function hostileTrace(): string {
  const ev = eventMaker();
  const events = [ev(spawn(100, 'com.acme.app'))];
  for (const name of NAMES) {
    events.push(ev(connState(name, 100, 'activating', 'connected', { peerConn: '__proto__' })));
    events.push(ev(message({ id: events.length, from: 100, to: 200, conn: name, expectsReply: true })));
    events.push(
      ev(connState(name, 100, 'connected', 'invalidated', { error: 'XPC_ERROR_CONNECTION_INVALID' })),
    );
  }
  const header = { format: 'xpc-lab-trace', v: 1, created: '2026-11-23T12:00:00.000Z', host: 'cli' };
  return [header, ...events].map((e) => JSON.stringify(e)).join('\n');
}

describe('ids from a trace are ordinary keys of the model', () => {
  it('applies connections named __proto__, constructor, toString and valueOf without polluting anything', () => {
    const { events, problems } = parseTraceText(hostileTrace());
    expect(problems).toEqual([]);
    const model = new WorldModel();
    for (const e of events) model.apply(e);
    const { connections } = model.state;
    expect(Object.keys(connections).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      expect(connections[name]).toMatchObject({ conn: name, state: 'invalidated', sent: 1 });
      expect(connections[name]?.history.map((h) => h.to)).toEqual(['connected', 'invalidated']);
    }
    expect(({} as Record<string, unknown>).conn).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('state');
  });

  it('keeps them ordinary keys in a copy that crossed to the renderer (JSON) or a checkpoint (structuredClone)', () => {
    const { events } = parseTraceText(hostileTrace());
    const model = new WorldModel();
    for (const e of events.slice(0, 4)) model.apply(e);
    for (const copy of [JSON.parse(JSON.stringify(model.state)), structuredClone(model.state)]) {
      const again = new WorldModel(copy);
      for (const e of events.slice(4)) again.apply(e);
      expect(Object.keys(again.state.connections).sort()).toEqual([...NAMES].sort());
      expect(again.state.connections.constructor).toMatchObject({ conn: 'constructor', sent: 1 });
    }
  });
});
