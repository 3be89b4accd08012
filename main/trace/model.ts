import type {
  ConnectionSide,
  ConnectionState,
  ExitCause,
  NsError,
  ProcessSignature,
  SysextState,
  TraceEvent,
  UpgradeEvent,
  XpcError,
} from './schema';
import { startStory, storyConnection, storyLog, storyRemedy, type UpgradeStory } from './upgrade-story';

/**
 * The state of the world as the event stream tells it: processes, services,
 * connections. One reducer, used by the host (to greet a new console with a
 * snapshot), by the console, and by a reopened trace. Views are queries over it.
 */

export interface ProcessView {
  pid: number;
  label: string;
  domain: string;
  program: string;
  state: 'running' | 'exited';
  spawnedAt: number;
  reason: string;
  bundleVersion?: string;
  /** The executable's code signature (XPC-MODEL §10.5), when it has one. */
  signature?: ProcessSignature;
  /** Known only from an imported log: it wrote a line or a launchd line named it; no spawn was seen. */
  fromLog?: boolean;
  exit?: {
    t: number;
    cause: ExitCause;
    code: number | null;
    signal: string | null;
    detail: string;
    clean: boolean;
  };
}

export interface ServiceView {
  key: string;
  name: string;
  domain: string;
  label: string;
  origin: string;
  registered: boolean;
  /** XPC-MODEL §5.4: 'stale' when the name is bound to a replaced extension instance. */
  binding?: 'live' | 'stale';
  boundTo?: string;
}

/** One row of `systemextensionsctl list` (XPC-MODEL §5.2). */
export interface ExtensionView {
  uuid: string;
  teamId: string;
  bundleId: string;
  category: string;
  name: string;
  shortVersion: string;
  bundleVersion: string;
  state: SysextState;
}

const UPGRADE_LIMIT = 16;

export interface StateChange {
  t: number;
  from: ConnectionState;
  to: ConnectionState;
  error?: XpcError;
  cause?: string;
}

export interface ConnectionView {
  conn: string;
  side: ConnectionSide;
  pid: number;
  name: string;
  state: ConnectionState;
  since: number;
  peerConn?: string;
  peerPid?: number;
  error?: XpcError;
  cause?: string;
  reason?: string;
  nsError?: NsError;
  sent: number;
  received: number;
  bytesOut: number;
  bytesIn: number;
  pendingReplies: number;
  history: StateChange[];
  /** Its process has exited (XPC-MODEL §10.2): the connection ended with it. */
  ownerExited?: boolean;
}

/** A connection as the model first sees it: no traffic, no history yet. */
export function newConnection(
  c: Pick<ConnectionView, 'conn' | 'side' | 'pid' | 'name' | 'state' | 'since'> & Partial<ConnectionView>,
): ConnectionView {
  return { sent: 0, received: 0, bytesOut: 0, bytesIn: 0, pendingReplies: 0, history: [], ...c };
}

export interface ModelSnapshot {
  processes: Record<string, ProcessView>;
  services: Record<string, ServiceView>;
  connections: Record<string, ConnectionView>;
  messages: number;
  bytes: number;
  /** Message records helpers over their capture budget did not keep: the messages travelled, unrecorded. */
  unrecorded?: number;
  errors: Record<string, number>;
  lastSeq: number;
  world?: { name: string; root: string };
  /** System extensions by instance uuid. */
  extensions?: Record<string, ExtensionView>;
  /** The most recent upgrade reports, oldest first. */
  upgrades?: UpgradeEvent[];
  /** What followed the latest upgrade: broken connections grouped, remedies and their outcomes (main/trace/upgrade-story.ts). */
  upgradeStory?: UpgradeStory;
}

const HISTORY_LIMIT = 64;

/**
 * A record keyed by ids that come from files and helpers: no prototype, so an
 * id such as `__proto__`, `constructor` or `toString` is an ordinary key.
 * Copies of a snapshot (structuredClone, JSON) come back as plain objects, so
 * the model re-homes them on the way in.
 */
export function idRecord<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const key of Object.keys(from)) out[key] = from[key] as T;
  return out;
}

