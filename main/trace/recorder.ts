import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsErrorInfo } from './fs-error';
import { TRACE_FORMAT } from './parse';
import { SCHEMA_VERSION, type TraceEvent, type TraceHeader } from './schema';

export interface RecorderError {
  code?: string;
  message: string;
  path: string;
}

/** The parts of a FileHandle the recorder uses: a seam so tests can stand in a full or failing disk. */
export interface RecorderFile {
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export type OpenRecorderFile = (path: string, overwrite: boolean) => Promise<RecorderFile>;

export interface RecorderOptions {
  path: string;
  header: Omit<TraceHeader, 'format' | 'v' | 'created'>;
  /** How long an appended event may wait in memory before it is written. */
  flushIntervalMs?: number;
  /** A batch this large is written at once instead of waiting for the timer. */
  maxBatchBytes?: number;
  /** Backlog kept while the disk is slow or full; beyond it events are dropped and counted. */
  maxBufferedBytes?: number;
  /** Replace an existing file. Off by default: a trace is evidence and is never clobbered silently. */
  overwrite?: boolean;
  onError?: (e: RecorderError) => void;
  openFile?: OpenRecorderFile;
  /**
   * The cap on one file, header included: a batch that would pass it goes to a new file, after the full one is
   * renamed `<name>.1.ndjson` (and older parts move up one). Default 256 MiB.
   */
  maxFileBytes?: number;
  /** Files kept, the current one included; the oldest part beyond is deleted and its events counted as dropped. */
  maxFiles?: number;
  /** Told after each rotation, with what it cost. */
  onRotate?: (r: RecorderRotation) => void;
}

export interface RecorderRotation {
  /** Where the full file went. */
  rotatedTo: string;
  /** The oldest part deleted to stay within `maxFiles`, if any, and the events it held. */
  deleted?: string;
  deletedEvents: number;
  /** Every event dropped so far, by any cause. */
  droppedEvents: number;
  maxFileBytes: number;
  maxFiles: number;
}

/**
 * recording: writes succeed. retrying: a write failed for a reason that may pass
 * (disk full); events are held up to the backlog limit. stopped: recording
 * cannot go on (no such folder, no permission). closed: close() finished.
 */
export type RecorderState = 'recording' | 'retrying' | 'stopped' | 'closed';

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_MAX_BATCH_BYTES = 64 * 1024;
const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 4;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/** Opening again will not help with these; every other open error is worth another try. */
const TRANSIENT_OPEN_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR']);
/** Writing again will not help with these; disk-full and I/O errors may clear. */
const PERMANENT_WRITE_CODES = new Set(['EBADF', 'EFBIG', 'EINVAL', 'EROFS', 'EACCES', 'EPERM']);

/** Owner-only: captured payloads can hold a user's data. */
const FILE_MODE = 0o600;

const openNodeFile: OpenRecorderFile = (path, overwrite) => open(path, overwrite ? 'w' : 'wx', FILE_MODE);

/** `<name>.ndjson` → `<name>.<n>.ndjson`: where part n of a rotated trace lives (1 is the most recent full one). */
export function rotatedPath(path: string, n: number): string {
  return /\.ndjson$/.test(path) ? path.replace(/\.ndjson$/, `.${n}.ndjson`) : `${path}.${n}`;
}

/** `<dir>/session-2026-11-23T12-01-02.ndjson`, in UTC like the header's `created`. */
export function defaultSessionPath(dir: string, now: Date = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
  return join(dir, `session-${stamp}.ndjson`);
}

/**
 * Appends trace events to an NDJSON file: a header line, then one event per
 * line. Events are batched in memory and written on a short timer or when the
 * batch grows large, each batch in whole lines, so a killed process leaves a
 * file readable up to its last complete line and loses at most one interval.
 * File errors never reach the caller's stack: they go to `onError`.
 */
export class TraceRecorder {
  readonly path: string;
  private readonly flushIntervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly overwrite: boolean;
  private readonly onError: ((e: RecorderError) => void) | undefined;
  private readonly openFile: OpenRecorderFile;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly onRotate: ((r: RecorderRotation) => void) | undefined;
  private readonly headerLine: string;
  /** Events in the current file, and in each rotated part (index 0 is part 1). */
  private eventsInFile = 0;
  private partEvents: number[] = [];

