import {
  type ConnectionSide,
  type ConnectionState,
  type ConnectionStateEvent,
  type EventOf,
  type ProcessExitEvent,
  type ProcessSpawnEvent,
  SCHEMA_VERSION,
  SpawnReasonSchema,
  type TraceEvent,
  type XpcError,
} from '../schema';
import { type LaunchdLine, type LibxpcLine, recognise, type XpcLine } from './recognise';
import type { LogRecord, Warning } from './record';

type LookupEvent = EventOf<'lookup'>;

/** A line that names no process and no pid (a bare libxpc body). */
export const UNKNOWN_PID = -1;
/**
 * [I] A Console copy without a PID column names its processes but not their
 * pids: each name gets a pid of its own below UNKNOWN_PID, -2, -3, … in the
 * order first seen, so two processes stay two.
 */
export function isNamedOnly(pid: number): boolean {
  return pid < UNKNOWN_PID;
}
/** A connection whose activation line is not in the log. */
export const UNKNOWN_NAME = '<unknown>';
/** A libxpc failure and launchd's line about the same lookup are one lookup when this close (ms). [I] */
const PAIR_WINDOW_MS = 1000;
const MAX_WARNINGS = 200;

/**
 * [I] XPC Lab's own decision: a log line does not say which launchd domain its
 * process runs in. Unless a launchd prefix names one, a process is placed in
 * `user/<uid>`, with the uid from `--style json`/`ndjson` (uid 0 → `system`)
 * and 501, the first user account on a Mac, when the style carries none.
 */
export function fallbackDomain(uid?: number): string {
  return uid === 0 ? 'system' : `user/${uid ?? 501}`;
}

/**
 * [I] XPC Lab's own decision: the syslog-era `(label[pid])` prefix names no
 * domain; those lines come from launchd's system log, so a spawn or exit with
 * no domain of its own is placed in `system` (XPC-MODEL §7.3).
 */
const LAUNCHD_DEFAULT_DOMAIN = 'system';

interface Conn {
  id: string;
  /** Its entry in the live-connection map: process and pointer. */
  key: string;
  side: ConnectionSide;
  pid: number;
  name: string;
  state: ConnectionState;
  peerPid?: number;
  /** Which activation lines this connection has logged; a second one means the pointer was reused. */
  logged: { activating: boolean; activated: boolean };
  /** The failed look-up that the "failed init" after it is about. */
  lookup?: { errno: number; error: string };
}

interface PendingLookup {
  event: LookupEvent;
  from: 'libxpc' | 'launchd';
  pid: number;
  errno: number;
  t: number;
  conn?: Conn;
}

interface Spawned {
  t: number;
  label: string;
  domain: string;
}

type Extra = Partial<Pick<ConnectionStateEvent, 'error' | 'cause' | 'reason'>>;

const INVALID: XpcError = 'XPC_ERROR_CONNECTION_INVALID';
const INTERRUPTED: XpcError = 'XPC_ERROR_CONNECTION_INTERRUPTED';

/**
 * Turns recognised log records into TraceEvents, in order, handing each to
 * `onEvent` instead of keeping it. Connections are keyed by pointer within a
 * process (pid and name); a pointer seen again after its connection was
 * invalidated, or logging a second activation, is a new connection with a
 * `#n` suffix on its id. What it keeps between records is the open
 * connections, the spawned jobs, and the events of the last second of log
 * time that a failed look-up may still be paired into.
 */
