import type { ReplaySession } from '../../session/replay';
import type { Session } from '../../session/session';
import type { TraceRecorder } from '../../trace/recorder';
import { helperEntryPath } from '../helper-path';
import { demoWorldPath, rendererDir } from '../paths';
import { openLive, openRecording } from '../sources';
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
  const spawner = new ChildProcessSpawner(helperEntryPath());
  const live = openLive(options.worldDir ?? demoWorldPath(), spawner, 'headless', options.record);
  const server = await startHeadlessServer({ session: live.session, ...serverOptions(options) });
  live.session.start();
  return {
    session: live.session,
    server,
    recorder: live.recorder,
    async stop() {
      await live.stop();
      spawner.dispose();
      await server.close();
    },
  };
}

export interface ReplayHost {
  session: ReplaySession;
  server: HeadlessServer;
  loaded: Promise<{ events: number; problems: number }>;
  stop(): Promise<void>;
}

/** Serves a recorded trace or an imported macOS log in the same views as a live session. */
export async function serveRecording(
  path: string,
  options: { port?: number; token?: string; kind: 'trace' | 'log' },
): Promise<ReplayHost> {
  const { session, loaded } = openRecording(path, options.kind, 'headless');
  const server = await startHeadlessServer({ session, ...serverOptions(options) });
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
