import { describe, expect, it } from 'vitest';
import { brokenConnections } from '../../main/broker/installs/upgrade-report';
import { brokenConnection } from '../../main/trace/broken-connection';
import type { EventInput } from '../../main/trace/schema';

type StateEvent = Extract<EventInput, { kind: 'connection.state' }>;
const state = (over: Partial<StateEvent>): StateEvent => ({
  kind: 'connection.state',
  conn: '0x1',
  side: 'client',
  pid: 100,
  name: 'com.example.svc',
  from: 'connected',
  to: 'interrupted',
  error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
  ...over,
});

describe('what counts as a broken connection (XPC-MODEL §1.2, §10.2)', () => {
  it('one that became INTERRUPTED or INVALID with an error its handler hears', () => {
    const names = () => 'com.example.app';
    expect(
      brokenConnection(
        state({
          nsError: { domain: 'NSCocoaErrorDomain', code: 4097, description: '', debugDescription: '' },
          cause: 'it crashed',
        }),
        names,
      ),
    ).toEqual({
      conn: '0x1',
      side: 'client',
      pid: 100,
      process: 'com.example.app',
      name: 'com.example.svc',
      became: 'interrupted',
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      nsErrorCode: 4097,
      cause: 'it crashed',
    });
    expect(
      brokenConnection(state({ to: 'invalidated', error: 'XPC_ERROR_CONNECTION_INVALID' }), names)?.became,
    ).toBe('invalidated');
  });

  it('not one that ended with its own process (no error), nor one that connected or merely heard TERMINATION_IMMINENT', () => {
    const names = () => 'x';
    const { error: _none, ...ended } = state({ to: 'invalidated' });
    expect(brokenConnection(ended, names)).toBeUndefined();
    expect(
      brokenConnection(state({ from: 'activating', to: 'connected', error: undefined }), names),
    ).toBeUndefined();
    expect(
      brokenConnection(state({ to: 'connected', error: 'XPC_ERROR_TERMINATION_IMMINENT' }), names),
    ).toBeUndefined();
  });

  it('a process with no known name is "pid N"; one launched during the upgrade is named by its spawn', () => {
    const events: EventInput[] = [
      {
        kind: 'process.spawn',
        pid: 300,
        label: 'com.example.new',
        domain: 'gui/501',
        program: '/x',
        reason: 'app launch',
      },
      state({ pid: 300 }),
      state({ pid: 400, conn: '0x2' }),
    ];
    expect(brokenConnections(events, () => undefined).map((b) => b.process)).toEqual([
      'com.example.new',
      'pid 400',
    ]);
  });
});
