import { describe, expect, it } from 'vitest';
import { summarize } from '../../../main/trace/import';
import { importFixture } from './fixtures';

describe('summarize', () => {
  it('nextcloud/desktop#10479 (default style)', () => {
    expect(summarize(importFixture('nextcloud-10479.default.log'))).toEqual({
      format: 'default',
      linesRead: 13,
      linesUsed: 3,
      processes: 2,
      connectionsActivated: 2,
      listeners: 1,
      invalidationsByReason: { 'listener failed to activate': 1 },
      interruptions: 0,
      lookupFailuresByError: {},
    });
  });

  it('XPC-MODEL §3.5 look-up failures (compact style): the paired 159 counts once', () => {
    expect(summarize(importFixture('sandbox-159.compact.log'))).toEqual({
      format: 'compact',
      linesRead: 11,
      linesUsed: 7,
      processes: 6,
      connectionsActivated: 0,
      listeners: 0,
      invalidationsByReason: { 'failed init': 1 },
      interruptions: 0,
      lookupFailuresByError: { '159: Sandbox restriction': 2, '3: No such process': 3 },
    });
  });

  it('vmnet sequence (syslog style)', () => {
    expect(summarize(importFixture('vmnet.syslog.log'))).toMatchObject({
      connectionsActivated: 3,
      listeners: 1,
      invalidationsByReason: { 'failed reconnect': 1, 'last release': 1 },
      interruptions: 1,
    });
  });

  it('coder/coder-desktop-macos#121 (Console copy): both cancels count under one reason', () => {
    expect(summarize(importFixture('coder-121.console-subsystem.txt'))).toMatchObject({
      processes: 1,
      connectionsActivated: 2,
      invalidationsByReason: { cancelled: 2 },
    });
  });

  it('XPC-MODEL §7.4 json: reasons of three kinds, and the result is plain JSON', () => {
    const summary = summarize(importFixture('lookup-159.json'));
    expect(summary.invalidationsByReason).toEqual({
      'failed init': 1,
      'last release': 1,
      'client cancelled or exited': 1,
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});
