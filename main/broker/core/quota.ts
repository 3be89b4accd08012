import type { Clock, TimerHandle } from '../spawner';

/**
 * Per-helper budgets, as dbus-broker keeps per peer (docs/security.md, Quotas). Every message a helper sends
 * passes `HelperQuota.offer` before the broker validates or dispatches it. Within budget it goes straight through;
 * over budget it is held in this helper's own queue and let through at the budget's rate, so other helpers are not
 * slowed; a helper still over budget after `graceMs`, or with more than `maxQueued` messages held, is cut off.
 */
export interface QuotaLimits {
  /** Sustained messages per second. */
  messagesPerSecond: number;
  /** Sustained bytes per second, as `messageSize` counts them. */
  bytesPerSecond: number;
  /** Seconds of budget a quiet helper may spend at once (the token buckets' depth). */
  burstSeconds: number;
  /** How long a helper may stay throttled before it is cut off. */
  graceMs: number;
  /** Messages held while throttled; one more cuts the helper off at once. */
  maxQueued: number;
  /** A single message larger than this is refused before validation (docs/design.md, Trust boundaries). */
  maxMessageBytes: number;
  /**
   * Messages per second a helper's own capture buffer records from its direct channels; past it the records
   * are counted as dropped in the helper, before they cost the broker anything. The messages still travel.
   */
  captureRecordsPerSecond: number;
}

/** The defaults, in one place; world.plist's `Quota` dictionary overrides them per world. */
export const DEFAULT_QUOTA: QuotaLimits = {
  messagesPerSecond: 2000,
  bytesPerSecond: 8 * 1024 * 1024,
  burstSeconds: 0.25,
  graceMs: 2000,
  maxQueued: 20_000,
  maxMessageBytes: 1024 * 1024,
  captureRecordsPerSecond: 50_000,
};

export interface QuotaSink {
  /** Hands a message on; `at` is the time it arrived (or the sender stamped), not the time it was let through. */
  deliver(raw: unknown, at: number): void;
  /** A message over `maxMessageBytes`: refused, never delivered. */
  oversized(raw: unknown, bytes: number): void;
  throttled(words: string): void;
  relieved(words: string): void;
  cutOff(cause: string): void;
}

interface Held {
  raw: unknown;
  bytes: number;
  at: number;
}

/**
 * The size of a message as the broker counts it, walking at most `cap` bytes' worth: strings by UTF-16 length,
 * numbers 8, keys and punctuation by their length. It stops as soon as the count passes `cap`, so a huge message
 * costs no more than `cap` to measure and nothing is built from it.
 */
export function messageSize(value: unknown, cap: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') size += 8;
    else if (v === null || v === undefined) size += 4;
    else if (Array.isArray(v)) {
      size += 2;
      for (const item of v) {
        stack.push(item);
        size += 1;
        if (size > cap) return size;
      }
    } else if (typeof v === 'object') {
      size += 2;
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        size += key.length + 3;
        if (size > cap) return size;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
    if (size > cap) return size;
  }
  return size;
}

/** A helper may stamp its messages with `at` (ms since the epoch, its own clock); it is trusted only within bounds. */
function senderTime(raw: unknown, floor: number, now: number): number {
  const at = typeof raw === 'object' && raw !== null ? (raw as { at?: unknown }).at : undefined;
  if (typeof at !== 'number' || !Number.isFinite(at)) return now;
  return Math.min(now, Math.max(floor, at));
}

/** What a capture record adds to the message it records, at most. */
export const CAPTURE_RECORD_OVERHEAD = 64 * 1024;

function isCapture(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { t?: unknown }).t === 'capture';
}

/** One helper's budget: two token buckets (messages, bytes) and the queue of what waits for them. */
export class HelperQuota {
  private msgTokens: number;
  private byteTokens: number;
  private refilledAt: number;
  private readonly queue: Held[] = [];
  private head = 0;
  private throttledSince: number | undefined;
  private offeredWhileThrottled = 0;
  private delayed = 0;
  private timer: TimerHandle | undefined;
  private lastAt = 0;
  private cut = false;
  /** Messages discarded after the cut-off. */
  discarded = 0;

  constructor(
    readonly limits: QuotaLimits,
    private readonly clock: Clock,
    private readonly sink: QuotaSink,
  ) {
    this.msgTokens = limits.messagesPerSecond * limits.burstSeconds;
    this.byteTokens = limits.bytesPerSecond * limits.burstSeconds;
    this.refilledAt = clock.now();
  }