  private file: RecorderFile | null = null;
  /** Confirmed end of the file: the next batch is written here, over any fragment a failed write left. */
  private offset = 0;
  private hasFragment = false;
  private chunks: string[] = [];
  /** Events in each chunk: 0 for a header line, more for a batch put back after a failed write. */
  private chunkEvents: number[] = [];
  private queuedChars = 0;
  private queuedEvents = 0;
  private inflightChars = 0;

  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelayMs = FIRST_RETRY_MS;
  private closing: Promise<void> | null = null;
  private overflowReported = false;

  private _state: RecorderState = 'recording';
  private _failed: RecorderError | null = null;
  private _bytesWritten = 0;
  private _eventsWritten = 0;
  private _droppedEvents = 0;

  constructor(opts: RecorderOptions) {
    this.path = opts.path;
    this.flushIntervalMs = opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.overwrite = opts.overwrite ?? false;
    this.onError = opts.onError;
    this.openFile = opts.openFile ?? openNodeFile;
    this.maxFileBytes = Math.max(64 * 1024, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.maxFiles = Math.max(1, Math.floor(opts.maxFiles ?? DEFAULT_MAX_FILES));
    this.onRotate = opts.onRotate;
    const header: TraceHeader = {
      format: TRACE_FORMAT,
      v: SCHEMA_VERSION,
      created: new Date().toISOString(),
      ...opts.header,
    };
    this.headerLine = `${JSON.stringify(header)}\n`;
    this.enqueueLine(this.headerLine, 0);
    // Create the file now, so a bad path is reported when recording starts, not at the first event.
    void this.flush();
  }

  get state(): RecorderState {
    return this._state;
  }

  /** Bytes in the file, header included. */
  get bytesWritten(): number {
    return this._bytesWritten;
  }

  get eventsWritten(): number {
    return this._eventsWritten;
  }

  /** Events that will never reach the file: backlog overflow, a stopped recording, or appends after close. */
  get droppedEvents(): number {
    return this._droppedEvents;
  }

  /** The error that stopped recording or that it is retrying past; null while writes succeed. */
  get failed(): RecorderError | null {
    return this._failed;
  }

  append(events: readonly TraceEvent[]): void {
    if (this._state === 'stopped' || this.closing) {
      this._droppedEvents += events.length;
      return;
    }
    for (const event of events) this.appendOne(event);
    if (this._state !== 'recording') return;
    if (this.queuedChars >= this.maxBatchBytes) this.requestFlush();
    else if (this.queuedChars > 0) this.armFlushTimer();
  }

  /** Writes everything appended so far; resolves when that write succeeded or failed, never rejects. */
  flush(): Promise<void> {
    this.clearFlushTimer();
    this.flushQueued = true;
    this.chain = this.chain.then(() => {
      this.flushQueued = false;
      return this.drain();
    });
    return this.chain;
  }

  /** Writes what it can and closes the file. Events still held after a failed last write are counted as dropped. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.clearFlushTimer();
    this.clearRetryTimer();
    this.closing = this.chain.then(() => this.drain()).then(() => this.finish());
    return this.closing;
  }

  private appendOne(event: TraceEvent): void {
    let line: string;
    try {
      line = `${JSON.stringify(event)}\n`;
    } catch (err) {
      this._droppedEvents++;
      this.report({ message: `An event could not be written as JSON and was dropped: ${String(err)}` });
      return;
    }
    if (this.queuedChars + this.inflightChars + line.length > this.maxBufferedBytes) {
      this._droppedEvents++;
      this.reportOverflow();
      return;
    }
    this.enqueueLine(line, 1);
  }

  // UTF-16 length stands in for bytes: the JSON is nearly all ASCII and this is only a memory bound.
  private enqueueLine(line: string, events: number): void {
    this.chunks.push(line);
    this.chunkEvents.push(events);
    this.queuedChars += line.length;
    this.queuedEvents += events;
  }

  private requestFlush(): void {
    if (!this.flushQueued) void this.flush();
  }

  // A pending flush timer keeps Node alive on purpose: a process that ends normally still writes its last events.
  private armFlushTimer(): void {
    if (this.flushTimer || this.flushQueued) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, this.flushIntervalMs);
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private clearRetryTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async drain(): Promise<void> {
    if (this._state === 'stopped' || this._state === 'closed') return;
    if (!this.file && !(await this.openNow())) return;
    while (this.chunks.length > 0) {
      // Take the lines that fit under the file cap; a file holding no event yet takes at least one line.
      const room = this.maxFileBytes - this.offset;
      let n = 0;
      let size = 0;
      let events = 0;
      for (; n < this.chunks.length; n++) {
        const bytes = Buffer.byteLength(this.chunks[n] as string);
        if (size + bytes > room && (n > 0 || this.eventsInFile > 0)) break;
        size += bytes;
        events += this.chunkEvents[n] as number;
      }
      if (n === 0) {
        if (!(await this.rotate())) return;
        continue;
      }
      const text = this.chunks.splice(0, n).join('');
      this.chunkEvents.splice(0, n);
      this.queuedChars -= text.length;
      this.queuedEvents -= events;
      this.inflightChars = text.length;
      const ok = await this.writeWhole(text, events);
      this.inflightChars = 0;
      if (!ok) return;
    }
  }

  /**
   * The current file is full: it becomes part 1, older parts move up one, the part beyond `maxFiles` is deleted
   * (its events counted as dropped), and a new file starts with the header.
   */
  private async rotate(): Promise<boolean> {
    await this.releaseFile();
    let deleted: string | undefined;
    let deletedEvents = 0;
    try {
      if (this.maxFiles === 1) {
        deleted = this.path;
        deletedEvents = this.eventsInFile;
        await unlink(this.path);
      } else {
        const oldest = this.maxFiles - 1;
        if (this.partEvents.length >= oldest) {
          deleted = rotatedPath(this.path, oldest);
          deletedEvents = this.partEvents[oldest - 1] ?? 0;
          await unlink(deleted).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
        }
        for (let k = Math.min(this.partEvents.length, oldest - 1); k >= 1; k--) {
          await rename(rotatedPath(this.path, k), rotatedPath(this.path, k + 1));
        }
        await rename(this.path, rotatedPath(this.path, 1));
        this.partEvents = [this.eventsInFile, ...this.partEvents].slice(0, oldest);
      }
    } catch (err) {
      await this.stop(err, 'rotate');
      return false;
    }
    this._droppedEvents += deletedEvents;
    this.offset = 0;
    this.eventsInFile = 0;
    this.chunks.unshift(this.headerLine);
    this.chunkEvents.unshift(0);
    this.queuedChars += this.headerLine.length;
    const rotation: RecorderRotation = {
      rotatedTo: this.maxFiles === 1 ? this.path : rotatedPath(this.path, 1),
      ...(deleted ? { deleted } : {}),
      deletedEvents,
      droppedEvents: this._droppedEvents,
      maxFileBytes: this.maxFileBytes,
      maxFiles: this.maxFiles,
    };
    try {
      this.onRotate?.(rotation);
    } catch {
      // A throwing handler must not break recording.
    }
    return this.openNow(true);
  }

  private async openNow(afresh = false): Promise<boolean> {
    try {
      this.file = await this.openFile(this.path, this.overwrite && !afresh);
      return true;
    } catch (err) {
      const info = fsErrorInfo(err);
      if (info.code && TRANSIENT_OPEN_CODES.has(info.code)) this.pause(err, 'create');
      else await this.stop(err, 'create');
      return false;
    }
  }

  private async writeWhole(text: string, events: number): Promise<boolean> {
    const file = this.file!;
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await file.write(bytes, done, bytes.length - done, this.offset + done);
        if (bytesWritten <= 0) throw Object.assign(new Error('the disk accepted no bytes'), { code: 'EIO' });
        done += bytesWritten;
      }
    } catch (err) {
      this.requeueFront(text, events);
      this.hasFragment = this.hasFragment || done > 0;
      const info = fsErrorInfo(err);
      if (info.code && PERMANENT_WRITE_CODES.has(info.code)) await this.stop(err, 'write to');
      else this.pause(err, 'write to');
      return false;
    }
    this.offset += bytes.length;
    this.hasFragment = false;
    this._bytesWritten += bytes.length;
    this._eventsWritten += events;
    this.eventsInFile += events;
    this.recovered();
    // Caught up: a later overflow is a new episode worth reporting.
    if (this.chunks.length === 0) this.overflowReported = false;
    return true;
  }