export class Converter {
  readonly warnings: Warning[] = [];
  /** Events made so far; the next one's `seq`. */
  eventCount = 0;
  private droppedWarnings = 0;
  private readonly conns = new Map<string, Conn>();
  private readonly idUses = new Map<string, number>();
  private readonly spawned = new Map<number, Spawned>();
  private pending: PendingLookup[] = [];
  /**
   * Events not yet handed on: a failed look-up is completed by the other
   * side's report of it (its connection, its name), so it and every event
   * after it wait until it is paired or can no longer be.
   */
  private held: TraceEvent[] = [];
  private heldStart = 0;
  private readonly unsettled = new Set<TraceEvent>();
  private lastT = 0;
  /** The time of the line being applied: its warnings carry it. */
  private lineT: number | undefined;
  private readonly namedPids = new Map<string, number>();
  /** While a line is applied: the events it causes, placed after its own log event. */
  private batch: { event: TraceEvent; hold: boolean }[] | null = null;
  /** The first event the current line caused, or the earlier one it completed. */
  private caused: TraceEvent | undefined;
  /** The launchd job the current line turned out to be about, as its spawn or exit event names it. */
  private job: { label: string; domain: string; pid: number } | undefined;

  constructor(private readonly onEvent: (event: TraceEvent) => void) {}

  /**
   * Adds one record; returns whether it was an XPC line (and so produced
   * events). Its log event comes first, then the events it caused, and the
   * log event names the first of them (`event`), so each line sits on the
   * event it caused.
   */
  add(record: LogRecord): boolean {
    const line = recognise(record.message, record.process);
    if (!line) return false;
    const t = this.timeOf(record);
    this.expirePending(t);
    this.batch = [];
    this.caused = undefined;
    this.job = undefined;
    this.lineT = t;
    const conn = this.apply(line, record, t);
    this.lineT = undefined;
    const batch = this.batch;
    this.batch = null;
    // Set by apply(), which the compiler cannot see through.
    const caused = this.caused as TraceEvent | undefined;
    // The log event takes the next seq and the events it caused the ones after: name the first before anything is handed on.
    const at = caused ? batch.findIndex((b) => b.event === caused) : -1;
    const event = caused ? (at >= 0 ? this.eventCount + 1 + at : caused.seq) : null;
    this.emitLog(record, line, t, conn, event);
    for (const b of batch) this.place(b.event, b.hold);
    return true;
  }

  /** The pid a record's events carry: its own, or one of its process name's (isNamedOnly). */
  private pidOf(record: LogRecord): number {
    if (record.pid !== null) return record.pid;
    if (record.process === '') return UNKNOWN_PID;
    let pid = this.namedPids.get(record.process);
    if (pid === undefined) {
      pid = UNKNOWN_PID - 1 - this.namedPids.size;
      this.namedPids.set(record.process, pid);
    }
    return pid;
  }

  /** Hands on every event still held: the log has ended, so no look-up can be paired any more. */
  finish(): void {
    for (const p of this.pending) this.unsettled.delete(p.event);
    this.pending = [];
    this.release();
  }

  warn(line: number, message: string): void {
    const t = this.lineT;
    if (this.warnings.length < MAX_WARNINGS)
      this.warnings.push({ line, message, ...(t === undefined ? {} : { t }) });
    else this.droppedWarnings++;
  }

  /** The warnings, with a last one counting those left out. */
  allWarnings(): Warning[] {
    if (this.droppedWarnings === 0) return this.warnings;
    return [...this.warnings, { line: 0, message: `${this.droppedWarnings} more warnings not shown` }];
  }

  private timeOf(record: LogRecord): number {
    if (record.t === null) {
      this.lineT = this.lastT;
      this.warn(record.line, "no readable timestamp; using the previous line's time");
      this.lineT = undefined;
    } else this.lastT = record.t;
    return this.lastT;
  }

  private emit<E extends TraceEvent>(event: Omit<E, 'v' | 'seq'>, hold = false): E {
    const full = { v: SCHEMA_VERSION, seq: -1, ...event } as E;
    if (this.batch) {
      this.batch.push({ event: full, hold });
      this.caused ??= full;
    } else this.place(full, hold);
    return full;
  }

  private place(full: TraceEvent, hold: boolean): void {
    full.seq = this.eventCount++;
    if (hold) this.unsettled.add(full);
    if (hold || this.held.length > this.heldStart) this.held.push(full);
    else this.onEvent(full);
  }

