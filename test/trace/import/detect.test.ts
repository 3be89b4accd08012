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
    ['coder-121.console.txt', 'console-copy'],
    ['coder-121.console-subsystem.txt', 'console-copy'],
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
    expect(detectLogFormat('{"timestamp":"2025-07-27 15:47:10.504275-0400","eventMessage":"x"}\n')).toBe(
      'ndjson',
    );
    expect(
      detectLogFormat('[\n  {"timestamp":"2025-07-27 15:47:10.504275-0400","eventMessage":"x"}\n]'),
    ).toBe('json');
  });

  it('an unknown format gets UnknownLogFormatError naming the lines and the styles it tried', () => {
    const text = Array.from(
      { length: 30 },
      (_, i) => `127.0.0.1 - - [10/Oct/2000:13:55:${i}] "GET / HTTP/1.0" 200`,
    ).join('\n');
    let error: unknown;
    try {
      detectLogFormat(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnknownLogFormatError);
    const message = (error as Error).message;
    expect(message).toContain(
      'the first 20 non-empty lines match none of: log show default, compact, syslog, json, ndjson, Console copy',
    );
    // The refusal says what kind of line it saw, never what the line holds.
    expect(message).toMatch(/\(the first line is text, 56 characters long\)$/);
    expect(message).not.toContain('127.0.0.1');
    expect((error as UnknownLogFormatError).sample).toHaveLength(20);
  });

  it('importLog names the source in the error, and an empty log says it is empty', () => {
    expect(() => importLog('just some words\n', { source: 'notes.txt' })).toThrow(
      /^notes\.txt: the only non-empty line matches none of: /,
    );
    expect(() => detectLogFormat('\n  \n')).toThrow('the log has no non-empty lines');
  });
});
