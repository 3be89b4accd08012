import { describe, expect, it } from 'vitest';
import { importLog, LogImporter, summarize } from '../../../main/trace/import';
import { TraceEventSchema } from '../../../main/trace/schema';
import { fixture, fixtureNames, importFixture, ofKind, states, transitions } from './fixtures';

describe('every fixture', () => {
  it.each(fixtureNames())(
    '%s: every event passes TraceEventSchema.parse, seq runs 0.. and v is 1',
    (name) => {
      const { events } = importFixture(name, { date: '2025-03-01' });
      expect(events.length).toBeGreaterThan(0);
      events.forEach((event, i) => {
        expect(() => TraceEventSchema.parse(event)).not.toThrow();
        expect(event.seq).toBe(i);
        expect(event.v).toBe(1);
      });
    },
  );

  it.each(fixtureNames())('%s: one log event per used line, with the original message text', (name) => {
    const result = importFixture(name);
    const logs = ofKind(result.events, 'log');
    expect(logs).toHaveLength(result.linesUsed);
    for (const log of logs) expect(log.text).not.toBe('');
    expect(result.skipped).toBe(result.linesRead - result.linesUsed);
  });
});

describe('log show default style', () => {
  it('nextcloud/desktop#10479: listener failed to activate becomes an invalidated listener', () => {
    const result = importFixture('nextcloud-10479.default.log');
    expect(transitions(result.events)).toEqual([
      '0x6000031c4000@51184: inactive→activating',
      '0x6000031c4000@51184: activating→invalidated (listener failed to activate: xpc_error=[1: Operation not permitted])',
      '0x13100af20@79880: inactive→activating',
    ]);
    const failed = states(result.events)[1]!;
    expect(failed).toMatchObject({
      side: 'listener',
      pid: 51184,
      name: 'com.nextcloud.desktopclient.FinderSyncService',
      error: 'XPC_ERROR_CONNECTION_INVALID',
      cause: 'the listener could not check in its name with launchd (1: Operation not permitted)',
    });
  });

  it('nextcloud/desktop#10479: the anonymous peer is a peer connection of its client pid', () => {
    const peer = states(importFixture('nextcloud-10479.default.log').events)[2]!;
    expect(peer).toMatchObject({ side: 'peer', peerPid: 79879, pid: 79880 });
  });

  it('header, preamble, footer, other subsystems and Activity rows are counted and skipped', () => {
    const result = importFixture('nextcloud-10479.default.log');
    expect(result).toMatchObject({ linesRead: 13, linesUsed: 3, skipped: 10, warnings: [] });
  });
});

describe('compact style', () => {
  it('XPC-MODEL §3.5/§8.3: the 159 sandbox look-up is one lookup event from both the libxpc and the launchd line', () => {
    const result = importFixture('sandbox-159.compact.log');
    const lookups = ofKind(result.events, 'lookup').filter((e) => e.pid === 53926);
    expect(lookups).toEqual([
      expect.objectContaining({
        conn: '0x600002a6c000@53926',
        name: 'com.apple.pasteboard.1',
        domain: 'gui/501',
        ok: false,
        errno: 159,
        error: 'Sandbox restriction',
      }),
    ]);
  });

  it('XPC-MODEL §1.2 rule 4: the failed init after it invalidates the connection, naming the look-up', () => {
    const result = importFixture('sandbox-159.compact.log');
    expect(transitions(result.events)).toEqual([
      '0x600002a6c000@53926: activating→invalidated (failed init)',
    ]);
    expect(states(result.events)[0]).toMatchObject({
      name: 'com.apple.pasteboard.1',
      cause: 'the bootstrap look-up of com.apple.pasteboard.1 failed (159: Sandbox restriction)',
    });
  });

  it('a look-up failure without a pointer, and launchd-only denials, are lookups of their own', () => {
    const result = importFixture('sandbox-159.compact.log');
    expect(ofKind(result.events, 'lookup').map((e) => `${e.conn} ${e.name} ${e.domain} ${e.errno}`)).toEqual([
      '0x600002a6c000@53926 com.apple.pasteboard.1 gui/501 159',
      'lookup@59466 <unknown> user/501 3',
      'lookup@713 com.apple.diagnosticd user/501 159',
      'lookup@351 com.apple.logd user/501 3',
      'lookup@12345 com.example.svc gui/501 3',
    ]);
  });

  it('warns that compact times carry no offset', () => {
    expect(importFixture('sandbox-159.compact.log').warnings).toEqual([
      { line: 0, message: 'compact timestamps carry no UTC offset: they are read as UTC' },
    ]);
  });
});

