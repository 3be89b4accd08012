import { resolve } from 'node:path';
import type { ReplaySession } from '../../session/replay';
import type { Session } from '../../session/session';
import type { TraceRecorder } from '../../trace/recorder';
import { helperEntryPath } from '../helper-path';
import { demoWorldPath, rendererDir } from '../paths';
import type { RecentStore } from '../recent';
import type { StartupStep } from '../startup';
import { type Shown, SourceSwitch } from '../switch';
import { ChildProcessSpawner } from './child-spawner';
import { type HeadlessServer, type ServerFault, startHeadlessServer } from './server';

export interface HeadlessOptions {
  worldDir?: string;
  port?: number;
  token?: string;
  /** Record into this folder (default ~/.xpc-lab/sessions, or $XPC_LAB_SESSIONS); false turns recording off. */
  record?: string | false;
  /** Where recently opened worlds are remembered (default ~/.xpc-lab/recent.json, or under $XPC_LAB_HOME). */
  recent?: RecentStore;
  /** Each step of a world's helpers starting, the first world's and every one opened later. */
  onStartup?: (step: StartupStep, shown: Shown) => void;
  /** A request or a console socket that was answered with an error; the server goes on. */
  onFault?: (fault: ServerFault) => void;
}

export interface HeadlessHost {
  /** The live session shown now; it changes when the console opens another world. */
  readonly session: Session;
  readonly recorder: TraceRecorder | undefined;
  server: HeadlessServer;
  sources: SourceSwitch;
  stop(): Promise<void>;
}

function serverOptions(options: { port?: number; token?: string; onFault?: (fault: ServerFault) => void }) {
  return {
    rendererDir: rendererDir(),
    ...(options.onFault ? { onFault: options.onFault } : {}),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.token === undefined ? {} : { token: options.token }),
  };
}

function switchFor(options: Pick<HeadlessOptions, 'record' | 'recent' | 'onStartup'>) {
  const spawner = new ChildProcessSpawner(helperEntryPath());
  const sources = new SourceSwitch({
    host: 'headless',
    spawner,
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(options.recent ? { recent: options.recent } : {}),
    ...(options.onStartup ? { onStartup: options.onStartup } : {}),
  });
  const stop = async (server?: HeadlessServer) => {
    await sources.close();
    spawner.dispose();
    await server?.close();
  };
  return { sources, stop };
}

/**
 * The same broker as the Electron host, with child_process helpers and the
 * console over loopback HTTP. The console may open other worlds; the server
 * follows the switch.
 */
export async function startHeadless(options: HeadlessOptions = {}): Promise<HeadlessHost> {
  const { sources, stop } = switchFor(options);
  const server = await startHeadlessServer({ sources, ...serverOptions(options) });
  try {
    await sources.openWorld(resolve(options.worldDir ?? demoWorldPath()));
  } catch (error) {
    await stop(server);
    throw error;
  }
  return {
    get session() {
      const session = sources.session;
      if (!session) throw new Error('the headless host shows no live world now');
      return session;
    },
    get recorder() {
      return sources.shown?.live?.recorder;
    },
    server,
    sources,
    stop: () => stop(server),
  };
}

export interface ReplayHost {
  session: ReplaySession;
  server: HeadlessServer;
  sources: SourceSwitch;
  loaded: Promise<{ events: number; problems: number }>;
  stop(): Promise<void>;
}

/** The server for a recording or a live log the switch now shows. */
async function serveShown(
  shown: Shown,
  sources: SourceSwitch,
  stop: (server?: HeadlessServer) => Promise<void>,
  options: { port?: number; token?: string; onFault?: (fault: ServerFault) => void },
): Promise<ReplayHost> {
  const server = await startHeadlessServer({ sources, ...serverOptions(options) });
  return {
    session: shown.source as ReplaySession,
    server,
    sources,
    loaded: shown.loaded ?? Promise.resolve({ events: 0, problems: 0 }),
    stop: () => stop(server),
  };
}

/** Serves a Mac's log as it is written (standard input, or a file followed), in the same views as a live session. */
export async function serveLiveLog(
  input: AsyncIterable<Uint8Array | string>,
  from: string,
  options: {
    port?: number;
    token?: string;
    recent?: RecentStore;
    signal?: AbortSignal;
    onFault?: (fault: ServerFault) => void;
  } = {},
): Promise<ReplayHost> {
  const { sources, stop } = switchFor(options);
  const shown = await sources.openLiveLog(input, from, options.signal);
  return serveShown(shown, sources, stop, options);
}

/** Serves a recorded trace or an imported macOS log in the same views as a live session. */
export async function serveRecording(
  path: string,
  options: {
    port?: number;
    token?: string;
    kind: 'trace' | 'log';
    recent?: RecentStore;
    onFault?: (fault: ServerFault) => void;
  },
): Promise<ReplayHost> {
  const { sources, stop } = switchFor(options);
  let shown: Shown;
  try {
    shown = await sources.openRecording(resolve(path), options.kind);
  } catch (error) {
    await stop();
    throw error;
  }
  return serveShown(shown, sources, stop, options);
}
