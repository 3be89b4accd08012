import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRecording } from '../../main/hosts/sources';
import { ReplaySession } from '../../main/session/replay';
import { WorldModel } from '../../main/trace/model';
import { streamTrace } from '../../main/trace/reader';
import type { EventInput, TraceEvent } from '../../main/trace/schema';
import { connState, eventMaker, spawn, T0 } from '../trace/event-fixtures';

const HELPER = 'com.acme.vpn.helper';

function exit(pid: number, label: string, clean: boolean): EventInput {
  return {
    kind: 'process.exit',
    pid,
    label,
    domain: 'gui/501',
    cause: clean ? 'idle-exit' : 'crash',
    code: null,
    signal: clean ? null : 'SIGSEGV',
    ranForMs: 1000,
    clean,
    detail: clean ? 'idle exit' : 'crashed (SIGSEGV)',
  };
}

function request(id: number): EventInput {
  return { kind: 'message', id, conn: '0x1', from: 100, to: 200, dir: 'send', size: 64, expectsReply: true };
}

function reply(id: number): EventInput {
  return {
    kind: 'message',
    id: id + 1,
    conn: '0x2',
    from: 200,
    to: 100,
    dir: 'reply',
    size: 32,
    expectsReply: false,
    replyTo: id,
  };
}

/**
 * An app (pid 100) talking to a helper (pid 200): thousands of request/reply
 * pairs, a crash at 10 s that interrupts the connection, the relaunch (pid 201)
 * at 12 s, more traffic, then a cancel that invalidates it at 20 s.
 */
function story(): TraceEvent[] {
  const ev = eventMaker();
  const out: TraceEvent[] = [];
  const at = (input: EventInput, ms: number) => out.push(ev(input, ms));
  at(spawn(100, 'com.acme.vpn'), 0);
  at({ ...spawn(200, HELPER), domain: 'system' } as EventInput, 5);
  at(connState('0x1', 100, 'inactive', 'activating', { name: HELPER }), 10);
  at(connState('0x1', 100, 'activating', 'connected', { name: HELPER, peerConn: '0x2', peerPid: 200 }), 20);
  at(
    connState('0x2', 200, 'inactive', 'connected', {
      name: HELPER,
      side: 'peer',
      peerConn: '0x1',
      peerPid: 100,
    }),
    21,
  );
  // Pairs every 3 ms up to the crash; the last request never gets its reply.
  let id = 1;
  for (let ms = 30; ms < 9_990; ms += 3, id += 2) {
    at(request(id), ms);
    if (ms < 9_985) at(reply(id), ms + 1);
  }
  at(exit(200, HELPER, false), 10_000);
  at(
    connState('0x1', 100, 'connected', 'interrupted', {
      name: HELPER,
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      cause: `${HELPER} exited (SIGSEGV)`,
    }),
    10_001,
  );
  at(
    connState('0x2', 200, 'connected', 'invalidated', {
      name: HELPER,
      side: 'peer',
      error: 'XPC_ERROR_CONNECTION_INVALID',
    }),
    10_002,
  );
  at({ ...spawn(201, HELPER), domain: 'system' } as EventInput, 12_000);
  at(
    connState('0x1', 100, 'interrupted', 'connected', { name: HELPER, peerConn: '0x3', peerPid: 201 }),
    12_001,
  );
  at(
    connState('0x3', 201, 'inactive', 'connected', {
      name: HELPER,
      side: 'peer',
      peerConn: '0x1',
      peerPid: 100,
    }),
    12_002,
  );
  for (let ms = 12_010; ms < 19_990; ms += 4, id += 2) {
    at({ ...request(id), to: 201 } as EventInput, ms);
    at({ ...reply(id), conn: '0x3', from: 201 } as EventInput, ms + 2);
  }
  at(
    connState('0x1', 100, 'connected', 'invalidated', {
      name: HELPER,
      error: 'XPC_ERROR_CONNECTION_INVALID',
      cause: 'cancelled by the client',
    }),
    20_000,
  );
  at(
    connState('0x3', 201, 'connected', 'invalidated', {
      name: HELPER,
      side: 'peer',
      error: 'XPC_ERROR_CONNECTION_INVALID',
    }),
    20_001,
  );
  at(exit(201, HELPER, true), 25_000);
  return out;
}