  get isCutOff(): boolean {
    return this.cut;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  offer(raw: unknown): void {
    if (this.cut) {
      this.discarded++;
      return;
    }
    const now = this.clock.now();
    // A capture batch may carry one recorded message of the largest size, and its record's few fields.
    const limit = isCapture(raw)
      ? this.limits.maxMessageBytes + CAPTURE_RECORD_OVERHEAD
      : this.limits.maxMessageBytes;
    const bytes = messageSize(raw, limit);
    if (bytes > limit) {
      this.sink.oversized(raw, bytes);
      return;
    }
    const at = senderTime(raw, this.lastAt, now);
    this.lastAt = at;
    this.refill(now);
    if (this.queued === 0 && this.take(bytes)) {
      this.sink.deliver(raw, at);
      return;
    }
    this.queue.push({ raw, bytes, at });
    if (this.throttledSince === undefined) {
      this.throttledSince = now;
      this.offeredWhileThrottled = 0;
      this.delayed = 0;
      this.sink.throttled(
        `over its budget of ${this.limits.messagesPerSecond} msgs/s and ${mib(this.limits.bytesPerSecond)}/s: ` +
          `its messages are held and let through at that rate (cut off if it goes on for ${seconds(this.limits.graceMs)})`,
      );
    }
    this.offeredWhileThrottled++;
    if (this.queued > this.limits.maxQueued)
      return this.cutOffNow(now, `more than ${this.limits.maxQueued} held`);
    if (now - this.throttledSince >= this.limits.graceMs) return this.cutOffNow(now);
    this.schedule();
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
  }

  private take(bytes: number): boolean {
    if (this.msgTokens < 1 || this.byteTokens < bytes) return false;
    this.msgTokens -= 1;
    this.byteTokens -= bytes;
    return true;
  }

  private refill(now: number): void {
    const dt = Math.max(0, now - this.refilledAt) / 1000;
    this.refilledAt = now;
    const { messagesPerSecond, bytesPerSecond, burstSeconds } = this.limits;
    this.msgTokens = Math.min(messagesPerSecond * burstSeconds, this.msgTokens + dt * messagesPerSecond);
    // A message may be as large as maxMessageBytes even when the byte budget per burst is smaller.
    const byteCap = Math.max(bytesPerSecond * burstSeconds, this.limits.maxMessageBytes);
    this.byteTokens = Math.min(byteCap, this.byteTokens + dt * bytesPerSecond);
  }

  private schedule(): void {
    if (this.timer) return;
    const next = this.queue[this.head];
    if (!next) return;
    const needMsgs = Math.max(0, 1 - this.msgTokens) / this.limits.messagesPerSecond;
    const needBytes = Math.max(0, next.bytes - this.byteTokens) / this.limits.bytesPerSecond;
    const waitMs = Math.max(10, Math.ceil(Math.max(needMsgs, needBytes) * 1000));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, waitMs);
  }

  private drain(): void {
    if (this.cut) return;
    const now = this.clock.now();
    this.refill(now);
    while (this.queued > 0) {
      const next = this.queue[this.head] as Held;
      if (!this.take(next.bytes)) break;
      this.queue[this.head] = undefined as never;
      this.head++;
      this.delayed++;
      this.sink.deliver(next.raw, next.at);
      if (this.cut) return;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.queued === 0) {
      this.queue.length = 0;
      this.head = 0;
      const since = this.throttledSince ?? now;
      this.throttledSince = undefined;
      this.sink.relieved(
        `back within its budget after ${seconds(now - since)}; ${this.delayed} messages were held and let through in order`,
      );
      return;
    }
    if (this.throttledSince !== undefined && now - this.throttledSince >= this.limits.graceMs) {
      return this.cutOffNow(now);
    }
    this.schedule();
  }

  private cutOffNow(now: number, extra?: string): void {
    const overMs = Math.max(1, now - (this.throttledSince ?? now));
    // What it offered while throttled, plus what the budget let through meanwhile: its rate over the episode.
    const rate = Math.round(((this.offeredWhileThrottled + this.delayed) * 1000) / overMs);
    this.cut = true;
    this.discarded += this.queued;
    this.dispose();
    this.sink.cutOff(
      `exceeded its message budget: ${rate} msgs/s over ${seconds(overMs)} ` +
        `(budget ${this.limits.messagesPerSecond} msgs/s${extra ? `; ${extra}` : ''})`,
    );
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`
    : `${Math.round(bytes / 1024)} KiB`;
}
