import type { Spawner } from '../../main/broker/spawner';
import { UtilityProcessSpawner } from '../../main/hosts/electron/utility-spawner';
import { ChildProcessSpawner } from '../../main/hosts/headless/child-spawner';
import { helperEntryPath } from '../../main/hosts/helper-path';
import { Session } from '../../main/session/session';
import type { TraceEvent } from '../../main/trace/schema';
import type { World } from '../../main/world/model';
import { createFakeUtility, type FakeUtility } from './fake-utility';

/** Which spawner live sessions use: `XPC_LAB_TEST_SPAWNER=utility` for Electron's, through the fake `electron`. */
export type SpawnerKind = 'child_process' | 'utility';

export function spawnerKind(value = process.env.XPC_LAB_TEST_SPAWNER): SpawnerKind {
  if (value === undefined || value === '' || value === 'child_process') return 'child_process';
  if (value === 'utility') return 'utility';
  throw new Error(`XPC_LAB_TEST_SPAWNER is "${value}": expected "child_process" or "utility"`);
}

export interface LiveOptions {
  /** Utility spawner only: no MessageChannelMain, so every message goes through the broker. */
  withoutChannels?: boolean;
}

/** A spawner of the given kind, and how to end everything it started. */
function makeSpawner(
  kind: SpawnerKind,
  options: LiveOptions,
): { spawner: Spawner; fake?: FakeUtility; dispose(): void } {
  if (kind === 'child_process') {
    const spawner = new ChildProcessSpawner(helperEntryPath());
    return { spawner, dispose: () => spawner.dispose() };
  }
  const fake = createFakeUtility();
  const spawner = new UtilityProcessSpawner(
    fake.utilityProcess,
    helperEntryPath(),
    options.withoutChannels ? undefined : fake.MessageChannelMain,
  );
  // As the Electron host does: the app's child-process-gone says why a utility process ended.
  fake.app.on('child-process-gone', (_event, details) => spawner.onChildProcessGone(details));
  return { spawner, fake, dispose: () => fake.dispose() };
}

/** A session over real helper processes, with a way to wait for what it records. */
export class LiveSession {
  readonly events: TraceEvent[] = [];
  readonly session: Session;
  readonly kind: SpawnerKind;
  /** Present under the utility spawner: what the fake `electron` saw posted and transferred. */
  readonly fake: FakeUtility | undefined;
  private readonly spawner: { spawner: Spawner; dispose(): void };
  private waiters: { test: (e: TraceEvent) => boolean; resolve: (e: TraceEvent) => void }[] = [];

  constructor(world: World, kind: SpawnerKind = spawnerKind(), options: LiveOptions = {}) {
    this.kind = kind;
    const made = makeSpawner(kind, options);
    this.spawner = made;
    this.fake = made.fake;
    this.session = new Session({
      world,
      spawner: made.spawner,
      host: kind === 'utility' ? 'electron' : 'headless',
    });
    this.session.hub.subscribe((e) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(e)) return true;
        w.resolve(e);
        return false;
      });
    });
    this.session.start();
  }

  /** Resolves with the first event (already seen or future) that matches; fails after `ms` naming what it waited for. */
  waitFor<E extends TraceEvent>(what: string, test: (e: TraceEvent) => e is E, ms?: number): Promise<E>;
  waitFor(what: string, test: (e: TraceEvent) => boolean, ms?: number): Promise<TraceEvent>;
  waitFor(what: string, test: (e: TraceEvent) => boolean, ms = 8000): Promise<TraceEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${ms} ms waiting for ${what}; last events: ${this.events
                .slice(-8)
                .map((e) => e.kind)
                .join(', ')}`,
            ),
          ),
        ms,
      );
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Waits for a matching event that happens after this call. */
  next(what: string, test: (e: TraceEvent) => boolean, ms = 8000): Promise<TraceEvent> {
    const from = this.events.length;
    return this.waitFor(what, (e) => e.seq >= from && test(e), ms);
  }

  pidOf(label: string): number {
    const spawn = [...this.events].reverse().find((e) => e.kind === 'process.spawn' && e.label === label);
    if (spawn?.kind !== 'process.spawn') throw new Error(`${label} has not spawned`);
    return spawn.pid;
  }

  dispose(): void {
    this.session.dispose();
    this.spawner.dispose();
  }
}