  /** Hands on the held events up to the first look-up that may still change. */
  private release(): void {
    const held = this.held;
    let i = this.heldStart;
    while (i < held.length && !this.unsettled.has(held[i]!)) this.onEvent(held[i++]!);
    if (i === held.length) {
      this.held = [];
      this.heldStart = 0;
    } else if (i > 1024 && i * 2 > held.length) {
      this.held = held.slice(i);
      this.heldStart = 0;
    } else {
      this.heldStart = i;
    }
  }

  private settle(p: PendingLookup): void {
    this.unsettled.delete(p.event);
    this.release();
  }

  /**
   * A failed look-up pairs only with a report within PAIR_WINDOW_MS of it, so
   * once a line outside that window is read it is final. Deciding this per
   * line, not only at the next look-up, keeps what is held to a second of log.
   */
  private expirePending(t: number): void {
    if (this.pending.length === 0) return;
    const expired = this.pending.filter((p) => Math.abs(t - p.t) > PAIR_WINDOW_MS);
    if (expired.length === 0) return;
    this.pending = this.pending.filter((p) => Math.abs(t - p.t) <= PAIR_WINDOW_MS);
    for (const p of expired) this.unsettled.delete(p.event);
    this.release();
  }

  private apply(line: XpcLine, record: LogRecord, t: number): string | undefined {
    switch (line.kind) {
      case 'activation':
      case 'lookup-failed':
      case 'invalidated':
      case 'listener-failed':
      case 'interrupted':
      case 'libxpc':
        return this.applyLibxpc(line, record, t);
      default:
        this.applyLaunchd(line, record, t);
        return undefined;
    }
  }

  private applyLibxpc(line: LibxpcLine, record: LogRecord, t: number): string | undefined {
    if (line.kind === 'lookup-failed') return this.lookupFailed(line, record, t);
    if (!line.ptr) {
      if (line.kind !== 'libxpc')
        this.warn(record.line, 'a libxpc connection line without its [0x…] pointer: kept as a log line only');
      return undefined;
    }
    if (line.kind === 'activation') return this.activation(line, line.ptr, record, t);
    const conn = this.connFor(record, line.ptr, false);
    if (line.kind === 'invalidated') this.invalidated(conn, line, t);
    if (line.kind === 'listener-failed') {
      conn.side = 'listener';
      this.setState(conn, 'invalidated', t, { error: INVALID, cause: line.cause, reason: line.reason });
    }
    if (line.kind === 'interrupted') {
      this.setState(conn, 'interrupted', t, {
        error: INTERRUPTED,
        cause: 'the service exited; the connection stays usable and the next message relaunches it',
      });
    }
    return conn.id;
  }

  private connKey(record: LogRecord, ptr: string): string {
    return `${this.pidOf(record)}|${record.process}|${ptr}`;
  }

  /**
   * The live connection at `ptr` in this process, or a new one when there is
   * none or `fresh` is asked for. [I] A connection first seen by any line but
   * its activation is taken to be activating already: its activation line is
   * missing (filtered out or before the excerpt), and libxpc looks names up and
   * checks listeners in at activation (XPC-MODEL §1.1, §3.3).
   */
  private connFor(
    record: LogRecord,
    ptr: string,
    fresh: boolean,
    initial: ConnectionState = 'activating',
  ): Conn {
    const key = this.connKey(record, ptr);
    const current = this.conns.get(key);
    if (current && !fresh && current.state !== 'invalidated') return current;
    const pid = this.pidOf(record);
    const base = `${ptr}@${pid < 0 ? record.process : pid}`;
    const uses = (this.idUses.get(base) ?? 0) + 1;
    this.idUses.set(base, uses);
    const conn: Conn = {
      id: uses === 1 ? base : `${base}#${uses}`,
      key,
      side: 'client',
      pid,
      name: UNKNOWN_NAME,
      state: initial,
      logged: { activating: false, activated: false },
    };
    this.conns.set(key, conn);
    return conn;
  }

