import { keyOf } from '../broker/core/message-body';
import type { XpcError } from '../trace/schema';
import { xpcSize } from '../trace/xpc-value';
import { type CaptureRecord, type ChannelFrame, type HelperToBroker, MAX_CAPTURE_BATCH } from './protocol';

/** The clock every process shares: milliseconds since the Unix epoch, from a monotonic source. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Records kept while the broker is slow to take them; past this the oldest wait and new ones are counted as dropped. */
export const CAPTURE_BUFFER_RECORDS = 65_536;
/** A batch holds about this many bytes of recorded payloads; one larger message travels alone. */
const BATCH_BYTES = 256 * 1024;
/** The depth of the capture budget's token buckets. */
const BURST_SECONDS = 0.25;
/** The byte bucket holds at least one largest message and its record. */
const MIN_BYTE_BURST = 2 * 1024 * 1024;
/** How long a record may wait in the buffer before its batch leaves. */
export const CAPTURE_FLUSH_MS = 8;

/**
 * A helper's own trace buffer, as a Perfetto producer has one: what its runtime sends and receives on direct
 * channels is recorded here with the shared clock and leaves in batches. A buffer that fills counts what it
 * could not keep, and the count travels with the next batch.
 */
export class Capture {
  payloads = true;
  /** Capture off: one `counts` record per connection per batch instead of a record per message. */
  countsOnly = false;
  private records: CaptureRecord[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private budget = { recordsPerSecond: 50_000, bytesPerSecond: 8 * 1024 * 1024 };
  private tokens = { records: 50_000 * BURST_SECONDS, bytes: 2 * 1024 * 1024, at: now() };
  private flushQueued = false;
  private readonly counts = new Map<
    string,
    { messages: number; bytes: number; requests: number; replies: number }
  >();

  constructor(
    private readonly send: (batch: Extract<HelperToBroker, { t: 'capture' }>) => void,
    private readonly capacity = CAPTURE_BUFFER_RECORDS,
  ) {}

  sent(conn: string, frame: Extract<ChannelFrame, { t: 'm' }>, size = xpcSize(frame.body as never)): void {
    if (this.countsOnly) return this.count(conn, size, frame.expectsReply ? 1 : 0, 0);
    this.add({
      k: 'send',
      conn,
      id: frame.id,
      at: now(),
      size,
      expectsReply: frame.expectsReply,
      ...keyOf(frame.body),
      ...(this.payloads ? { payload: frame.body } : {}),
    });
  }

  replied(conn: string, frame: Extract<ChannelFrame, { t: 'r' }>, sentAt: number): void {
    // Capture off: the replier counted its reply when it sent it.
    if (this.countsOnly) return;
    const at = now();
    this.add({
      k: 'reply',
      conn,
      to: frame.to,
      at,
      size: xpcSize(frame.body as never),
      latencyMs: Math.max(0, at - sentAt),
      ...(this.payloads ? { payload: frame.body } : {}),
    });
  }

  /** Capture off: a reply this helper sent, counted on the connection it went back on. */
  replySent(conn: string, body: Record<string, unknown>): void {
    if (this.countsOnly) this.count(conn, xpcSize(body as never), 0, 1);
  }

  /** Capture off (XPC-MODEL has no per-message record then): counts and sizes per connection, one record per batch. */
  private count(conn: string, bytes: number, requests: number, replies: number): void {
    const c = this.counts.get(conn) ?? { messages: 0, bytes: 0, requests: 0, replies: 0 };
    c.messages++;
    c.bytes += bytes;
    c.requests += requests;
    c.replies += replies;
    this.counts.set(conn, c);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), CAPTURE_FLUSH_MS);
  }

  failed(conn: string, to: number, error: XpcError, cause: string): void {
    this.add({ k: 'failed', conn, to, at: now(), error, cause: cause.slice(0, 4096) });
    this.soon();
  }

  forbidden(
    conn: string,
    check: { requirement: string; status: number; message: string },
    replyTo?: number,
  ): void {
    this.add({
      k: 'forbidden',
      conn,
      at: now(),
      ...check,
      message: check.message.slice(0, 4096),
      ...(replyTo !== undefined ? { replyTo } : {}),
    });
    this.soon();
  }

  broken(conn: string, problem: string): void {
    this.add({ k: 'broken', conn, at: now(), problem: problem.slice(0, 4096) });
    this.flush();
  }

  /** The broker's budget for this helper's capture (main/broker/core/quota.ts, captureRecordsPerSecond). */
  setBudget(budget: { recordsPerSecond: number; bytesPerSecond: number }): void {
    this.budget = budget;
    this.tokens = {
      records: budget.recordsPerSecond * BURST_SECONDS,
      bytes: Math.max(budget.bytesPerSecond * BURST_SECONDS, MIN_BYTE_BURST),
      at: now(),
    };
  }

  /** Whether a record of `bytes` fits the budget now: token buckets a quarter of a second deep. */
  private fits(bytes: number): boolean {
    const t = now();
    const dt = Math.max(0, t - this.tokens.at) / 1000;
    const { recordsPerSecond, bytesPerSecond } = this.budget;
    this.tokens.at = t;
    this.tokens.records = Math.min(
      recordsPerSecond * BURST_SECONDS,
      this.tokens.records + dt * recordsPerSecond,
    );
    this.tokens.bytes = Math.min(
      Math.max(bytesPerSecond * BURST_SECONDS, MIN_BYTE_BURST),
      this.tokens.bytes + dt * bytesPerSecond,
    );
    if (this.tokens.records < 1 || this.tokens.bytes < bytes) return false;
    this.tokens.records -= 1;
    this.tokens.bytes -= bytes;
    return true;
  }

  /** Failures and refusals leave at the end of this turn, not with the next timer: they explain what follows. */
  private soon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Sends everything buffered now, in batches of at most MAX_CAPTURE_BATCH records. */
  flush(): void {
    if (this.counts.size > 0) {
      const at = now();
      for (const [conn, c] of this.counts) this.records.push({ k: 'counts', conn, at, ...c });
      this.counts.clear();
    }
    if (this.records.length === 0 && this.dropped === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.records.length > 0 || this.dropped > 0) {
      const records = this.records.splice(0, this.batchLength());
      const dropped = this.dropped;
      this.dropped = 0;
      this.send({ t: 'capture', records, dropped, at: now() });
      if (records.length === 0) break;
    }
  }

  /** How many records the next batch takes: at most MAX_CAPTURE_BATCH, and about BATCH_BYTES of messages. */
  private batchLength(): number {
    let bytes = 0;
    let n = 0;
    for (const record of this.records) {
      if (n >= MAX_CAPTURE_BATCH) break;
      const size = 'payload' in record && record.payload ? ('size' in record ? record.size : 0) : 0;
      if (n > 0 && bytes + size > BATCH_BYTES) break;
      bytes += size + 128;
      n++;
    }
    return n;
  }

  private add(record: CaptureRecord): void {
    const bytes = 128 + ('payload' in record && record.payload && 'size' in record ? record.size : 0);
    // A message record past the budget is counted, not kept; failures, refusals and breakage always are.
    const optional = record.k === 'send' || record.k === 'reply';
    if (this.records.length >= this.capacity || (optional && !this.fits(bytes))) {
      this.dropped++;
    } else {
      this.records.push(record);
    }
    if (this.records.length >= MAX_CAPTURE_BATCH) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), CAPTURE_FLUSH_MS);
  }
}
