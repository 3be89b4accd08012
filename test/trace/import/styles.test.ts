import { describe, expect, it } from 'vitest';
import { importLog } from '../../../main/trace/import';
import { parseCompactLine } from '../../../main/trace/import/styles/compact';
import { parseConsoleCopyLine } from '../../../main/trace/import/styles/console-copy';
import { parseDefaultLine } from '../../../main/trace/import/styles/default';
import { parseNdjsonLine, recordFromJson } from '../../../main/trace/import/styles/json';
import { parseSyslogLine } from '../../../main/trace/import/styles/syslog';
import { ofKind } from './fixtures';

// Rows from XPC-MODEL §7.4, each style's own example.
const DEFAULT_ROW =
  '2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0                  51184  0    Codex: (libxpc.dylib) [com.apple.xpc:connection] [0x600000ef7570] activating connection: mach=true listener=false peer=false name=com.apple.trustd';
const COMPACT_ROW =
  '2026-10-06 00:30:17.053 Df Boardsesh[59466:a4efed] [com.apple.xpc:connection] failed to do a bootstrap look-up: xpc_error=[3: No such process]';
const SYSLOG_ROW =
  '2023-09-27 22:55:39.622369+0200  localhost proc[41737]: (libxpc.dylib) [com.apple.xpc:connection] [0x600000ef7570] invalidated after a failed init';
const CONSOLE_ROW =
  'default\t14:13:25.812156+0400\tCoder Desktop\t[0x154f2d5b0] invalidated because the current process cancelled the connection by calling xpc_connection_cancel()';

describe('log show default style', () => {
  it('reads time with its offset, type, pid, process, subsystem and message', () => {
    expect(parseDefaultLine(DEFAULT_ROW, 7)).toEqual({
      line: 7,
      t: Date.UTC(2025, 7, 9, 14, 11, 55) + 521.57,
      level: 'Default',
      process: 'Codex',
      pid: 51184,
      subsystem: 'com.apple.xpc',
      category: 'connection',
      message:
        '[0x600000ef7570] activating connection: mach=true listener=false peer=false name=com.apple.trustd',
    });
  });

  it('keeps a process name with spaces and skips Activity rows and the header', () => {
    const row = DEFAULT_ROW.replace('Codex:', 'Coder Desktop:');
    expect(parseDefaultLine(row, 1)?.process).toBe('Coder Desktop');
    expect(parseDefaultLine(DEFAULT_ROW.replace('Default    ', 'Activity   '), 1)).toBeNull();
    expect(
      parseDefaultLine(
        'Timestamp                       Thread     Type        Activity             PID    TTL',
        1,
      ),
    ).toBeNull();
  });
});

describe('compact style', () => {
  it('reads the Df type, process[pid:tid] and a message without a pointer; the time as UTC', () => {
    expect(parseCompactLine(COMPACT_ROW, 3)).toEqual({
      line: 3,
      t: Date.UTC(2026, 9, 6, 0, 30, 17, 53),
      level: 'Default',
      process: 'Boardsesh',
      pid: 59466,
      subsystem: 'com.apple.xpc',
      category: 'connection',
      message: 'failed to do a bootstrap look-up: xpc_error=[3: No such process]',
    });
    expect(parseCompactLine(COMPACT_ROW.replace(' Df ', ' E  '), 3)?.level).toBe('Error');
  });
});

describe('syslog style', () => {
  it('reads host, proc[pid], sender and subsystem', () => {
    expect(parseSyslogLine(SYSLOG_ROW, 2)).toMatchObject({
      t: Date.UTC(2023, 8, 27, 20, 55, 39) + 622.369,
      process: 'proc',
      pid: 41737,
      subsystem: 'com.apple.xpc',
      message: '[0x600000ef7570] invalidated after a failed init',
    });
  });

  it("keeps launchd's system.log prefix in the message (XPC-MODEL §7.3)", () => {
    const row =
      '2025-08-09 10:23:00.000000-0400  localhost com.apple.xpc.launchd[1] (com.example.helper[123]): Service exited due to signal: Killed: 9';
    expect(parseSyslogLine(row, 1)).toMatchObject({
      process: 'com.apple.xpc.launchd',
      pid: 1,
      subsystem: '',
      message: '(com.example.helper[123]): Service exited due to signal: Killed: 9',
    });
  });
});