describe('syslog style', () => {
  it('vmnet: interruption, failed reconnect, and the pointer reused after invalidation is a new connection', () => {
    const result = importFixture('vmnet.syslog.log');
    expect(transitions(result.events)).toEqual([
      '0x14c10c320@41737: inactive→activating',
      '0x14c10c6a0@41737: inactive→activating',
      '0x14c10c320@41737: activating→interrupted',
      '0x14c10c320@41737: interrupted→invalidated (failed reconnect)',
      '0x14c10c320@41737#2: inactive→activating',
      '0x14c10c320@41737#2: activating→invalidated (the last release of the connection object)',
    ]);
    expect(states(result.events)[2]).toMatchObject({ error: 'XPC_ERROR_CONNECTION_INTERRUPTED' });
    expect(states(result.events)[1]).toMatchObject({ side: 'listener', name: '(anonymous)' });
  });

  it('vmnet: the listener-port lines are log lines on their connection', () => {
    const logs = ofKind(importFixture('vmnet.syslog.log').events, 'log');
    expect(logs.find((l) => l.text.includes('Channel could not return'))?.conn).toBe('0x14c10c6a0@41737');
    expect(logs.find((l) => l.text.includes('Connection returned listener port'))?.conn).toBe(
      '0x81b050dc0@41737',
    );
  });

  it('XPC-MODEL §4.2: the launchd composite gives spawn and exit events', () => {
    const result = importFixture('launchd-composite.syslog.log');
    expect(ofKind(result.events, 'process.spawn')).toEqual([
      expect.objectContaining({
        pid: 4242,
        label: 'com.example.agent',
        domain: 'gui/501',
        program: 'agent',
        reason: 'ipc (mach)',
      }),
      expect.objectContaining({
        pid: 75189,
        label: 'com.apple.datamigrator',
        domain: 'user/501',
        program: 'datamigrator',
      }),
      expect.objectContaining({
        pid: 880,
        label: 'com.example.daemon',
        domain: 'system',
        reason: 'speculative',
      }),
    ]);
    expect(
      ofKind(result.events, 'process.exit').map((e) => [
        e.pid,
        e.cause,
        e.code,
        e.signal,
        e.ranForMs,
        e.clean,
        e.domain,
      ]),
    ).toEqual([
      [4242, 'exit', 0, null, 11709, true, 'gui/501'],
      [75189, 'crash', null, 'SIGSEGV', 52, false, 'user/501'],
      [880, 'killed', null, 'SIGTERM', 5000, false, 'system'],
      [123, 'signal', null, 'SIGKILL', 0, false, 'system'],
    ]);
  });

  it('XPC-MODEL §4.2: every line launchd wrote is kept as a launchd log line', () => {
    const result = importFixture('launchd-composite.syslog.log');
    expect(result).toMatchObject({ linesRead: 21, linesUsed: 19, skipped: 2 });
    const log = ofKind(result.events, 'log').find((l) => l.text.endsWith('xpcproxy spawned with pid 4242'));
    expect(log).toMatchObject({ process: 'launchd', pid: 1, subsystem: 'com.apple.xpc.launchd' });
  });
});

describe('json and ndjson styles', () => {
  it.each(['lookup-159.json', 'lookup-159.ndjson'])(
    'XPC-MODEL §7.4 example object (%s): activation, 159 look-up, failed init, last release, client gone',
    (name) => {
      const result = importFixture(name);
      expect(transitions(result.events)).toEqual([
        '0x600002a6c000@4242: inactive→activating',
        '0x600002a6c000@4242: activating→invalidated (failed init)',
        '0x600000ef7570@4242: inactive→activating',
        '0x600000ef7570@4242: activating→invalidated (the last release of the connection object)',
        '0x600001f3c2d0@880: activating→invalidated (the client process (pid 91002) either cancelled the connection or exited)',
      ]);
      expect(ofKind(result.events, 'lookup')).toEqual([
        expect.objectContaining({
          conn: '0x600002a6c000@4242',
          name: 'com.example.helper',
          errno: 159,
          error: 'Sandbox restriction',
        }),
      ]);
      expect(states(result.events)[4]).toMatchObject({ side: 'peer', peerPid: 91002, name: '<unknown>' });
      expect(result).toMatchObject({ linesRead: 8, linesUsed: 6, skipped: 2 });
    },
  );

  it('the log event keeps subsystem, category and level from the record', () => {
    const log = ofKind(importFixture('lookup-159.ndjson').events, 'log')[0]!;
    expect(log).toMatchObject({
      subsystem: 'com.apple.xpc',
      category: 'connection',
      process: 'Example',
      pid: 4242,
      level: 'Default',
      conn: '0x600002a6c000@4242',
      text: '[0x600002a6c000] activating connection: mach=true listener=false peer=false name=com.example.helper',
    });
  });
});

