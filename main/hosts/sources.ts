import { basename } from 'node:path';
import type { Spawner } from '../broker/spawner';
import { ReplaySession } from '../session/replay';
import { Session } from '../session/session';
import { importLogFile } from '../trace/import/file';
import { importLogStream } from '../trace/import/live';
import { defaultSessionsDir, recordSource } from '../trace/live-recording';
import { streamTrace } from '../trace/reader';
import type { TraceRecorder } from '../trace/recorder';
import { loadWorld } from '../world/load';
import { scenarioService } from './scenarios';

type Host = 'electron' | 'headless';

export interface LiveSource {
  session: Session;
  recorder: TraceRecorder | undefined;
  stop(): Promise<void>;
}

/** A world loaded from disk, its broker and, unless `record` is false, its recording. */
export function openLive(
  worldDir: string,
  spawner: Spawner,
  host: Host,
  record?: string | false,
): LiveSource {
  const { world, diagnostics } = loadWorld(worldDir);
  const session = new Session({
    world,
    spawner,
    host,
    diagnostics,
    // Scenario runs are recorded where the live session is (--sessions), else in the default folder.
    scenarios: scenarioService(worldDir, () => spawner, typeof record === 'string' ? record : undefined),
  });
  const recorder =
    record === false
      ? undefined
      : recordSource(session, { dir: record ?? defaultSessionsDir(), host, world: world.name });
  let stopped = false;
  return {
    session,
    recorder,
    async stop() {
      if (stopped) return;
      stopped = true;
      session.dispose();
      await recorder?.close();
    },
  };
}

export interface RecordingSource {
  session: ReplaySession;
  /** Resolves when the whole file has been read. */
  loaded: Promise<{ events: number; problems: number }>;
}

/** A recorded trace (NDJSON) or a Mac's log, streamed into a replay session. */
export function openRecording(path: string, kind: 'trace' | 'log', host: Host): RecordingSource {
  const session = new ReplaySession({ name: basename(path), path, host, kind });
  const loaded =
    kind === 'trace' ? loadTrace(session, path) : Promise.resolve().then(() => loadLog(session, path));
  return { session, loaded };
}

async function loadTrace(
  session: ReplaySession,
  path: string,
): Promise<{ events: number; problems: number }> {
  const result = await streamTrace(path, (e, resumeAt) => session.add(e, resumeAt), {
    onProgress: (done, total) => {
      session.progress = { done, total };
    },
  });
  session.header = result.header;
  for (const p of result.problems) session.problem(p.line, p.message);
  return { events: result.eventCount, problems: result.problems.length };
}

async function loadLog(session: ReplaySession, path: string): Promise<{ events: number; problems: number }> {
  let first: number | undefined;
  const result = await importLogFile(
    path,
    (e) => {
      first ??= e.t;
      session.add(e);
    },
    {
      onProgress: (done, total) => {
        session.progress = { done, total };
      },
    },
  );
  // A note about a line carries its time; one about the whole log sits at the log's start.
  for (const w of result.warnings) session.problem(w.line, w.message, w.t ?? first);
  return { events: result.eventCount, problems: result.warnings.length };
}

/**
 * A Mac's log read as it is written (`log stream … | xpc-lab serve --log -`,
 * or a file followed): its events are shown as they arrive. `loaded` resolves
 * when the input ends or `signal` aborts.
 */
export function openLiveLog(
  input: AsyncIterable<Uint8Array | string>,
  from: string,
  host: Host,
  signal?: AbortSignal,
): RecordingSource {
  const session = new ReplaySession({
    name: `live log · ${from}`,
    path: from,
    host,
    kind: 'log',
    live: from,
  });
  let first: number | undefined;
  const loaded = importLogStream(
    input,
    (e) => {
      first ??= e.t;
      session.add(e);
    },
    { source: from, ...(signal ? { signal } : {}) },
  ).then((result) => {
    for (const w of result.warnings) session.problem(w.line, w.message, w.t ?? first);
    return { events: result.eventCount, problems: result.warnings.length };
  });
  return { session, loaded };
}
