import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../../main/trace/model';
import type { TraceEvent } from '../../main/trace/schema';
import { compileFilter } from '../../renderer/filter';
import { buildEventRows } from '../../renderer/views/event-rows';

let seq = 0;
const ev = (e: Record<string, unknown>) => ({ v: 1, seq: seq++, t: seq, ...e }) as TraceEvent;
const log = (text: string, conn?: string) =>
  ev({
    kind: 'log',
    subsystem: 'com.apple.xpc',
    category: 'connection',
    process: 'p',
    pid: 9,
    level: 'Default',
    text,
    ...(conn ? { conn } : {}),
  });

const events: TraceEvent[] = [
  log(
    '(system/com.acme.vpn.helper [25800]) <Notice>: exited due to SIGSEGV | sent by launchd[1], ran for 678ms',
  ),
  ev({
    kind: 'process.exit',
    pid: 25800,
    label: 'com.acme.vpn.helper',
    domain: 'system',
    cause: 'crash',
    code: null,
    signal: 'SIGSEGV',
    ranForMs: 678,
    clean: false,
    detail: 'com.acme.vpn.helper[25800] crashed (SIGSEGV)',
  }),
  log(
    '[0x1] Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED',
    '0x1',
  ),
  ev({
    kind: 'connection.state',
    conn: '0x1',
    side: 'client',
    pid: 5,
    name: 'com.acme.vpn.helper',
    from: 'connected',
    to: 'interrupted',
    error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
    cause: 'helper crashed',
  }),
  log('an unrelated line'),
];

describe('the events timeline', () => {
  it('puts each log line under the event it belongs to, with what it means and what to do', () => {
    const rows = buildEventRows(events, { logs: true, pred: null, world: emptySnapshot() });
    expect(rows.map((r) => r.e.kind)).toEqual(['process.exit', 'connection.state', 'log']);
    expect(rows[0]?.logs.map((l) => l.text)).toEqual([expect.stringMatching(/exited due to SIGSEGV/)]);
    expect(rows[0]?.x?.todo).toMatch(/ThrottleInterval/);
    expect(rows[1]?.logs[0]?.text).toMatch(/Re-initialization successful/);
    expect(rows[1]?.x?.means).toMatch(/XPC-MODEL §1.2 rule 1/);
  });

  it('hides lone log lines on request and applies the filter', () => {
    const r = compileFilter('kind == connection.state');
    if (!r.ok || !r.filter) throw new Error('filter');
    expect(buildEventRows(events, { logs: false, pred: null, world: emptySnapshot() })).toHaveLength(2);
    const rows = buildEventRows(events, { logs: true, pred: r.filter.event, world: emptySnapshot() });
    expect(rows.map((x) => x.e.kind)).toEqual(['connection.state']);
  });
});