describe('json and ndjson styles', () => {
  const object = {
    timestamp: '2025-07-27 15:47:10.504275-0400',
    eventType: 'logEvent',
    messageType: 'Error',
    eventMessage: '[0x600002a6c000] invalidated after a failed init',
    subsystem: 'com.apple.xpc',
    category: 'connection',
    processImagePath: '/Applications/Example.app/Contents/MacOS/Example',
    processID: 4242,
    userID: 0,
  };

  it('takes the process name from processImagePath and keeps the user id', () => {
    expect(recordFromJson(object, 5)).toEqual({
      line: 5,
      t: Date.UTC(2025, 6, 27, 19, 47, 10) + 504.275,
      level: 'Error',
      process: 'Example',
      pid: 4242,
      subsystem: 'com.apple.xpc',
      category: 'connection',
      message: object.eventMessage,
      uid: 0,
    });
  });

  it('skips non-log events and lines that are not JSON', () => {
    expect(recordFromJson({ ...object, eventType: 'activityCreateEvent' }, 1)).toBeNull();
    expect(parseNdjsonLine('{"count":3,"finished":1', 1)).toBeNull();
    expect(parseNdjsonLine(JSON.stringify(object), 1)?.pid).toBe(4242);
  });

  it('a json array cut short is read up to its last complete record, with a warning', () => {
    const text = `[\n${JSON.stringify(object)},\n${JSON.stringify({ ...object, processID: 4243 })},\n{"timestamp": "2025-07`;
    const result = importLog(text);
    expect(result.format).toBe('json');
    expect(result.linesRead).toBe(2);
    expect(ofKind(result.events, 'connection.state').map((e) => e.pid)).toEqual([4242, 4243]);
    expect(result.warnings).toContainEqual({
      line: 2,
      message: 'the JSON array is cut short: read up to its last complete record',
    });
  });
});

describe('Console copy', () => {
  it('reads a row without a subsystem column (coder/coder-desktop-macos#121)', () => {
    const clock = { anchor: Date.UTC(2025, 2, 1), last: null };
    expect(parseConsoleCopyLine(CONSOLE_ROW, 1, clock)).toEqual({
      line: 1,
      t: Date.UTC(2025, 2, 1, 10, 13, 25) + 812.156,
      level: 'Default',
      process: 'Coder Desktop',
      pid: null,
      subsystem: '',
      category: '',
      message:
        '[0x154f2d5b0] invalidated because the current process cancelled the connection by calling xpc_connection_cancel()',
    });
  });

  it('tells a pid, a subsystem and a category column apart by content', () => {
    const clock = { anchor: 0, last: null };
    const row =
      'error\t14:13:25.812156+0400\tCoder Desktop\t4711\tcom.apple.xpc\tconnection\t[0x154f2d5b0] x';
    expect(parseConsoleCopyLine(row, 1, clock)).toMatchObject({
      level: 'Error',
      pid: 4711,
      subsystem: 'com.apple.xpc',
      category: 'connection',
      message: '[0x154f2d5b0] x',
    });
  });

  it('places times of day on the given date, and on the next day after midnight', () => {
    const text = [
      'default\t23:59:59.500000+0000\tApp\t[0x1] activating connection: mach=true listener=false peer=false name=a',
      'default\t00:00:00.250000+0000\tApp\t[0x1] invalidated after a failed init',
    ].join('\n');
    const result = importLog(text, { date: '2025-03-01' });
    expect(ofKind(result.events, 'connection.state').map((e) => e.t)).toEqual([
      Date.UTC(2025, 2, 1, 23, 59, 59, 500),
      Date.UTC(2025, 2, 2, 0, 0, 0, 250),
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('without a date, rows land on 1970-01-01 and a warning says so', () => {
    const result = importLog(CONSOLE_ROW);
    expect(result.events[0]?.t).toBe(Date.UTC(1970, 0, 1, 10, 13, 25) + 812.156);
    expect(result.warnings[0]?.message).toMatch(/placed on 1970-01-01/);
  });

  it('rejects a date that is not a calendar day', () => {
    expect(() => importLog(CONSOLE_ROW, { date: '2025-02-30' })).toThrow(/YYYY-MM-DD/);
  });
});