function writeTrace(events: TraceEvent[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-scrub-'));
  const path = join(dir, 'story.ndjson');
  const header = {
    format: 'xpc-lab-trace',
    v: 1,
    created: '2026-11-23T12:00:00Z',
    host: 'headless',
    world: 'Story',
  };
  writeFileSync(path, `${[header, ...events].map((e) => JSON.stringify(e)).join('\n')}\n`);
  return path;
}

/** What the model says at t when built the slow way: every event up to the first later than t. */
function reference(events: TraceEvent[], t: number) {
  const model = new WorldModel();
  for (const e of events) {
    if (e.t > t) break;
    model.apply(e);
  }
  return model.state;
}

async function snapshotAt(session: ReplaySession, t: number) {
  const reply = await session.handle({ type: 'modelAt', t });
  if (!reply.ok) throw new Error(reply.error);
  return reply.value as { seq: number; reached: number | null; snapshot: ReturnType<typeof reference> };
}

/** A small window and small chunks, loaded the way the hosts load a trace. */
async function loadSmall(path: string, windowSize: number, chunkBytes = 4096): Promise<ReplaySession> {
  const session = new ReplaySession(
    { name: 'story', path, host: 'headless', kind: 'trace' },
    { windowSize, checkpoints: { every: 500, max: 16 } },
  );
  await streamTrace(path, (e, resumeAt) => session.add(e, resumeAt), {
    chunkBytes,
    onProgress: (done, total) => {
      session.progress = { done, total };
    },
  });
  return session;
}

const events = story();
const path = writeTrace(events);
const instants = [
  -1, 0, 5, 19, 20, 5_000, 9_999, 10_000, 10_001, 11_999, 12_000, 12_001, 15_123.5, 19_999, 20_000, 24_999,
  25_000, 99_999,
];

describe('scrubbing a reopened trace', () => {
  it('answers the state at any instant the way a full replay up to it would', async () => {
    const { session, loaded } = openRecording(path, 'trace', 'headless');
    await loaded;
    for (const t of instants)
      expect((await snapshotAt(session, T0 + t)).snapshot, `at +${t} ms`).toEqual(reference(events, T0 + t));
  });

  it('shows a connection connected before its invalidation and invalidated after, a crash and the relaunch', async () => {
    const { session, loaded } = openRecording(path, 'trace', 'headless');
    await loaded;
    const before = (await snapshotAt(session, T0 + 9_000)).snapshot;
    expect(before.connections['0x1']).toMatchObject({ state: 'connected', peerPid: 200 });
    expect(before.processes['200']).toMatchObject({ state: 'running' });
    expect(before.processes['201']).toBeUndefined();

    const crashed = (await snapshotAt(session, T0 + 11_000)).snapshot;
    expect(crashed.processes['200']).toMatchObject({
      state: 'exited',
      exit: { cause: 'crash', signal: 'SIGSEGV' },
    });
    expect(crashed.connections['0x1']).toMatchObject({
      state: 'interrupted',
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
    });
    expect(crashed.processes['201']).toBeUndefined();

    const relaunched = (await snapshotAt(session, T0 + 15_000)).snapshot;
    expect(relaunched.processes['201']).toMatchObject({ state: 'running' });
    expect(relaunched.connections['0x1']).toMatchObject({ state: 'connected', peerPid: 201 });

    const after = await snapshotAt(session, T0 + 20_000);
    expect(after.snapshot.connections['0x1']).toMatchObject({
      state: 'invalidated',
      cause: 'cancelled by the client',
    });
    expect(after.reached).toBe(T0 + 20_000);

    const start = await snapshotAt(session, T0 - 1);
    expect(start).toMatchObject({ seq: -1, reached: null, snapshot: { processes: {}, connections: {} } });
  });

  // Chunks smaller than a line make checkpoints fall on lines that began in an earlier chunk.
  it.each([4096, 997, 61])(
    're-reads from the file what a window smaller than the trace has let go of (%i-byte reads)',
    async (chunkBytes) => {
      const session = await loadSmall(path, 1000, chunkBytes);
      expect(session.hub.window.dropped).toBeGreaterThan(events.length - 1000 - 1);
      for (const t of instants)
        expect((await snapshotAt(session, T0 + t)).snapshot, `at +${t} ms`).toEqual(
          reference(events, T0 + t),
        );
    },
  );

  it('keeps few checkpoints however long the trace, thinning them evenly', async () => {
    const session = new ReplaySession(
      { name: 'story', path, host: 'headless', kind: 'trace' },
      { windowSize: 100, checkpoints: { every: 100, max: 8 } },
    );
    for (const e of events) session.add(e);
    const cps = (session as unknown as { checkpoints: { size: number; spacing: number } }).checkpoints;
    expect(cps.size).toBeLessThanOrEqual(8);
    expect(cps.spacing).toBeGreaterThanOrEqual(events.length / 8);
  });

  it('says so when a source not read from a file has let go of the events an instant needs', async () => {
    const session = new ReplaySession(
      { name: 'log', path: '/nonexistent.log', host: 'headless', kind: 'log' },
      { windowSize: 1000, checkpoints: { every: 500 } },
    );
    for (const e of events) session.add(e);
    expect((await snapshotAt(session, T0 + 24_000)).snapshot).toEqual(reference(events, T0 + 24_000));
    expect(await session.handle({ type: 'modelAt', t: T0 + 5_000 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no longer in memory/),
    });
  });

  it('says so when the file no longer holds what was loaded', async () => {
    const copy = writeTrace(events);
    const session = await loadSmall(copy, 1000);
    // The same story recorded again without its first hundred events: every line has moved.
    writeFileSync(copy, readFileSync(writeTrace(events.slice(100)), 'utf8'));
    const reply = await session.handle({ type: 'modelAt', t: T0 + 5_000 });
    expect(reply).toMatchObject({ ok: false, error: expect.stringMatching(/no longer holds the events/) });
  });

  it('summarises the timeline: extent, density and the moments worth a mark', async () => {
    const { session, loaded } = openRecording(path, 'trace', 'headless');
    await loaded;
    const reply = await session.handle({ type: 'timeline' });
    if (!reply.ok) throw new Error(reply.error);
    const tl = reply.value as {
      start: number;
      end: number;
      events: number;
      bucketMs: number;
      density: number[];
      markers: { t: number; kind: string; label: string }[];
      loading: boolean;
    };
    expect(tl).toMatchObject({ start: T0, end: T0 + 25_000, events: events.length, loading: false });
    expect(tl.density.reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(tl.density.length).toBeLessThanOrEqual(1024);
    expect(tl.density.length * tl.bucketMs).toBeGreaterThan(25_000);
    expect(tl.markers).toEqual([
      { t: T0 + 10_000, kind: 'crash', label: `${HELPER} [200] crashed (SIGSEGV)` },
      {
        t: T0 + 20_000,
        kind: 'invalidated',
        label: `com.acme.vpn → ${HELPER} invalidated: cancelled by the client`,
      },
    ]);
  });

  it('refuses a time that is not a number', async () => {
    const session = new ReplaySession({ name: 'x', path, host: 'headless', kind: 'trace' });
    expect(await session.handle({ type: 'modelAt', t: 'soon' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/invalid command: t/),
    });
  });
});
