import type {
  ConnectionSide,
  ConnectionState,
  ExitCause,
  NsError,
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

export function emptySnapshot(): ModelSnapshot {
  return { processes: {}, services: {}, connections: {}, messages: 0, bytes: 0, errors: {}, lastSeq: -1 };
}

export class WorldModel {
  state: ModelSnapshot;
  /** Request id → the connection waiting for its reply. */
  private readonly waiting = new Map<number, string>();

  constructor(snapshot: ModelSnapshot = emptySnapshot(), waiting: Iterable<readonly [number, string]> = []) {
    this.state = snapshot;
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
        };
        return;
      case 'process.exit': {
        const p = this.state.processes[ev.pid];
        if (!p) return;
        p.state = 'exited';
        p.exit = {
          t: ev.t,
          cause: ev.cause,
          code: ev.code,
          signal: ev.signal,
          detail: ev.detail,
          clean: ev.clean,
        };
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
        return this.applyState(ev);
      case 'remedy':
        if (this.state.upgradeStory) storyRemedy(this.state.upgradeStory, ev);
        return;
      case 'log':
        if (this.state.upgradeStory) storyLog(this.state.upgradeStory, ev);
        return;
      case 'message':
        return this.applyMessage(ev);
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

  private followUpgrade(ev: Extract<TraceEvent, { kind: 'connection.state' }>): void {
    const story = this.state.upgradeStory;
    const report = this.state.upgrades?.at(-1);
    if (!story || !report) return;
    storyConnection(story, ev, (pid) => this.state.processes[pid]?.label, report.appNames ?? []);
  }

  private applySysext(ev: Extract<TraceEvent, { kind: 'sysext' }>): void {
    const extensions = this.state.extensions ?? {};
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
