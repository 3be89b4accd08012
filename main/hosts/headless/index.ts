import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ReplaySession } from '../../session/replay';
import { Session } from '../../session/session';
import { importLog } from '../../trace/import';
import { defaultSessionsDir, recordSource } from '../../trace/live-recording';
import { streamTrace } from '../../trace/reader';
import type { TraceRecorder } from '../../trace/recorder';
import { loadWorld } from '../../world/load';
import { helperEntryPath } from '../helper-path';
import { demoWorldPath, rendererDir } from '../paths';
import { ChildProcessSpawner } from './child-spawner';
import { type HeadlessServer, startHeadlessServer } from './server';

export interface HeadlessOptions {
  worldDir?: string;
  port?: number;
  token?: string;
  /** Record into this folder (default ~/.xpc-lab/sessions, or $XPC_LAB_SESSIONS); false turns recording off. */
  record?: string | false;
}

export interface HeadlessHost {
  session: Session;
  server: HeadlessServer;
  recorder: TraceRecorder | undefined;
  stop(): Promise<void>;
}

function serverOptions(options: { port?: number; token?: string }) {
  return {
    rendererDir: rendererDir(),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.token === undefined ? {} : { token: options.token }),
  };
}

/** The same broker as the Electron host, with child_process helpers and the console over loopback HTTP. */
export async function startHeadless(options: HeadlessOptions = {}): Promise<HeadlessHost> {
  const { world, diagnostics } = loadWorld(options.worldDir ?? demoWorldPath());
  const spawner = new ChildProcessSpawner(helperEntryPath());
  const session = new Session({ world, spawner, host: 'headless', diagnostics });
  const recorder =
    options.record === false
      ? undefined
      : recordSource(session, {
          dir: options.record ?? defaultSessionsDir(),
          host: 'headless',
          world: world.name,
        });
  const server = await startHeadlessServer({ session, ...serverOptions(options) });
  session.start();
  let stopped = false;
  return {
    session,
    server,
    recorder,
    async stop() {
      if (stopped) return;
      stopped = true;
      session.dispose();
      spawner.dispose();
      await recorder?.close();
      await server.close();
    },
  };
}

export interface ReplayHost {
  session: ReplaySession;
  server: HeadlessServer;
  /** Resolves when the whole file has been read. */
  loaded: Promise<{ events: number; problems: number }>;
  stop(): Promise<void>;
}

/**
 * Serves a recorded trace (NDJSON) or an imported macOS log in the same views
 * as a live session. The file streams in; the console shows its progress.
 */
export async function serveRecording(
  path: string,
  options: { port?: number; token?: string; kind: 'trace' | 'log' },
): Promise<ReplayHost> {
  const session = new ReplaySession({ name: basename(path), path, host: 'headless' });
  const server = await startHeadlessServer({ session, ...serverOptions(options) });
  const loaded =
    options.kind === 'trace' ? loadTrace(session, path) : Promise.resolve(loadLog(session, path));
  return {
    session,
    server,
    loaded,
    async stop() {
      session.dispose();
      await server.close();
    },
  };
}

async function loadTrace(
  session: ReplaySession,
  path: string,
): Promise<{ events: number; problems: number }> {
  const result = await streamTrace(path, (e) => session.add(e), {
    onProgress: (done, total) => {
      session.progress = { done, total };
    },
  });
  session.header = result.header;
  for (const p of result.problems) session.problem(p.line, p.message);
  return { events: result.eventCount, problems: result.problems.length };
}

function loadLog(session: ReplaySession, path: string): { events: number; problems: number } {
  const result = importLog(readFileSync(path, 'utf8'), { source: path });
  for (const e of result.events) session.add(e);
  for (const w of result.warnings) session.problem(w.line, w.message);
  session.progress = { done: 1, total: 1 };
  return { events: result.events.length, problems: result.warnings.length };
}