export function emptySnapshot(): ModelSnapshot {
  return {
    processes: idRecord(),
    services: idRecord(),
    connections: idRecord(),
    messages: 0,
    bytes: 0,
    errors: idRecord(),
    lastSeq: -1,
  };
}

/** The same snapshot with every id-keyed record prototype-free. */
function rehomed(s: ModelSnapshot): ModelSnapshot {
  return {
    ...s,
    processes: idRecord(s.processes),
    services: idRecord(s.services),
    connections: idRecord(s.connections),
    errors: idRecord(s.errors),
    ...(s.extensions ? { extensions: idRecord(s.extensions) } : {}),
  };
}

export class WorldModel {
  state: ModelSnapshot;
  /** Request id → the connection waiting for its reply. */
  private readonly waiting = new Map<number, string>();
  /** Processes known only from a log, by name. */
  private readonly logLabels = new Map<string, number>();

  constructor(snapshot: ModelSnapshot = emptySnapshot(), waiting: Iterable<readonly [number, string]> = []) {
    this.state = rehomed(snapshot);
    for (const [request, conn] of waiting) this.waiting.set(request, conn);
  }

  /** Requests still waiting for a reply: with `state`, everything a copy of this model needs to go on. */
  pendingRequests(): [number, string][] {
    return [...this.waiting];
  }

  apply(ev: TraceEvent): void {
    this.state.lastSeq = ev.seq;
    switch (ev.kind) {
      case 'process.spawn':
        this.state.processes[ev.pid] = {
          pid: ev.pid,
          label: ev.label,
          domain: ev.domain,
          program: ev.program,
          state: 'running',
          spawnedAt: ev.t,
          reason: ev.reason,
          ...(ev.bundleVersion ? { bundleVersion: ev.bundleVersion } : {}),
          ...(ev.signature ? { signature: ev.signature } : {}),
        };
        return;
      case 'process.exit': {
        // A log can show a job's exit without its spawn: the exit names it.
        const p =
          this.state.processes[ev.pid] ??
          this.seenInLog(ev.pid, ev.label, ev.domain, ev.t - ev.ranForMs, ev.label);
        p.state = 'exited';
        p.exit = {
          t: ev.t,
          cause: ev.cause,
          code: ev.code,
          signal: ev.signal,
          detail: ev.detail,
          clean: ev.clean,
        };
        this.endConnectionsOf(ev.pid, ev.t, ev.detail);
        return;
      }
      case 'service.register':
      case 'service.unregister': {
        const key = `${ev.domain}/${ev.name}`;
        const registered = ev.kind === 'service.register';
        const prior = this.state.services[key];
        this.state.services[key] = {
          key,
          name: ev.name,
          domain: ev.domain,
          label: ev.label,
          origin: ev.kind === 'service.register' ? ev.origin : (prior?.origin ?? 'MachServices'),
          registered,
        };
        return;
      }
      case 'connection.state':
        if (this.state.upgradeStory) this.followUpgrade(ev);
        this.applyState(ev);
        this.serviceFromLog(ev);
        return;
      case 'remedy':
        if (this.state.upgradeStory) storyRemedy(this.state.upgradeStory, ev);
        return;
      case 'log':
        if (this.state.upgradeStory) storyLog(this.state.upgradeStory, ev);
        return this.applyLog(ev);
      case 'message':
        return this.applyMessage(ev);
      case 'message.counts':
        return this.applyCounts(ev);
      case 'diagnostic':
        if (ev.key === 'capture' && ev.count) this.state.unrecorded = (this.state.unrecorded ?? 0) + ev.count;
        return;
      case 'reply.failed': {
        this.countError(ev.error);
        const c = this.state.connections[ev.conn];
        if (c && this.waiting.delete(ev.request)) c.pendingReplies = Math.max(0, c.pendingReplies - 1);
        return;
      }
      case 'lookup':
        if (!ev.ok) this.countError(`lookup error ${ev.errno}`);
        return;
      case 'world.loaded':
        this.state.world = { name: ev.name, root: ev.root };
        return;
      case 'sysext':
        return this.applySysext(ev);
      case 'service.binding': {
        const service = this.state.services[`${ev.domain}/${ev.name}`];
        if (service) Object.assign(service, { binding: ev.binding, boundTo: ev.boundTo });
        return;
      }
      case 'upgrade': {
        const upgrades = this.state.upgrades ?? [];
        upgrades.push(ev);
        this.state.upgrades = upgrades.slice(-UPGRADE_LIMIT);
        this.state.upgradeStory = startStory(ev);
        return;
      }
      default:
        return;
    }
  }