describe('Console copy', () => {
  it.each(['coder-121.console-subsystem.txt'])(
    'coder/coder-desktop-macos#121 (%s): the cancel line invalidates, and the reused pointer is a new connection',
    (name) => {
      const result = importFixture(name, { date: '2025-03-01' });
      const cancelled = 'the current process cancelled the connection by calling xpc_connection_cancel()';
      expect(transitions(result.events)).toEqual([
        '0x154f2d5b0@Coder Desktop: inactive→activating',
        `0x154f2d5b0@Coder Desktop: activating→invalidated (${cancelled})`,
        '0x154f2d5b0@Coder Desktop#2: inactive→activating',
        `0x154f2d5b0@Coder Desktop#2: activating→invalidated (${cancelled})`,
      ]);
      // No PID column: the process gets a pid of its own below -1.
      expect(states(result.events)[1]).toMatchObject({ pid: -2, error: 'XPC_ERROR_CONNECTION_INVALID' });
      expect(result).toMatchObject({ linesRead: 6, linesUsed: 4, skipped: 2 });
    },
  );

  it('the subsystem column, when present, is kept on the log event; without it §7.1 defaults fill in', () => {
    const withColumn = ofKind(importFixture('coder-121.console-subsystem.txt').events, 'log')[0]!;
    const without = ofKind(
      importLog(
        'default\t14:13:25.700101+0400\tCoder Desktop\t[0x154f2d5b0] activating connection: mach=true listener=false peer=false name=x\n',
      ).events,
      'log',
    )[0]!;
    expect([withColumn.subsystem, withColumn.category]).toEqual(['com.apple.xpc', 'connection']);
    expect([without.subsystem, without.category]).toEqual(['com.apple.xpc', 'connection']);
    expect(withColumn.process).toBe('Coder Desktop');
  });
});

describe('connections by pointer', () => {
  const row = (ptr: string, pid: number, message: string) =>
    `2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0                  ${pid}  0    App: (libxpc.dylib) [com.apple.xpc:connection] [${ptr}] ${message}`;
  const activating = 'activating connection: mach=true listener=false peer=false name=com.example.svc';

  it('the same pointer in two processes is two connections', () => {
    const result = importLog([row('0x1', 100, activating), row('0x1', 200, activating)].join('\n'));
    expect(states(result.events).map((e) => e.conn)).toEqual(['0x1@100', '0x1@200']);
  });

  it('a second activation at a live pointer is a new connection (the old one was freed without a log line)', () => {
    const result = importLog([row('0x1', 100, activating), row('0x1', 100, activating)].join('\n'));
    expect(states(result.events).map((e) => e.conn)).toEqual(['0x1@100', '0x1@100#2']);
  });

  it('"activated" after "activating" is the same connection, now connected', () => {
    const activated = activating.replace('activating', 'activated');
    const result = importLog([row('0x1', 100, activating), row('0x1', 100, activated)].join('\n'));
    expect(transitions(result.events)).toEqual([
      '0x1@100: inactive→activating',
      '0x1@100: activating→connected',
    ]);
  });

  it('a line on an invalidated pointer that is not an activation also starts a new connection', () => {
    const lines = [
      row('0x1', 100, 'invalidated after a failed init'),
      row('0x1', 100, 'invalidated after the last release of the connection object'),
    ];
    expect(states(importLog(lines.join('\n')).events).map((e) => e.conn)).toEqual(['0x1@100', '0x1@100#2']);
  });

  it('repeated interruptions are each an event', () => {
    const reinit =
      'Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED';
    const result = importLog(
      [row('0x1', 100, activating), row('0x1', 100, reinit), row('0x1', 100, reinit)].join('\n'),
    );
    expect(states(result.events).map((e) => e.to)).toEqual(['activating', 'interrupted', 'interrupted']);
  });

  it('a connection line without a pointer is a log line with a warning', () => {
    const text = row('0x1', 100, 'x').replace('[0x1] x', 'invalidated after a failed init');
    const result = importLog(text);
    expect(states(result.events)).toEqual([]);
    expect(result.linesUsed).toBe(1);
    expect(result.warnings[0]?.message).toMatch(/without its \[0x…\] pointer/);
  });
});

