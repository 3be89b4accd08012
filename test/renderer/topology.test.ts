import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../main/trace/model';
import type { TraceEvent } from '../../main/trace/schema';
import { layoutTopology, STUB, stubLabel } from '../../renderer/views/topology/layout';

let seq = 0;
const ev = (e: Record<string, unknown>) => ({ v: 1, seq: seq++, t: seq, ...e }) as TraceEvent;

function world() {
  const m = new WorldModel();
  const spawn = (pid: number, label: string, domain: string) =>
    m.apply(ev({ kind: 'process.spawn', pid, label, domain, program: '/p', reason: 'ipc (mach)' }));
  spawn(10, 'com.acme.vpn', 'gui/501');
  spawn(20, 'com.acme.vpn.helper', 'system');
  spawn(30, 'com.acme.vpn.logparser', 'pid/10');
  m.apply(
    ev({
      kind: 'service.register',
      name: 'com.acme.vpn.helper',
      domain: 'system',
      label: 'com.acme.vpn.helper',
      origin: 'MachServices',
    }),
  );
  const state = (conn: string, pid: number, name: string, to: string, extra = {}) =>
    m.apply(
      ev({ kind: 'connection.state', conn, side: 'client', pid, name, from: 'activating', to, ...extra }),
    );
  state('0x1', 10, 'com.acme.vpn.helper', 'connected', { peerPid: 20, peerConn: '0x2' });
  state('0x3', 10, 'com.nowhere', 'invalidated', {
    error: 'XPC_ERROR_CONNECTION_INVALID',
    cause: 'failed at lookup',
  });
  return m;
}

describe('the topology layout', () => {
  it('puts the user side left and system right, XPC services under their app, services in their vendor', () => {
    const t = layoutTopology(world().state, 1000);
    expect(t.columns.map((c) => c.domain)).toEqual(['gui/501', 'system']);
    expect(t.groups.map((g) => g.label)).toEqual(['pid/10']);
    const helper = t.nodes.find((n) => n.label === 'com.acme.vpn.helper');
    expect(helper?.services).toEqual(['com.acme.vpn.helper']);
  });

  it('draws a client connection to the service row of the serving process, and a stub when nothing serves it', () => {
    const t = layoutTopology(world().state, 1000);
    const ok = t.edges.find((e) => e.conn.conn === '0x1');
    expect([ok?.from.pid, ok?.to?.pid, ok?.serviceRow]).toEqual([10, 20, 0]);
    const broken = t.edges.find((e) => e.conn.conn === '0x3');
    expect(broken?.to).toBeUndefined();
  });

  it('says whether a stub is a broken link or a service not started yet, and leaves room for it before the next column', () => {
    const m = world();
    m.apply(
      ev({
        kind: 'connection.state',
        conn: '0x5',
        side: 'client',
        pid: 10,
        name: 'com.acme.vpn.a-rather-long-on-demand-service-name',
        from: 'activating',
        to: 'connected',
      }),
    );
    const t = layoutTopology(m.state, 1000);
    const stubs = t.edges.filter((e) => !e.to);
    expect(stubs.map((e) => stubLabel(e.conn))).toEqual([
      '✕ com.nowhere',
      '○ com.acme.vpn.a-rather-long-on-demand-service-name · not running',
    ]);
    const system = t.columns.find((c) => c.domain === 'system')!;
    for (const e of stubs) {
      const labelEnd = e.from.x + e.from.w + STUB.offset + stubLabel(e.conn).length * STUB.charW;
      expect(labelEnd).toBeLessThan(system.x);
    }
    expect(t.width).toBeGreaterThanOrEqual(system.x + system.w);
  });

  it('keeps a crashed service on the map while a broken link points at it, and retargets to its relaunch', () => {
    const m = world();
    m.apply(
      ev({
        kind: 'process.exit',
        pid: 20,
        label: 'com.acme.vpn.helper',
        domain: 'system',
        cause: 'crash',
        code: null,
        signal: 'SIGSEGV',
        ranForMs: 1,
        clean: false,
        detail: 'crashed',
      }),
    );
    m.apply(
      ev({
        kind: 'connection.state',
        conn: '0x1',
        side: 'client',
        pid: 10,
        name: 'com.acme.vpn.helper',
        from: 'connected',
        to: 'interrupted',
        error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      }),
    );
    expect(layoutTopology(m.state, 1000).edges.find((e) => e.conn.conn === '0x1')?.to?.pid).toBe(20);
    m.apply(
      ev({
        kind: 'process.spawn',
        pid: 21,
        label: 'com.acme.vpn.helper',
        domain: 'system',
        program: '/p',
        reason: 'ipc (mach)',
      }),
    );
    expect(layoutTopology(m.state, 1000).edges.find((e) => e.conn.conn === '0x1')?.to?.pid).toBe(21);
  });
});