  /**
   * A process an imported log shows without its spawn. [I] Its domain is the
   * one its launchd line names; launchd and jobs of the syslog era go in
   * `system`, any other writer in `user/501` as the importer places it
   * (XPC-MODEL §7.1, §10.3).
   */
  private seenInLog(pid: number, label: string, domain: string, t: number, program: string): ProcessView {
    const p: ProcessView = {
      pid,
      label,
      domain,
      program,
      state: 'running',
      spawnedAt: t,
      reason: 'it appears in the log',
      fromLog: true,
    };
    this.state.processes[pid] = p;
    this.logLabels.set(label, pid);
    return p;
  }

  /** Processes by pid and name from a log's lines: the writer, and the job a launchd line names. */
  private applyLog(ev: Extract<TraceEvent, { kind: 'log' }>): void {
    // A live line, or one naming no process, adds nothing: the broker's own events do.
    if (ev.event === undefined) return;
    if (ev.pid !== -1 && !this.state.processes[ev.pid]) {
      const launchd = ev.process === 'launchd' || ev.process === 'com.apple.xpc.launchd';
      this.seenInLog(
        ev.pid,
        ev.process || `pid ${ev.pid}`,
        launchd ? 'system' : 'user/501',
        ev.t,
        ev.process,
      );
    }
    const job = ev.job;
    if (job?.pid === undefined) return;
    const known = this.state.processes[job.pid];
    if (!known) {
      const label = job.label ?? `pid ${job.pid}`;
      this.seenInLog(job.pid, label, job.domain ?? (job.label ? 'system' : `pid/${job.pid}`), ev.t, label);
    } else if (known.fromLog && job.label && known.label.startsWith('pid ')) {
      known.label = job.label;
      this.logLabels.set(job.label, job.pid);
    }
  }

  /**
   * A listener a log shows is its process vending that name (XPC-MODEL §1.4).
   * [I] So is a process the log names by the very name a client connects to:
   * Console names an XPC service's process by its bundle identifier, which is
   * its service name.
   */
  private serviceFromLog(ev: Extract<TraceEvent, { kind: 'connection.state' }>): void {
    if (ev.name === '(anonymous)' || ev.name === '<unknown>') return;
    let p = this.state.processes[ev.pid];
    if (ev.side === 'client') {
      if (!p?.fromLog || this.state.services[`${p.domain}/${ev.name}`]) return;
      const pid = this.logLabels.get(ev.name);
      p = pid === undefined ? undefined : this.state.processes[pid];
      if (!p || this.state.services[`${p.domain}/${ev.name}`]) return;
    } else if (ev.side !== 'listener' || !p?.fromLog) return;
    const key = `${p.domain}/${ev.name}`;
    this.state.services[key] = {
      key,
      name: ev.name,
      domain: p.domain,
      label: p.label,
      origin: 'log',
      registered: ev.side === 'client' || ev.to !== 'invalidated',
    };
  }

  /**
   * XPC-MODEL §10.2: a process that exits ends its own connections. A live broker says so itself; a
   * log or an older trace may not, so the exit alone ends any the stream left open. No error is
   * counted: no handler is left to receive one.
   */
  private endConnectionsOf(pid: number, t: number, detail: string): void {
    for (const c of Object.values(this.state.connections)) {
      if (c.pid !== pid) continue;
      c.ownerExited = true;
      if (c.state === 'invalidated') continue;
      const cause = `ended with its process: ${detail}`;
      c.history.push({ t, from: c.state, to: 'invalidated', cause });
      if (c.history.length > HISTORY_LIMIT) c.history.splice(0, c.history.length - HISTORY_LIMIT);
      Object.assign(c, { state: 'invalidated', since: t, cause, pendingReplies: 0 });
    }
  }