describe('progress', () => {
  it('reports fractions that rise to 1', () => {
    const row =
      '2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0                  100  0    App: (Foo) [com.example:x] nothing';
    const xpc =
      '2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0                  100  0    App: (libxpc.dylib) [com.apple.xpc:connection] [0x1] activating connection: mach=true listener=false peer=false name=x';
    const seen: number[] = [];
    importLog([xpc, ...Array.from({ length: 10_000 }, () => row)].join('\n'), {
      onProgress: (f) => seen.push(f),
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('written layouts without a public sample', () => {
  it.each([
    ['console-french.txt', 'console-copy'],
    ['console-japanese.txt', 'console-copy'],
    ['console-spaces.txt', 'console-copy'],
  ])(
    '%s: the type words and columns are read, and the connection is activated and released',
    (name, format) => {
      const result = importFixture(name);
      expect(result.format).toBe(format);
      expect(summarize(result)).toMatchObject({ processes: 1, connectionsActivated: 1 });
      const log = ofKind(result.events, 'log')[0]!;
      expect(log).toMatchObject({ process: 'Ice', subsystem: 'com.apple.xpc', category: 'connection' });
    },
  );

  it('the Japanese copy keeps its PID column', () => {
    expect(ofKind(importFixture('console-japanese.txt').events, 'log')[0]!.pid).toBe(1234);
  });

  it.each(['unifiedlog.jsonl', 'unifiedlog.csv'])(
    'XPC-MODEL §10.6 unifiedlog_iterator %s: the §7.4 look-up sequence, processes by pid, a multi-line message skipped',
    (name) => {
      const result = importFixture(name);
      expect(transitions(result.events)).toEqual([
        '0x600002a6c000@4242: inactive→activating',
        '0x600002a6c000@4242: activating→invalidated (failed init)',
        '0x600001f3c2d0@880: activating→invalidated (the client process (pid 91002) either cancelled the connection or exited)',
      ]);
      expect(ofKind(result.events, 'lookup')).toEqual([
        expect.objectContaining({ pid: 4242, errno: 159, name: 'com.example.helper', ok: false }),
      ]);
      const logs = ofKind(result.events, 'log');
      expect(logs[0]).toMatchObject({ process: 'Example', t: Date.parse('2025-07-27T19:47:10.504Z') + 0.1 });
      // The CSV's header line is read and skipped too.
      expect(result).toMatchObject({ linesUsed: 4, skipped: name.endsWith('.csv') ? 3 : 2 });
    },
  );
});

describe('each line sits on the event it caused', () => {
  it('a libxpc line comes just before its state change and names it', () => {
    const { events } = importFixture('nextcloud-10479.default.log');
    for (const state of states(events)) {
      const log = events.find((e) => e.kind === 'log' && e.event === state.seq);
      expect(log?.seq).toBe(state.seq - 1);
      expect(log).toMatchObject({ conn: state.conn });
    }
  });

  it('a launchd exit line names its exit, and the exit names its job', () => {
    const { events } = importFixture('launchd-composite.syslog.log');
    const exits = ofKind(events, 'process.exit');
    expect(exits.map((e) => e.label)).toEqual([
      'com.example.agent',
      'com.apple.datamigrator',
      'com.example.daemon',
      'com.example.helper',
    ]);
    for (const exit of exits) {
      const log = ofKind(events, 'log').find((l) => l.event === exit.seq);
      expect(log?.text).toMatch(/exited/);
      expect(log?.job).toMatchObject({ label: exit.label, domain: exit.domain, pid: exit.pid });
    }
  });

  it('an event is complete when it is handed on: a streamed log line already names its event', () => {
    const seen: unknown[] = [];
    const importer = new LogImporter((e) => seen.push(structuredClone(e)));
    importer.push(fixture('launchd-composite.syslog.log'));
    importer.end();
    expect(seen).toEqual(importFixture('launchd-composite.syslog.log').events);
  });

  it('a line that causes nothing names no event', () => {
    const { events } = importFixture('launchd-composite.syslog.log');
    const throttle = ofKind(events, 'log').find((l) => l.text.includes('Service only ran for'));
    expect(throttle?.event).toBeNull();
  });

  it('the second report of a failed look-up names the look-up event the first one made', () => {
    const { events } = importFixture('sandbox-159.compact.log');
    const lookup = ofKind(events, 'lookup')[0]!;
    const lines = ofKind(events, 'log').filter((l) => l.event === lookup.seq);
    expect(lines.map((l) => l.process)).toEqual(['launchd', 'WebThumbnailExt']);
  });
});
