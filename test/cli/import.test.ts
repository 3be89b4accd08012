import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, REDRAW, SPAWNS_TIMEOUT, scratch, xpcLab, xpcLabOnTerminal } from './xpc-lab';

const LOG = fixture('logs', 'written', 'sandbox-159.compact.log');

describe('xpc-lab import', { timeout: SPAWNS_TIMEOUT }, () => {
  it('prints a human summary by default: style, lines used, and the XPC story in counts', () => {
    const r = xpcLab(['import', LOG]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        `${LOG}: compact style, 7 lines of 11 about XPC or launchd, 13 events`,
        '  processes        6',
        '  connections      0 activated, 0 listeners',
        '  invalidations    1 (1 × failed init)',
        '  interruptions    0',
        '  lookup failures  5 (3 × 3: No such process, 2 × 159: Sandbox restriction)',
        '',
      ].join('\n'),
    );
  });

  it('--json prints the documented shape with the same figures', () => {
    const r = xpcLab(['import', LOG, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      source: LOG,
      events: 13,
      format: 'compact',
      linesRead: 11,
      linesUsed: 7,
      processes: 6,
      connectionsActivated: 0,
      listeners: 0,
      invalidationsByReason: { 'failed init': 1 },
      interruptions: 0,
      lookupFailuresByError: { '3: No such process': 3, '159: Sandbox restriction': 2 },
    });
  });

  it('--summary with --trace prints the human summary, not JSON, and the trace holds every event', () => {
    const out = join(scratch(), 'out.ndjson');
    const r = xpcLab(['import', LOG, '--trace', out, '--summary']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^.*compact style, 7 lines of 11 about XPC or launchd, 13 events\n/);
    expect(() => JSON.parse(r.stdout)).toThrow();
    expect(r.stderr).toContain(`xpc-lab import: 13 events from 7 of 11 lines (compact) → ${out}`);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'xpc-lab-trace', host: 'import' });
    expect(lines).toHaveLength(1 + 13);
  });

  it('exits 2 on a file in no log style, naming it and what it looked at', () => {
    const notes = join(scratch(), 'notes.txt');
    writeFileSync(notes, 'shopping list\nmilk\n');
    const r = xpcLab(['import', notes]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^xpc-lab import: ${notes}: none of its 2 lines is a libxpc or launchd line .*; no line mentions xpc or launchd; the first line is text, 13 characters long\n$`,
      ),
    );
  });

  it('exits 2 on a file that does not exist, and when no file is named', () => {
    const r = xpcLab(['import', '/nonexistent/customer.log']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'xpc-lab import: cannot read log /nonexistent/customer.log: the folder or file does not exist\n',
    );
    expect(xpcLab(['import']).code).toBe(2);
  });

  it('shows progress on a terminal, and none when stderr is not one', () => {
    const piped = xpcLab(['import', LOG]);
    expect(piped.stderr).not.toContain('importing');
    expect(piped.stderr).not.toContain('\x1b[K');
    const tty = xpcLabOnTerminal(['import', LOG]);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(`${REDRAW}importing ${LOG}: 0.0 of 0.0 MB (0%)`);
    // The line is cleared before the summary is printed.
    const after = tty.stdout.slice(tty.stdout.lastIndexOf(REDRAW) + REDRAW.length);
    expect(after).not.toContain('importing');
    expect(after).toContain('compact style, 7 lines of 11');
  });
});