  private followUpgrade(ev: Extract<TraceEvent, { kind: 'connection.state' }>): void {
    const story = this.state.upgradeStory;
    const report = this.state.upgrades?.at(-1);
    if (!story || !report) return;
    storyConnection(story, ev, (pid) => this.state.processes[pid]?.label, report.appNames ?? []);
  }

  private applySysext(ev: Extract<TraceEvent, { kind: 'sysext' }>): void {
    const extensions = this.state.extensions ?? idRecord<ExtensionView>();
    this.state.extensions = extensions;
    if (ev.state === 'uninstalled') {
      delete extensions[ev.uuid];
      return;
    }
    const { uuid, teamId, bundleId, category, name, shortVersion, bundleVersion, state } = ev;
    extensions[uuid] = { uuid, teamId, bundleId, category, name, shortVersion, bundleVersion, state };
  }

  private countError(key: string): void {
    this.state.errors[key] = (this.state.errors[key] ?? 0) + 1;
  }

  private applyState(ev: Extract<TraceEvent, { kind: 'connection.state' }>): void {
    let c = this.state.connections[ev.conn];
    if (!c) {
      c = newConnection({
        conn: ev.conn,
        side: ev.side,
        pid: ev.pid,
        name: ev.name,
        state: ev.from,
        since: ev.t,
      });
      this.state.connections[ev.conn] = c;
    }
    c.state = ev.to;
    c.since = ev.t;
    if (ev.peerConn) c.peerConn = ev.peerConn;
    if (ev.peerPid !== undefined) c.peerPid = ev.peerPid;
    if (ev.error && ev.to !== 'connected') {
      c.error = ev.error;
      this.countError(ev.error);
    }
    if (ev.cause) c.cause = ev.cause;
    if (ev.reason) c.reason = ev.reason;
    if (ev.nsError) c.nsError = ev.nsError;
    if (ev.to === 'invalidated' || ev.to === 'interrupted') c.pendingReplies = 0;
    c.history.push({
      t: ev.t,
      from: ev.from,
      to: ev.to,
      ...(ev.error ? { error: ev.error } : {}),
      ...(ev.cause ? { cause: ev.cause } : {}),
    });
    if (c.history.length > HISTORY_LIMIT) c.history.splice(0, c.history.length - HISTORY_LIMIT);
    if (ev.peerConn) {
      const other = this.state.connections[ev.peerConn];
      if (other && !other.peerConn) {
        other.peerConn = ev.conn;
        other.peerPid = ev.pid;
      }
    }
  }

  /** Capture off: counts and sizes only. Replies owed are not tracked per request, so pending stays as it was. */
  private applyCounts(ev: Extract<TraceEvent, { kind: 'message.counts' }>): void {
    this.state.messages += ev.messages;
    this.state.bytes += ev.bytes;
    const sender = this.state.connections[ev.conn];
    if (sender) {
      sender.sent += ev.messages;
      sender.bytesOut += ev.bytes;
    }
    const receiver = sender?.peerConn ? this.state.connections[sender.peerConn] : undefined;
    if (receiver) {
      receiver.received += ev.messages;
      receiver.bytesIn += ev.bytes;
    }
  }

  private applyMessage(ev: Extract<TraceEvent, { kind: 'message' }>): void {
    this.state.messages++;
    this.state.bytes += ev.size;
    const sender = this.state.connections[ev.conn];
    if (sender) {
      sender.sent++;
      sender.bytesOut += ev.size;
      if (ev.expectsReply) {
        sender.pendingReplies++;
        this.waiting.set(ev.id, sender.conn);
      }
    }
    const receiver = sender?.peerConn ? this.state.connections[sender.peerConn] : undefined;
    if (receiver) {
      receiver.received++;
      receiver.bytesIn += ev.size;
    }
    if (ev.replyTo !== undefined) {
      const requester = this.waiting.get(ev.replyTo);
      this.waiting.delete(ev.replyTo);
      const c = requester ? this.state.connections[requester] : undefined;
      if (c) c.pendingReplies = Math.max(0, c.pendingReplies - 1);
    }
  }
}
