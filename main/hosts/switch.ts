import { type Stats, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import {
  type CommandResults,
  type EventBatch,
  HOST_COMMANDS,
  type HostCommand,
  parseCommand,
  type Reply,
  type WorldEntry,
  type WorldList,
} from '../../preload/contract';
import type { Spawner } from '../broker/spawner';
import type { Session } from '../session/session';
import type { ConsoleSource } from '../session/source';
import { checkLogFormat, recordingKind } from '../trace/sniff';
import { loadWorld } from '../world/load';
import { RecentStore } from './recent';
import { isShippedWorld, ScriptsNeedConsentError, worldScripts } from './scripts-consent';
import { type LiveSource, openLive, openLiveLog, openRecording } from './sources';
import { type StartupStep, type StartupWatch, startWithProgress } from './startup';
import { checkWorldFolder, demoWorlds, NotAWorldError } from './worlds';

export type SourceKind = 'world' | 'trace' | 'log';

export interface OpenWorldOptions {
  /**
   * 'ask': a world (other than a shipped demo) whose helpers run scripts is
   * refused with ScriptsNeedConsentError, listing them, until opened with
   * 'allow'. The default, 'allow', is for a world the user named on the
   * command line.
   */
  scripts?: 'allow' | 'ask';
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** What a path is, in words, for a refusal that describes a file without reading it. */
export function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** What the host shows: one live world, or one recorded trace or imported log. */
export interface Shown {
  kind: SourceKind;
  path: string;
  name: string;
  source: ConsoleSource;
  /** The live world's session, recorder and stop; absent for a recording. */
  live?: LiveSource;
  /** For a recording: resolves when the whole file has been read. */
  loaded?: Promise<{ events: number; problems: number }>;
  /** For a world: resolves when its launch-at-load helpers are up (or the wait ends). */
  startup?: StartupWatch;
  stop(): Promise<void>;
}

/** What a console (a window, a WebSocket) is fed: the shown source's batches, and word of each swap. */
export interface SwitchClient {
  send(batch: EventBatch): void;
  /** The shown source changed; batches of the new one follow. */
  switched?(shown: Shown): void;
}

export interface SourceSwitchOptions {
  host: 'electron' | 'headless';
  spawner: Spawner;
  /** Where live sessions are recorded; false turns recording off. */
  record?: string | false;
  recent?: RecentStore;
  /** The demo worlds offered beside the recent ones (default: assets/worlds). */
  demos?: () => WorldEntry[];
  /** Each step of a world's helpers starting, for a host that prints them. */
  onStartup?: (step: StartupStep, shown: Shown) => void;
}

/**
 * The one place a host's current source lives. Opening another stops the old
 * one first (its helpers killed, its recording closed), moves every attached
 * console over, and remembers what was opened. Host-level commands
 * (recentWorlds, openWorld) are answered here; every other command goes to
 * the source shown. Both hosts use it; it knows nothing of windows or sockets.
 */
export class SourceSwitch {
  private current: Shown | undefined;
  private readonly clients = new Map<SwitchClient, (() => void) | undefined>();
  /** Swaps run one at a time, in the order asked: two quick opens never interleave their stops and starts. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly recent: RecentStore;
  private demoList: WorldEntry[] | undefined;

  constructor(private readonly options: SourceSwitchOptions) {
    this.recent = options.recent ?? new RecentStore();
  }

  get shown(): Shown | undefined {
    return this.current;
  }

  get source(): ConsoleSource | undefined {
    return this.current?.source;
  }

  /** The live world's session, when a world is shown. */
  get session(): Session | undefined {
    return this.current?.live?.session;
  }

  /**
   * Opens the world in `dir`. A folder that is not a world, or one that cannot
   * be loaded, is refused with its path and what is wrong, before anything is
   * stopped: what was shown keeps running.
   */
  openWorld(folder: string, options: OpenWorldOptions = {}): Promise<Shown> {
    return this.serial(async () => {
      checkWorldFolder(folder);
      // One spelling per folder, so /a/b/ and /a/b are one recent entry.
      const dir = resolve(folder);
      if (options.scripts === 'ask' && !isShippedWorld(dir)) {
        // Scripts run as the user: a world that has any is opened only once the user has seen them.
        const scripts = worldScripts(loadWorld(dir).world);
        if (scripts.length > 0) throw new ScriptsNeedConsentError(dir, scripts);
      }
      let live: LiveSource;
      try {
        live = openLive(dir, this.options.spawner, this.options.host, this.options.record);
      } catch (error) {
        throw new NotAWorldError(
          `${dir}: cannot load the world: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const { world } = live.session.broker;
      const shown: Shown = {
        kind: 'world',
        path: dir,
        name: world.name,
        source: live.session,
        live,
        stop: async () => {
          shown.startup?.cancel();
          await live.stop();
        },
      };
      this.recent.add({ kind: 'world', path: dir, name: world.name });
      await this.swap(shown, () => {
        shown.startup = startWithProgress(live.session, {
          onStep: (step) => this.options.onStartup?.(step, shown),
        });
      });
      return shown;
    });
  }

  /** Shows a Mac's log as it is written: `from` says where from ("standard input", or the file followed). */
  openLiveLog(input: AsyncIterable<Uint8Array | string>, from: string, signal?: AbortSignal): Promise<Shown> {
    return this.serial(async () => {
      const { session, loaded } = openLiveLog(input, from, this.options.host, signal);
      const shown: Shown = {
        kind: 'log',
        path: from,
        name: `live log · ${from}`,
        source: session,
        loaded,
        stop: async () => session.dispose(),
      };
      await this.swap(shown);
      return shown;
    });
  }

  /**
   * Opens a recorded trace (NDJSON) or a Mac's log in place of what is shown.
   * A log in no style the importer reads is refused before anything stops; a
   * trace's bad lines are named as it loads, and the rest of it still opens.
   */
  openRecording(path: string, kind: 'trace' | 'log'): Promise<Shown> {
    return this.serial(async () => {
      const stats = statOf(path);
      if (!stats?.isFile())
        throw new Error(
          `${path}: ${stats ? `is ${kindOf(stats)}` : 'no such file'} (a ${kind === 'trace' ? 'trace' : 'log'} is one regular file)`,
        );
      if (kind === 'log') checkLogFormat(path);
      const { session, loaded } = openRecording(path, kind, this.options.host);
      // A file that fails part way (unreadable, removed, a read error) is a diagnostic in the console it
      // was opened into; what was read stays shown, and the host goes on.
      loaded.catch((error: unknown) =>
        session.problem(0, `reading stopped: ${error instanceof Error ? error.message : String(error)}`),
      );
      const shown: Shown = {
        kind,
        path,
        name: basename(path),
        source: session,
        loaded,
        stop: async () => session.dispose(),
      };
      this.recent.add({ kind, path, name: basename(path) });
      await this.swap(shown);
      return shown;
    });
  }

  /**
   * Opens what a path names: a folder as a world, a file as a trace or a Mac's
   * log, told apart by its content. A file that is neither is refused, naming
   * it, and what is shown keeps running.
   */
  async open(path: string, options: OpenWorldOptions = {}): Promise<Shown> {
    if (!isAbsolute(path))
      throw new NotAWorldError(`${path}: open a world, trace or log by its absolute path`);
    const stats = statOf(path);
    if (!stats) throw new NotAWorldError(`${path}: no such file or folder`);
    if (stats.isDirectory()) return this.openWorld(path, options);
    // Checked before a byte is read: reading a FIFO or a device would wait on whatever writes to it.
    if (!stats.isFile())
      throw new NotAWorldError(
        `${path}: is ${kindOf(stats)}; XPC Lab opens a world folder or a regular file`,
      );
    return this.openRecording(path, recordingKind(path));
  }

  /** Recent worlds (gone folders dropped), the demo worlds and what is shown now. */
  worlds(): WorldList {
    const all = this.recent.list();
    const recent = all
      .filter((e) => e.kind === 'world')
      .map(({ path, name, openedAt }) => ({ path, name, openedAt }));
    const recentFiles = all.flatMap(({ kind, path, name, openedAt }) =>
      kind === 'world' ? [] : [{ kind, path, name, openedAt }],
    );
    this.demoList ??= (this.options.demos ?? demoWorlds)();
    const current = this.current
      ? { kind: this.current.kind, path: this.current.path, name: this.current.name }
      : null;
    return { recent, recentFiles, demos: this.demoList, current };
  }

  /**
   * Feeds a console the shown source's batches, across swaps: on each swap it
   * is detached from the old source, told, and attached to the new one.
   */
  attach(client: SwitchClient): () => void {
    this.clients.set(
      client,
      this.current?.source.attach((b) => client.send(b)),
    );
    return () => {
      this.clients.get(client)?.();
      this.clients.delete(client);
    };
  }

  /** Every command from a console: host-level ones answered here, the rest by the shown source. */
  async handle(raw: unknown): Promise<Reply> {
    const type = (raw as { type?: unknown } | null)?.type;
    if ((HOST_COMMANDS as readonly unknown[]).includes(type)) {
      const parsed = parseCommand(raw);
      if (!parsed.ok) return { ok: false, error: parsed.error };
      try {
        return { ok: true, value: await this.run(parsed.command as HostCommand) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    if (!this.current)
      return {
        ok: false,
        error: this.closed
          ? 'the host is shutting down'
          : 'nothing is shown yet: a world or trace is opening',
      };
    return this.current.source.handle(raw);
  }

  private async run(command: HostCommand): Promise<CommandResults[HostCommand['type']]> {
    switch (command.type) {
      case 'recentWorlds':
        return this.worlds();
      case 'open': {
        // From a console: a world's scripts run only after the user allowed them (the console asks).
        const shown = await this.open(command.path, { scripts: command.allowScripts ? 'allow' : 'ask' });
        return { kind: shown.kind, path: shown.path, name: shown.name };
      }
    }
  }

  /** Stops what is shown and detaches every console. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => {});
    const last = this.current;
    this.current = undefined;
    for (const [client, detach] of this.clients) {
      detach?.();
      this.clients.set(client, undefined);
    }
    await last?.stop();
  }

  private async swap(next: Shown, start?: () => void): Promise<void> {
    if (this.closed) {
      await next.stop();
      throw new Error('the host is shutting down');
    }
    const previous = this.current;
    this.current = undefined;
    for (const [client, detach] of this.clients) {
      detach?.();
      this.clients.set(client, undefined);
    }
    await previous?.stop();
    this.current = next;
    for (const client of this.clients.keys()) {
      if (previous) client.switched?.(next);
      this.clients.set(
        client,
        next.source.attach((b) => client.send(b)),
      );
    }
    start?.();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }
}
