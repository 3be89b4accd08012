import { describe, expect, it } from 'vitest';
import { job, setup } from './harness';

const LONG = `/var/folders/xj/2k9v4qzd0nb5fx7lqy2v6rlc0000gn/T/${'x'.repeat(60)}.sock`;

function world() {
  const daemon = job('com.example.sockd', {
    sockets: [
      { path: '/var/run/open.sock', mode: 0o666 },
      { path: '/var/run/root.sock', mode: 0o600 },
      { path: LONG, mode: 0o666 },
    ],
  });
  const agent = job('com.example.agent', {
    type: 'LaunchAgent',
    domainKind: 'gui',
    runAtLoad: true,
    machServices: [],
  });
  const rootTool = job('com.example.tool', { runAtLoad: true, machServices: [] });
  return setup([daemon, agent, rootTool]);
}

describe('Unix domain sockets next to Mach services (XPC-MODEL §10.7)', () => {
  it('launchd binds the sockets at load; one over 104 bytes fails with ENAMETOOLONG', () => {
    const { rec } = world();
    expect(rec.logs()).toContain(
      `(system/com.example.sockd) <Error>: bind(${LONG}): [63: File name too long]`,
    );
    expect(rec.of('diagnostic')).toContainEqual(
      expect.objectContaining({ key: 'Sockets', severity: 'error' }),
    );
  });

  it('the agent connects to a 0666 socket; the console sees a connection named by its path', () => {
    const { rec, spawner } = world();
    spawner.running('com.example.agent').say({ t: 'socketConnect', conn: 's1', path: '/var/run/open.sock' });
    const states = rec.of('connection.state').filter((e) => e.name === 'unix:/var/run/open.sock');
    expect(states.map((e) => e.to)).toEqual(['activating', 'connected']);
  });

  it("a root daemon's 0600 socket refuses the agent with EACCES, but not another root process", () => {
    const { rec, spawner } = world();
    const agent = spawner.running('com.example.agent');
    agent.say({ t: 'socketConnect', conn: 's1', path: '/var/run/root.sock' });
    expect(rec.logs()).toContain('connect(/var/run/root.sock): [13: Permission denied]');
    expect(rec.of('connection.state').at(-1)).toMatchObject({
      to: 'invalidated',
      cause: expect.stringContaining('owned by root with mode 0600, which does not let uid 501 write to it'),
    });
    spawner.running('com.example.tool').say({ t: 'socketConnect', conn: 's2', path: '/var/run/root.sock' });
    expect(rec.of('connection.state').at(-1)).toMatchObject({ to: 'connected' });
  });

  it('connect() with a path over 104 bytes fails with ENAMETOOLONG; a path nothing is bound at with ENOENT', () => {
    const { rec, spawner } = world();
    const agent = spawner.running('com.example.agent');
    agent.say({ t: 'socketConnect', conn: 's1', path: LONG });
    expect(rec.logs()).toContain(`connect(${LONG}): [63: File name too long]`);
    agent.say({ t: 'socketConnect', conn: 's2', path: '/var/run/nothing.sock' });
    expect(rec.logs()).toContain('connect(/var/run/nothing.sock): [2: No such file or directory]');
  });

  it('a bootout unbinds the sockets', () => {
    const { broker, rec, spawner } = world();
    broker.launchctl.bootout('system/com.example.sockd');
    spawner.running('com.example.agent').say({ t: 'socketConnect', conn: 's1', path: '/var/run/open.sock' });
    expect(rec.logs()).toContain('connect(/var/run/open.sock): [2: No such file or directory]');
  });
});
