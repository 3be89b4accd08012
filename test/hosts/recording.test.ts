import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveRecording } from '../../main/hosts/headless';
import { ReplaySession } from '../../main/session/replay';
import { recordSource } from '../../main/trace/live-recording';
import { readTrace } from '../../main/trace/reader';

const CLI = join(process.cwd(), 'bin', 'xpc-lab.mjs');
let child: ChildProcess | undefined;
afterEach(() => child?.kill('SIGKILL'));

/** Everything a child prints, and a way to wait for a line in it (seen already or still to come). */
function watch(proc: ChildProcess) {
  let out = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return async (re: RegExp): Promise<RegExpMatchArray> => {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const m = re.exec(out);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no line matching ${re} in:\n${out}`);
  };
}

describe('recording every session', () => {
  it('a session killed with SIGKILL reopens with everything up to the last flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-sessions-'));
    child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--sessions', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = watch(child);
    const [, path] = await line(/recording to (\S+\.ndjson)/);
    await line(/console: http/);
    // Kill once the file on disk already holds more than a second of traffic: what was flushed must survive.
    let flushed = 0;
    await expect
      .poll(
        async () => {
          const { events } = await readTrace(path!);
          flushed = events.length;
          return events.some((e) => e.kind === 'message') && events.at(-1)!.t - events[0]!.t > 1000;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));

    const trace = await readTrace(path!);
    expect(trace.events.length).toBeGreaterThanOrEqual(flushed);
    expect(trace.header).toMatchObject({ format: 'xpc-lab-trace', host: 'headless', world: 'Acme VPN' });
    expect(trace.problems).toEqual([]);
    const kinds = new Set(trace.events.map((e) => e.kind));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['world.loaded', 'process.spawn', 'connection.state', 'message']),
    );
    const lastT = trace.events.at(-1)!.t;
    const firstT = trace.events[0]!.t;
    expect(lastT - firstT).toBeGreaterThan(1000);

    const replay = await serveRecording(path!, { kind: 'trace' });
    try {
      await replay.loaded;
      const hello = (await replay.session.handle({ type: 'hello' })) as {
        ok: true;
        value: { mode: string; snapshot: { processes: Record<string, unknown> } };
      };
      expect(hello.value.mode).toBe('trace');
      // The app, its agent and the network extension start at load; the others start on demand later.
      expect(Object.keys(hello.value.snapshot.processes).length).toBeGreaterThanOrEqual(3);
      expect(await replay.session.handle({ type: 'crash', pid: 123 })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/needs a live session/),
      });
    } finally {
      await replay.stop();
    }
  });

  it('a corrupt line in a trace is named and the rest still opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-trace-'));
    const file = join(dir, 'broken.ndjson');
    const header = JSON.stringify({
      format: 'xpc-lab-trace',
      v: 1,
      created: '2026-11-23T00:00:00Z',
      host: 'headless',
    });
    const ok = (seq: number) => JSON.stringify({ v: 1, seq, t: 1000 + seq, kind: 'action', action: 'crash' });
    writeFileSync(file, [header, ok(0), '{"v":1,"seq":1,"kind":', ok(2)].join('\n'));
    const replay = await serveRecording(file, { kind: 'trace' });
    try {
      expect(await replay.loaded).toEqual({ events: 2, problems: 1 });
      const diag = replay.session.hub.window.toArray().find((e) => e.kind === 'diagnostic');
      expect(diag).toMatchObject({ key: 'line 3' });
    } finally {
      await replay.stop();
    }
  });
});

describe('the command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  it('import --json counts what a real log excerpt holds', () => {
    const r = run('import', 'test/fixtures/logs/written/nextcloud-10479.default.log', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      format: 'default',
      listeners: 1,
      invalidationsByReason: { 'listener failed to activate': 1 },
    });
  });

  it('import of something that is not a log says so and exits 2', () => {
    const r = run('import', 'package.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/package\.json: none of its \d+ lines is a libxpc or launchd line/);
  });

  it('import --trace writes a trace that export turns into Perfetto JSON and CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-cli-'));
    const trace = join(dir, 'imported.ndjson');
    expect(run('import', 'test/fixtures/logs/written/vmnet.syslog.log', '--trace', trace).status).toBe(0);
    const perfetto = join(dir, 'out.json');
    const csv = join(dir, 'out.csv');
    const r = run('export', trace, '--perfetto', perfetto, '--csv', csv, '--redact');
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(perfetto, 'utf8')) as { traceEvents: { ph: string }[] };
    expect(json.traceEvents.some((e) => e.ph === 'M')).toBe(true);
    expect(existsSync(csv)).toBe(true);
  });

  it('an unknown command is named, with where to find the commands, and exits 2', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("xpc-lab: unknown command 'frobnicate'\n(xpc-lab --help lists the commands)\n");
  });

  it('a sessions folder that cannot be made is named with its own cause, once, and serve does not claim to record', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xpc-lab-sessions-')), 'a-file');
    writeFileSync(file, '');
    const dir = join(file, 'sessions');
    const source = new ReplaySession({ name: 'test', path: file, host: 'headless', kind: 'trace' });
    const recorder = recordSource(source, { dir, host: 'headless', world: 'test' });
    expect(source.recording?.error).toBe(
      `Recording stopped: cannot create the folder ${dir}: part of the path is a file, not a folder.`,
    );
    await expect.poll(() => recorder.state).toBe('stopped');
    const diagnostics = source.hub.window.toArray().filter((e) => e.kind === 'diagnostic');
    expect(diagnostics.map((d) => (d as { message: string }).message)).toEqual([
      expect.stringMatching(
        /^Recording stopped: cannot create .*: part of the path is a file, not a folder\.$/,
      ),
    ]);
    await recorder.close();

    child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--sessions', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = watch(child);
    await line(/console: http/);
    const [notRecording] = await line(/XPC Lab: not recording: .*/);
    expect(notRecording).toBe(
      `XPC Lab: not recording: Recording stopped: cannot create the folder ${dir}: part of the path is a file, not a folder.`,
    );
    expect((await line(/[\s\S]*/))[0]).not.toMatch(/recording to/);
  });
});