  private requeueFront(text: string, events: number): void {
    this.chunks.unshift(text);
    this.chunkEvents.unshift(events);
    this.queuedChars += text.length;
    this.queuedEvents += events;
  }

  private recovered(): void {
    if (this._state !== 'retrying') return;
    this._state = 'recording';
    this._failed = null;
    this.retryDelayMs = FIRST_RETRY_MS;
  }

  /** A failure that may pass: keep the backlog (bounded) and try again later with growing pauses. */
  private pause(err: unknown, verb: string): void {
    const info = fsErrorInfo(err);
    const limitMb = Math.round(this.maxBufferedBytes / (1024 * 1024));
    const isNew = this._state !== 'retrying' || this._failed?.code !== info.code;
    this._state = 'retrying';
    this.setFailed(
      info.code,
      `Recording paused: cannot ${verb} ${this.path}: ${info.words}. Retrying; up to ${limitMb} MB of events are held, then further events are dropped and counted.`,
      isNew,
    );
    if (this.closing) return;
    this.clearRetryTimer();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, this.retryDelayMs);
    // A full disk must not keep a finished process alive.
    this.retryTimer.unref?.();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_MS);
  }

  /** A failure that will not pass: give up on the file, count the backlog as dropped, let the session go on. */
  private async stop(err: unknown, verb: string): Promise<void> {
    const info = fsErrorInfo(err);
    this._state = 'stopped';
    this.setFailed(info.code, `Recording stopped: cannot ${verb} ${this.path}: ${info.words}.`, true);
    this.clearFlushTimer();
    this.clearRetryTimer();
    this.dropBacklog();
    await this.releaseFile();
  }

  private async finish(): Promise<void> {
    this.clearRetryTimer();
    this.dropBacklog();
    await this.releaseFile();
    this._state = 'closed';
  }

  private dropBacklog(): void {
    this._droppedEvents += this.queuedEvents;
    this.chunks = [];
    this.chunkEvents = [];
    this.queuedChars = 0;
    this.queuedEvents = 0;
  }

  /** Cuts off a half-written batch so the file ends on a whole line, then closes it. Best effort. */
  private async releaseFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (!file) return;
    if (this.hasFragment) await file.truncate(this.offset).catch(() => undefined);
    this.hasFragment = false;
    await file.close().catch(() => undefined);
  }

  private reportOverflow(): void {
    if (this.overflowReported) return;
    this.overflowReported = true;
    const limitMb = Math.round(this.maxBufferedBytes / (1024 * 1024));
    const cause = this._failed ? ` (${this._failed.message})` : '';
    this.report({
      ...(this._failed?.code ? { code: this._failed.code } : {}),
      message: `Recording to ${this.path} is behind by ${limitMb} MB; further events are dropped and counted until it catches up${cause}.`,
    });
  }

  private setFailed(code: string | undefined, message: string, notify: boolean): void {
    this._failed = code ? { code, message, path: this.path } : { message, path: this.path };
    if (notify) this.report(this._failed);
  }

  private report(e: Omit<RecorderError, 'path'> & { path?: string }): void {
    try {
      this.onError?.({ ...e, path: this.path });
    } catch {
      // A throwing handler must not break recording or reach the broker's stack.
    }
  }
}
