import type { BrokerToHelper, ChannelFrame } from '../helper/protocol';
import type { GoneReason } from '../trace/schema';

/** How a helper process ended, as the host observed it. */
export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** Set when the host could not start the process at all. */
  launchError?: string;
  /** Electron's `child-process-gone` reason, when the host is Electron. */
  goneReason?: GoneReason;
}

/**
 * A running helper process. The broker owns it; the host implements it with
 * child_process (headless) or utilityProcess (Electron).
 */
export interface HelperProcess {
  /** Undefined until the process has spawned. */
  readonly pid: number | undefined;
  /** `end`, when given, is one end of a ChannelPair this process now holds. */
  send(message: BrokerToHelper, end?: ChannelEnd): void;
  /** Returns false when the process is already gone (electron#44013 makes this explicit). */
  kill(signal: NodeJS.Signals): boolean;
}

export interface SpawnRequest {
  label: string;
  /** Unique per spawn, so a host can match child-process-gone events to it. */
  serviceName: string;
  env: Record<string, string>;
}

export interface SpawnCallbacks {
  onSpawn(pid: number): void;
  /** Raw, unvalidated: the broker validates every helper message. */
  onMessage(message: unknown): void;
  onExit(exit: ProcessExit): void;
}

/** One end of a direct channel, opaque to the broker: a socket or a MessagePortMain. */
export interface ChannelEnd {
  readonly channelEnd: true;
}

/**
 * A direct channel between two helpers, made by the host: a connected socket pair (headless) or a
 * MessageChannelMain (Electron). The broker writes what it already holds for `b` into `a`, then hands `a` to
 * the client and `b` to the peer, and steps aside (docs/design.md, Performance shape).
 */
export interface ChannelPair {
  readonly a: ChannelEnd;
  readonly b: ChannelEnd;
  /** Writes frames into `a` as if its holder sent them; resolves once they are on their way to `b`. */
  inject(frames: ChannelFrame[]): Promise<void>;
  /** Closes both ends, when the connection ended before they were handed over. */
  close(): void;
}

/** A host's way of starting helpers. The host owns it and disposes it (both hosts' spawners are Disposables). */
export interface Spawner {
  spawn(request: SpawnRequest, callbacks: SpawnCallbacks): HelperProcess;
  /** Present when the host can hand helpers direct channels; without it every message goes through the broker. */
  createChannel?(): Promise<ChannelPair>;
}

export interface TimerHandle {
  cancel(): void;
}

/** The broker reads time only through a Clock, so tests can drive it. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};
