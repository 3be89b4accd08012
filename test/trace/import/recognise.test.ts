import { describe, expect, it } from 'vitest';
import { invalidationKey, recognise } from '../../../main/trace/import/recognise';

/** Lines quoted in XPC-MODEL §7.2/§7.3 (libxpc) and §3.5/§4.2/§7.3 (launchd). */
describe('libxpc lines (XPC-MODEL §7.2, §7.3)', () => {
  it('activating connection, with mach/listener/peer flags and the name', () => {
    expect(
      recognise(
        '[0x600000ef7570] activating connection: mach=true listener=false peer=false name=com.apple.trustd',
        'Codex',
      ),
    ).toEqual({
      kind: 'activation',
      ptr: '0x600000ef7570',
      activated: false,
      mach: true,
      listener: false,
      peer: false,
      name: 'com.apple.trustd',
    });
  });

  it('the "activated" wording of libxpc ≥ 2894', () => {
    expect(
      recognise(
        '[0x6000031c4000] activated connection: mach=true listener=true peer=false name=com.example.svc',
        'x',
      ),
    ).toMatchObject({ kind: 'activation', activated: true, listener: true });
  });

  it('nextcloud/desktop#10479: an anonymous peer names its client pid', () => {
    expect(
      recognise(
        '[0x13100af20] activating connection: mach=false listener=false peer=true name=com.apple.xpc.anonymous.0x13100af20.peer[79879].0x1306124c0',
        'Nextcloud',
      ),
    ).toMatchObject({ kind: 'activation', peer: true, peerPid: 79879 });
  });

  it('a 159 look-up failure gets launchd\'s words, "Sandbox restriction" (§3.3, §3.4)', () => {
    expect(
      recognise(
        '[0x600002a6c000] failed to do a bootstrap look-up: xpc_error=[159: Unknown error: 159]',
        'x',
      ),
    ).toEqual({
      kind: 'lookup-failed',
      ptr: '0x600002a6c000',
      errno: 159,
      error: 'Sandbox restriction',
    });
  });

  it('a look-up failure logged without its pointer is still recognised (§7.4 compact sample)', () => {
    expect(
      recognise('failed to do a bootstrap look-up: xpc_error=[3: No such process]', 'Boardsesh'),
    ).toEqual({
      kind: 'lookup-failed',
      errno: 3,
      error: 'No such process',
    });
  });

  it.each([
    ['[0x1] invalidated after a failed init', 'failed init', 'failed init'],
    ['[0x1] invalidated after a failed reconnect', 'failed reconnect', 'failed reconnect'],
    [
      '[0x1] invalidated after the last release of the connection object',
      'the last release of the connection object',
      'last release',
    ],
    [
      '[0x1] invalidated because the current process cancelled the connection by calling xpc_connection_cancel()',
      'the current process cancelled the connection by calling xpc_connection_cancel()',
      'cancelled',
    ],
    ['[0x1] invalidated on xpc_connection_cancel()', 'xpc_connection_cancel()', 'cancelled'],
    [
      '[0x1] invalidated because the client process (pid 91002) either cancelled the connection or exited',
      'the client process (pid 91002) either cancelled the connection or exited',
      'client cancelled or exited',
    ],
    [
      '[0x1] invalidated after a failed send of the check-in message',
      'failed send of the check-in message',
      'failed check-in send',
    ],
  ])('%s', (message, reason, key) => {
    const line = recognise(message, 'x');
    expect(line).toMatchObject({ kind: 'invalidated', ptr: '0x1', reason });
    expect(invalidationKey(reason)).toBe(key);
  });

  it('the client-gone invalidation carries the client pid', () => {
    expect(
      recognise(
        '[0x1] invalidated because the client process (pid 91002) either cancelled the connection or exited',
        'x',
      ),
    ).toMatchObject({ clientPid: 91002, cause: 'client process 91002 cancelled its connection or exited' });
  });

  it('an unknown invalidation wording is kept, with a pointer; without one it is not an XPC line', () => {
    expect(recognise('[0x1] invalidated because of something new', 'x')).toMatchObject({
      kind: 'invalidated',
      reason: 'of something new',
    });
    expect(recognise('invalidated because of something new', 'x')).toBeNull();
  });

  it('nextcloud/desktop#10479: listener failed to activate with EPERM', () => {
    const line = recognise(
      '[0x6000031c4000] listener failed to activate: xpc_error=[1: Operation not permitted]',
      'x',
    );
    expect(line).toEqual({
      kind: 'listener-failed',
      ptr: '0x6000031c4000',
      errno: 1,
      error: 'Operation not permitted',
      reason: 'listener failed to activate: xpc_error=[1: Operation not permitted]',
      cause: 'the listener could not check in its name with launchd (1: Operation not permitted)',
    });
    expect(invalidationKey((line as { reason: string }).reason)).toBe('listener failed to activate');
  });

  it('re-initialization is an interruption (§1.2 rule 1)', () => {
    expect(
      recognise(
        '[0x14c10c320] Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED',
        'x',
      ),
    ).toEqual({ kind: 'interrupted', ptr: '0x14c10c320' });
  });

  it.each([
    '[0x1] Received message forbidden due to code signing requirement: anchor apple',
    '[0x1] Dropping check-in message due to code signing requirement: anchor apple',
    '[0x81b050dc0] Connection returned listener port: 0x7903',
    'Peer connection was rejected by the listener (com.example.svc)',
    'xpc_support_check_token: anchor apple error: Error Domain=NSOSStatusErrorDomain Code=-67050 "(null)" status: -67050',
  ])('code-signing and listener lines are kept as log lines: %s', (message) => {
    expect(recognise(message, 'x')?.kind).toBe('libxpc');
  });

  it('other subsystems are not XPC lines', () => {
    expect(recognise('found no value for key NSWindowTabbingEnabled', 'Codex')).toBeNull();
    expect(recognise('[0x1] something else entirely', 'Codex')).toBeNull();
  });
});

