import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asset, fixture, REDRAW, SPAWNS_TIMEOUT, scratch, xpcLab, xpcLabOnTerminal } from './xpc-lab';

const LOG = fixture('logs', 'written', 'sandbox-159.compact.log');

interface Perfetto {
  traceEvents: { name: string; ph: string; pid: number; args?: { name?: string } }[];
}

const csvRows = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\r\n');

describe('xpc-lab export', { timeout: SPAWNS_TIMEOUT }, () => {
  it("reads a Mac's log through the importer: Perfetto and a CSV of its events", () => {
    const dir = scratch();
    const r = xpcLab(['export', LOG, '--perfetto', join(dir, 'p.json'), '--csv', join(dir, 'e.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/not valid JSON/);
    expect(r.stderr).toContain(`xpc-lab export: 13 event rows → ${join(dir, 'e.csv')}`);
    const rows = csvRows(join(dir, 'e.csv'));
    expect(rows[0]).toBe('time,seq,kind,pid,conn,event');
    expect(rows).toHaveLength(1 + 13);
    // Each log line comes before the event it caused: launchd's denial, then the look-up it denied.
    expect(rows[1]).toMatch(
      /^2026-10-06T00:30:17\.050Z,0,log,1,,.*denied lookup: name = com\.apple\.pasteboard\.1/,
    );
    expect(rows[2]).toBe(
      '2026-10-06T00:30:17.050Z,1,lookup,53926,0x600002a6c000@53926,lookup com.apple.pasteboard.1 by pid 53926: error 159 (Sandbox restriction)',
    );
    expect(rows.filter((row) => row.includes(',lookup,'))).toHaveLength(5);
    const perfetto = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as Perfetto;
    const names = perfetto.traceEvents.filter((e) => e.name === 'process_name').map((e) => e.args?.name);
    // Processes are named as the log names them.
    expect(names).toEqual(expect.arrayContaining(['launchd', 'WebThumbnailExt']));
    expect(perfetto.traceEvents.filter((e) => e.ph !== 'M').length).toBeGreaterThanOrEqual(13);
  });

  it('exporting the log, or the trace import made of it, gives the same event rows', () => {
    const dir = scratch();
    expect(xpcLab(['import', LOG, '--trace', join(dir, 't.ndjson')]).code).toBe(0);
    expect(xpcLab(['export', LOG, '--csv', join(dir, 'from-log.csv')]).code).toBe(0);
    const r = xpcLab([
      'export',
      join(dir, 't.ndjson'),
      '--csv',
      join(dir, 'from-trace.csv'),
      '--rows',
      'events',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(csvRows(join(dir, 'from-trace.csv'))).toEqual(csvRows(join(dir, 'from-log.csv')));
  });

  it("a recorded trace's CSV is its message list; --json says what was written", () => {
    const dir = scratch();
    const trace = join(dir, 'run.ndjson');
    const ran = xpcLab(['run', '--scenario', asset('scenarios', 'on-demand-launch.yaml'), '--trace', trace]);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const r = xpcLab([
      'export',
      trace,
      '--csv',
      join(dir, 'm.csv'),
      '--perfetto',
      join(dir, 'p.json'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(join(dir, 'm.csv'));
    expect(rows[0]).toBe(
      'time,dir,conn,from,to,key,size,expectsReply,replyTo,latencyMs,payload,fromLabel,toLabel,service',
    );
    expect(rows.length).toBeGreaterThan(1);
    const doc = JSON.parse(r.stdout) as { events: number; outputs: unknown[] };
    expect(doc).toMatchObject({ source: trace, kind: 'trace', problems: 0 });
    expect(doc.events).toBe(readFileSync(trace, 'utf8').trim().split('\n').length - 1);
    expect(doc.outputs).toEqual([
      { format: 'perfetto', path: join(dir, 'p.json'), traceEvents: expect.any(Number) },
      { format: 'csv', path: join(dir, 'm.csv'), rows: 'messages', count: rows.length - 1 },
    ]);
  });

  it('exits 2 without an output, on a file that is neither a trace nor a log, and on a bad --rows', () => {
    const dir = scratch();
    const none = xpcLab(['export', LOG]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('xpc-lab export: name an output: --perfetto <file> and/or --csv <file>\n');
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'shopping list\nmilk\n');
    const neither = xpcLab(['export', notes, '--csv', join(dir, 'x.csv')]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(
      new RegExp(
        `^xpc-lab export: ${notes}: none of its 2 lines is a libxpc or launchd line .*; no line mentions xpc or launchd; the first line is text, 13 characters long\n$`,
      ),
    );
    const rows = xpcLab(['export', LOG, '--csv', join(dir, 'x.csv'), '--rows', 'lines']);
    expect(rows.code).toBe(2);
    expect(rows.stderr).toBe('xpc-lab export: --rows is "messages" or "events", not "lines"\n');
  });

  it('exits 2 on a file that does not exist, naming it', () => {
    const r = xpcLab(['export', '/nonexistent/session.ndjson', '--csv', join(scratch(), 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'xpc-lab export: cannot read /nonexistent/session.ndjson: the folder or file does not exist\n',
    );
  });

  it('exits 2 when an output cannot be written, naming it', () => {
    const r = xpcLab(['export', LOG, '--csv', '/nonexistent/dir/out.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'xpc-lab export: cannot write /nonexistent/dir/out.csv: the folder or file does not exist',
    );
  });

  it('shows reading progress on a terminal only', () => {
    const dir = scratch();
    const piped = xpcLab(['export', LOG, '--csv', join(dir, 'a.csv')]);
    expect(piped.stderr).not.toContain('reading');
    const tty = xpcLabOnTerminal(['export', LOG, '--csv', join(dir, 'b.csv')]);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(`${REDRAW}reading ${LOG}: 0.0 of 0.0 MB (0%)`);
  });
});
