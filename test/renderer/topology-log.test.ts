import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLog } from '../../main/trace/import';
import { WorldModel } from '../../main/trace/model';
import { buildEventRows } from '../../renderer/views/event-rows';
import { layoutTopology } from '../../renderer/views/topology/layout';

const REAL = join(import.meta.dirname, '../fixtures/real/logs');
const WRITTEN = join(import.meta.dirname, '../fixtures/logs/written');

function world(path: string) {
  const { events } = importLog(readFileSync(path, 'utf8'), { source: path });
  const model = new WorldModel();
  for (const e of events) model.apply(e);
  return { events, model };
}

describe('a log reads like a world', () => {
  it('copilotforxcode-35-git: both processes are boxes, named, and their connections are drawn by pointer', () => {
    const { model } = world(join(REAL, 'copilotforxcode-35-git.console.txt'));
    const t = layoutTopology(model.state, 1000);
    expect(t.nodes.map((n) => n.label).sort()).toEqual(['Xcode', 'com.apple.dt.Xcode.sourcecontrol.Git']);
    const xcode = Object.values(model.state.connections).filter((c) => c.conn.endsWith('@Xcode'));
    expect(xcode.map((c) => `${c.conn} ${c.state}`).sort()).toEqual([
      '0x111232090@Xcode invalidated',
      '0x111319c60@Xcode invalidated',
      '0x1117f0390@Xcode activating',
      '0x1117f0c30@Xcode activating',
      '0x13496b160@Xcode activating',
    ]);
    expect(model.state.connections['0x111232090@Xcode']?.reason).toBe(
      'the current process cancelled the connection by calling xpc_connection_cancel()',
    );
    expect(t.edges.filter((e) => e.from.label === 'Xcode').map((e) => e.conn.name)).toContain(
      'com.apple.dt.Xcode.sourcecontrol.Git',
    );
  });

  it('forum-816702: the listener is its process vending the name; a bare line adds no process', () => {
    const { model } = world(join(REAL, 'forum-816702.syslog-and-bare.txt'));
    const t = layoutTopology(model.state, 1000);
    expect(t.nodes.map((n) => [n.label, n.pid, n.services])).toEqual([
      ['fgstnehost', 58884, ['TEAM_ID.group.app_id.netfilter.xpc']],
    ]);
  });

  it('ssdpmenabler-19: jobs that only exit in the log are there, named, exited, and not clean', () => {
    const { model } = world(join(REAL, 'ssdpmenabler-19.system.log'));
    const p = model.state.processes[17591];
    expect(p).toMatchObject({ label: 'com.apple.dt.IDECacheDeleteAppExtension', state: 'exited' });
    expect(p?.exit).toMatchObject({ cause: 'exit', code: 1, clean: false });
    expect(model.state.processes[17593]?.exit).toMatchObject({ signal: 'SIGKILL', cause: 'killed' });
    expect(model.state.processes[1]).toMatchObject({ label: 'com.apple.xpc.launchd', state: 'running' });
  });

  it('a clean exit(0) is an exit of its own job, shown as clean, with its own line on it', () => {
    const { events, model } = world(join(WRITTEN, 'launchd-composite.syslog.log'));
    expect(model.state.processes[4242]?.exit).toMatchObject({ code: 0, clean: true });
    const rows = buildEventRows(events, { logs: true, pred: null, world: model.state });
    const exit = rows.find((r) => r.e.kind === 'process.exit' && r.e.pid === 4242);
    expect(exit?.x?.tone).toBe('info');
    expect(exit?.x?.title).toBe('com.example.agent (pid 4242) exited: exit(0)');
    expect(exit?.logs.map((l) => l.text)).toEqual([
      '(gui/501/com.example.agent [4242]) <Notice>: exited due to exit(0), ran for 11709ms',
    ]);
    const spawn = rows.find((r) => r.e.kind === 'process.spawn' && r.e.pid === 4242);
    expect(spawn?.logs.map((l) => l.text)).toEqual([
      '(gui/501/com.example.agent [4242]) <Notice>: Successfully spawned agent[4242] because ipc (mach)',
    ]);
  });
});