describe('launchd lines (XPC-MODEL §3.5, §4.2, §7.3)', () => {
  it('Successfully spawned, with domain, label and pid from the prefix', () => {
    expect(
      recognise(
        '(gui/501/com.example.agent [4242]) <Notice>: Successfully spawned agent[4242] because ipc (mach)',
        'launchd',
      ),
    ).toEqual({
      kind: 'spawn',
      prefix: { domain: 'gui/501', label: 'com.example.agent', pid: 4242 },
      program: 'agent',
      pid: 4242,
      reason: 'ipc (mach)',
    });
  });

  it('the unified-log bracket prefix', () => {
    expect(
      recognise(
        '[user/501/com.apple.datamigrator [75189]:] Successfully spawned datamigrator[75189] because ipc (mach)',
        'launchd',
      ),
    ).toMatchObject({ prefix: { domain: 'user/501', label: 'com.apple.datamigrator', pid: 75189 } });
  });

  it('exit(0) is a clean exit code; a SIGSEGV from the exception handler is a crash', () => {
    expect(
      recognise(
        '(gui/501/com.example.agent [4242]) <Notice>: exited due to exit(0), ran for 11709ms',
        'launchd',
      ),
    ).toMatchObject({
      kind: 'exit',
      cause: 'exit',
      code: 0,
      signal: null,
      ranForMs: 11709,
    });
    expect(
      recognise('exited due to SIGSEGV | sent by exc handler[339], ran for 52ms', 'launchd'),
    ).toMatchObject({
      cause: 'crash',
      signal: 'SIGSEGV',
      ranForMs: 52,
    });
    expect(recognise('exited due to SIGTERM | sent by launchd[1], ran for 5000ms', 'launchd')).toMatchObject({
      cause: 'killed',
      signal: 'SIGTERM',
    });
  });

  it('the syslog-era "Service exited due to signal: Killed: 9"', () => {
    expect(
      recognise(
        'com.apple.xpc.launchd[1] (com.example.helper[123]): Service exited due to signal: Killed: 9',
        'x',
      ),
    ).toMatchObject({
      kind: 'exit',
      prefix: { label: 'com.example.helper', pid: 123 },
      cause: 'signal',
      signal: 'SIGKILL',
      ranForMs: null,
    });
  });

  it('denied lookup with an ASID after the domain, which is not a pid (§3.5)', () => {
    expect(
      recognise(
        '(gui/501 [100023]) <Warning>: denied lookup: name = com.apple.pasteboard.1, requestor = WebThumbnailExt[53926], error = 159: Sandbox restriction',
        'launchd',
      ),
    ).toEqual({
      kind: 'launchd-lookup',
      prefix: { domain: 'gui/501' },
      denied: true,
      name: 'com.apple.pasteboard.1',
      requestor: 'WebThumbnailExt',
      pid: 53926,
      errno: 159,
      error: 'Sandbox restriction',
    });
  });

  it('failed lookup with flags, and a requestor name with spaces', () => {
    expect(
      recognise(
        'denied lookup: name = com.apple.diagnosticd, flags = 0x8, requestor = Brave Browser H[713], error = 159: Sandbox restriction',
        'launchd',
      ),
    ).toMatchObject({ prefix: {}, requestor: 'Brave Browser H', pid: 713, errno: 159 });
    expect(
      recognise(
        '[gui/501 [100031]:] failed lookup: name = com.example.svc, requestor = Codex[12345], error = 3: No such process',
        'launchd',
      ),
    ).toMatchObject({ prefix: { domain: 'gui/501' }, denied: false, error: 'No such process' });
  });

  it('spawn steps are launchd lines only with a launchd prefix or from launchd; anything launchd writes is its line', () => {
    expect(recognise('(gui/501/com.example.agent) <Info>: service state: running', 'x')?.kind).toBe(
      'launchd',
    );
    expect(recognise('service state: running', 'launchd')?.kind).toBe('launchd');
    expect(recognise('service state: running', 'SomeApp')).toBeNull();
    expect(
      recognise('(system/com.example.daemon) <Notice>: some unrelated launchd chatter', 'launchd')?.kind,
    ).toBe('launchd');
    expect(recognise('(system/com.example.daemon) some unrelated chatter', 'SomeApp')).toBeNull();
  });
});