  private activation(
    line: Extract<LibxpcLine, { kind: 'activation' }>,
    ptr: string,
    record: LogRecord,
    t: number,
  ) {
    const phase = line.activated ? 'activated' : 'activating';
    const logged = this.conns.get(this.connKey(record, ptr))?.logged;
    // A connection logs each activation line once; another one is a new connection at a reused pointer.
    const again = logged !== undefined && (logged[phase] || (phase === 'activating' && logged.activated));
    const conn = this.connFor(record, ptr, again, 'inactive');
    conn.logged[phase] = true;
    conn.side = line.listener ? 'listener' : line.peer ? 'peer' : 'client';
    conn.name = line.name;
    if (line.peerPid !== undefined) conn.peerPid = line.peerPid;
    // "activated" (libxpc ≥ 2894) is read as connected. [I]
    this.setState(conn, line.activated ? 'connected' : 'activating', t, {});
    return conn.id;
  }

  private invalidated(conn: Conn, line: Extract<LibxpcLine, { kind: 'invalidated' }>, t: number): void {
    if (line.clientPid !== undefined) {
      conn.side = 'peer';
      conn.peerPid = line.clientPid;
    }
    let cause = line.cause;
    if (line.reason === 'failed init' && conn.lookup) {
      cause = `the bootstrap look-up of ${conn.name} failed (${conn.lookup.errno}: ${conn.lookup.error})`;
    }
    this.setState(conn, 'invalidated', t, { error: INVALID, cause, reason: line.reason });
  }

