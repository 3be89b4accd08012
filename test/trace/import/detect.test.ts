import { describe, expect, it } from 'vitest';
import { detectLogFormat, importLog, UnknownLogFormatError } from '../../../main/trace/import';
import { fixture } from './fixtures';

describe('detectLogFormat', () => {
  it.each([
    ['nextcloud-10479.default.log', 'default'],
    ['sandbox-159.compact.log', 'compact'],
    ['vmnet.syslog.log', 'syslog'],
    ['launchd-composite.syslog.log', 'syslog'],
    ['lookup-159.json', 'json'],
    ['lookup-159.ndjson', 'ndjson'],
    ['coder-121.console-subsystem.txt', 'console-copy'],
    ['unifiedlog.jsonl', 'unifiedlog-jsonl'],
    ['unifiedlog.csv', 'unifiedlog-csv'],
  ])('%s is %s', (name, format) => {
    expect(detectLogFormat(fixture(name))).toBe(format);
  });

  it('looks past the "Filtering the log data" preamble and header of log show', () => {
    const text = [
      'Filtering the log data using "process == \\"Codex\\""',
      'Timestamp                       Thread     Type        Activity             PID    TTL  ',
      '2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0                  51184  0    Codex: (libxpc.dylib) [com.apple.xpc:connection] [0x600000ef7570] activating connection: mach=true listener=false peer=false name=com.apple.trustd',
    ].join('\n');
    expect(detectLogFormat(text)).toBe('default');
  });

  it('an ndjson stream is not mistaken for a json array', () => {
    const object = {
      timestamp: '2025-07-27 15:47:10.504275-0400',
      eventMessage: '[0x1] activating connection: mach=true listener=false peer=false name=x',
    };
    expect(detectLogFormat(`${JSON.stringify(object)}\n`)).toBe('ndjson');
    expect(detectLogFormat(`[\n  ${JSON.stringify(object)}\n]`)).toBe('json');
  });

  it('a log with no XPC line is refused, quoting the lines that mention xpc or launchd', () => {
    const text = [
      ...Array.from({ length: 30 }, (_, i) => `127.0.0.1 - - [10/Oct/2000:13:55:${i}] "GET / HTTP/1.0" 200`),
      'Mar  3 10:00:00 host myapp[12]: talking to com.apple.xpc.something in a way no parser knows',
    ].join('\n');
    let error: unknown;
    try {
      detectLogFormat(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnknownLogFormatError);
    const message = (error as Error).message;
    expect(message).toContain('none of its 31 lines is a libxpc or launchd line');
    expect(message).toContain('lines that mention xpc or launchd:');
    expect(message).toContain('talking to com.apple.xpc.something');
    expect((error as UnknownLogFormatError).sample).toEqual([
      'Mar  3 10:00:00 host myapp[12]: talking to com.apple.xpc.something in a way no parser knows',
    ]);
  });

  it('with no line mentioning xpc or launchd, the refusal describes the first line and never quotes it', () => {
    expect(() => importLog('just some words\n', { source: 'notes.txt' })).toThrow(
      /^notes\.txt: its only line is not a libxpc or launchd line .*no line mentions xpc or launchd; the first line is text, 15 characters long$/s,
    );
    let refusal = '';
    try {
      importLog('root:$6$secret:19000:0:99999:7:::\n');
    } catch (error) {
      refusal = (error as Error).message;
    }
    expect(refusal).toMatch(/not a libxpc or launchd line/);
    expect(refusal).not.toContain('secret');
    expect(() => detectLogFormat('\n  \n')).toThrow('the log has no non-empty lines');
  });

  it('the start of a file with no XPC line yet is not refused: the rest may hold one', () => {
    expect(detectLogFormat('just some words\n', 'big.log', false)).toBeNull();
  });

  it('an unknown prefix still yields the event, with what could be read', () => {
    const result = importLog(
      '<<host-7>> 2024-05-01T10:00:00Z sshd-ish Helper[77] says: [0x6000031c4000] activating connection: mach=true listener=false peer=false name=com.example.svc\n',
    );
    expect(result.format).toBe('text');
    const log = result.events.find((e) => e.kind === 'log');
    expect(log).toMatchObject({ process: 'Helper', pid: 77, t: Date.parse('2024-05-01T10:00:00Z') });
    expect(result.events.find((e) => e.kind === 'connection.state')).toMatchObject({
      name: 'com.example.svc',
      to: 'activating',
    });
  });
});