  private setState(conn: Conn, to: ConnectionState, t: number, extra: Extra): void {
    // A repeated interruption is a new event; any other same-state line changes nothing.
    if (conn.state === to && to !== 'interrupted') return;
    this.emit<ConnectionStateEvent>({
      kind: 'connection.state',
      t,
      conn: conn.id,
      side: conn.side,
      pid: conn.pid,
      name: conn.name,
      ...(conn.peerPid === undefined ? {} : { peerPid: conn.peerPid }),
      from: conn.state,
      to,
      ...extra,
    });
    conn.state = to;
    // An invalidated connection is never looked up again: its pointer's next line starts a new one.
    if (to === 'invalidated' && this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
  }

  private lookupFailed(line: Extract<LibxpcLine, { kind: 'lookup-failed' }>, record: LogRecord, t: number) {
    const pid = this.pidOf(record);
    const conn = line.ptr ? this.connFor(record, line.ptr, false) : undefined;
    if (conn) conn.lookup = { errno: line.errno, error: line.error };
    const connId = conn?.id ?? `lookup@${pid}`;
    const pair = this.takePending('libxpc', pid, line.errno);
    if (pair) {
      this.caused ??= pair.event;
      pair.event.conn = connId;
      if (conn && conn.name === UNKNOWN_NAME) conn.name = pair.event.name;
      this.settle(pair);
      return connId;
    }
    const event = this.emit<LookupEvent>(
      {
        kind: 'lookup',
        t,
        conn: connId,
        name: conn?.name ?? UNKNOWN_NAME,
        pid,
        domain: fallbackDomain(record.uid),
        ok: false,
        errno: line.errno,
        error: line.error,
      },
      true,
    );
    this.pending.push({ event, from: 'libxpc', pid, errno: line.errno, t, ...(conn ? { conn } : {}) });
    return connId;
  }

  /** The other side's unpaired report of the same failed lookup, if one is close enough. */
  private takePending(from: PendingLookup['from'], pid: number, errno: number): PendingLookup | undefined {
    // expirePending has already dropped the reports outside the window of this line's time.
    const i = this.pending.findIndex((p) => p.from !== from && p.pid === pid && p.errno === errno);
    return i < 0 ? undefined : this.pending.splice(i, 1)[0];
  }

  private applyLaunchd(line: LaunchdLine, record: LogRecord, t: number): void {
    if (line.kind === 'spawn') this.spawn(line, record, t);
    else if (line.kind === 'exit') this.exit(line, record, t);
    else if (line.kind === 'launchd-lookup') this.launchdLookup(line, t);
  }

  private spawn(line: Extract<LaunchdLine, { kind: 'spawn' }>, record: LogRecord, t: number): void {
    const reason = SpawnReasonSchema.safeParse(line.reason);
    const label = line.prefix.label ?? line.program;
    const domain = line.prefix.domain ?? LAUNCHD_DEFAULT_DOMAIN;
    this.spawned.set(line.pid, { t, label, domain });
    this.job = { label, domain, pid: line.pid };
    if (!reason.success) {
      this.warn(
        record.line,
        `spawn reason "${line.reason}" is not one the trace schema knows: kept as a log line only`,
      );
      return;
    }
    this.emit<ProcessSpawnEvent>({
      kind: 'process.spawn',
      t,
      pid: line.pid,
      label,
      domain,
      program: line.program,
      reason: reason.data,
    });
  }

  private exit(line: Extract<LaunchdLine, { kind: 'exit' }>, record: LogRecord, t: number): void {
    const pid = line.prefix.pid;
    if (pid === undefined) {
      this.warn(record.line, 'a launchd exit line without the pid of the job: kept as a log line only');
      return;
    }
    const spawned = this.spawned.get(pid);
    this.spawned.delete(pid);
    const label = line.prefix.label ?? spawned?.label ?? record.process;
    const domain = line.prefix.domain ?? spawned?.domain ?? LAUNCHD_DEFAULT_DOMAIN;
    this.job = { label, domain, pid };
    this.emit<ProcessExitEvent>({
      kind: 'process.exit',
      t,
      pid,
      label,
      domain,
      cause: line.cause,
      code: line.code,
      signal: line.signal,
      // The syslog-era line gives no run time; the spawn line, when present, does.
      ranForMs: line.ranForMs ?? (spawned ? Math.max(0, t - spawned.t) : 0),
      clean: line.cause === 'exit' && line.code === 0,
      detail: line.detail,
    });
  }

  private launchdLookup(line: Extract<LaunchdLine, { kind: 'launchd-lookup' }>, t: number): void {
    const domain = line.prefix.domain ?? fallbackDomain();
    const pair = this.takePending('launchd', line.pid, line.errno);
    if (pair) {
      this.caused ??= pair.event;
      if (pair.event.name === UNKNOWN_NAME) pair.event.name = line.name;
      if (pair.conn && pair.conn.name === UNKNOWN_NAME) pair.conn.name = line.name;
      if (line.prefix.domain) pair.event.domain = domain;
      this.settle(pair);
      return;
    }
    const event = this.emit<LookupEvent>(
      {
        kind: 'lookup',
        t,
        conn: `lookup@${line.pid}`,
        name: line.name,
        pid: line.pid,
        domain,
        ok: false,
        errno: line.errno,
        error: line.error,
      },
      true,
    );
    this.pending.push({ event, from: 'launchd', pid: line.pid, errno: line.errno, t });
  }

  private emitLog(
    record: LogRecord,
    line: XpcLine,
    t: number,
    conn: string | undefined,
    event: number | null,
  ): EventOf<'log'> {
    const fromLaunchd =
      line.kind === 'spawn' ||
      line.kind === 'exit' ||
      line.kind === 'launchd-lookup' ||
      line.kind === 'launchd';
    const job = fromLaunchd ? (this.job ?? line.prefix) : undefined;
    const named = job && (job.label !== undefined || job.pid !== undefined || job.domain !== undefined);
    return this.emit<EventOf<'log'>>({
      kind: 'log',
      t,
      // XPC-MODEL §7.1: libxpc logs as com.apple.xpc:connection, launchd as com.apple.xpc.launchd.
      subsystem: record.subsystem || (fromLaunchd ? 'com.apple.xpc.launchd' : 'com.apple.xpc'),
      category: record.category || (fromLaunchd ? '' : 'connection'),
      process: record.process,
      pid: this.pidOf(record),
      level: record.level,
      text: record.message,
      ...(conn ? { conn } : {}),
      event,
      ...(named ? { job: { ...job } } : {}),
    });
  }
}
