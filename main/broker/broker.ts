import { type HelperToBroker, HelperToBrokerSchema } from '../helper/protocol';
import type { ConnectionState, EventInput, NsError, XpcError } from '../trace/schema';
import { xpcSize, xpcValueProblem } from '../trace/xpc-value';
import type { JobSpec, World } from '../world/model';
import { versionText } from '../world/unit';
import { Barriers } from './barrier';
import { Connection, type PendingReply, type QueuedMessage } from './connection';
import { anonymous, Endpoints } from './endpoint';
import { nsErrorCodeSigning, nsErrorInterrupted, nsErrorInvalid, nsErrorPeerInvalid } from './errors';
import { type ExitFacts, KeepAlive, loadsRunning } from './keepalive';
import { LabelSlots } from './label-slots';
import { Launchctl } from './launchctl';
import type { LaunchdPort } from './launchd-port';
import { Lifecycle } from './lifecycle';
import { codeSigning, invalidationReason, launchctl, launchd, launchdPrefix, libxpc } from './logs';
import { Namespace, type ServiceEntry } from './namespace';
import { DisabledOverrides } from './overrides';
import { PointerAllocator } from './pointer';
import { checkPeer, requirementCompiles } from './policy/peer-requirement';
import { mayCheckIn, sandboxAllowsLookup } from './policy/sandbox';
import { Proc } from './process';
import { isBundledService, SMAppServices } from './smappservice';
import type { Clock, ProcessExit, Spawner } from './spawner';
import { SystemExtensions } from './sysext';
import { Upgrades } from './upgrade';

export interface BrokerOptions {
  world: World;
  spawner: Spawner;
  clock: Clock;
  emit: (event: EventInput) => void;
  /** Messages larger than this invalidate their connection (DESIGN.md, Trust boundaries). */
  maxMessageBytes?: number;
  /** Record payloads (capture on) or counts only. */
  capturePayloads?: boolean;
}

interface Transition {
  error?: XpcError;
  cause?: string;
  reason?: string;
  nsError?: NsError;
}

const DEFAULT_MAX_MESSAGE = 1024 * 1024;

/**
 * The simulated launchd and libxpc routing layer. It decides; the host acts
 * through the Spawner. It never touches a socket, a file or Electron.
 */
export class Broker {
  readonly namespace = new Namespace();
  private readonly pointers = new PointerAllocator();
  private readonly procs = new Set<Proc>();
  /** Running (or spawning) instance per job key: label, or label@ownerPid for bundled XPC services. */
  private readonly instances = new Map<string, Proc>();
  private readonly pending = new Map<number, PendingReply>();
  private readonly queues = new Map<ServiceEntry, QueuedMessage[]>();
  private readonly runs = new Map<string, number>();
  private nextMessageId = 1;
  private spawnSerial = 0;
  private disposed = false;
  private readonly maxMessageBytes: number;
  capturePayloads: boolean;
  readonly lifecycle: Lifecycle;
  readonly launchctl: Launchctl;
  readonly smAppService: SMAppServices;
  private readonly keepAlive: KeepAlive;
  private readonly slots = new LabelSlots();
  private readonly barriers = new Barriers();
  private readonly endpoints = new Endpoints();
  private readonly observers = new Set<(event: EventInput) => void>();
  /** sysextd: installed system extensions and their name bindings (XPC-MODEL §5). */
  readonly sysext: SystemExtensions;
  /** Upgrades, app restarts and reboots (XPC-MODEL §5.1, §5.4). */
  readonly upgrades: Upgrades;

  constructor(private readonly options: BrokerOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    this.capturePayloads = options.capturePayloads ?? true;
    const { clock, world } = options;
    this.lifecycle = new Lifecycle({
      clock,
      openRequests: (proc) => this.openRequests(proc),
      peers: (proc) => [...proc.connections.values()].filter((c) => c.side === 'peer' && c.live),
      terminationImminent: (peer, cause) => this.terminationImminent(peer, cause),
    });
    this.keepAlive = new KeepAlive({
      clock,
      launchdLog: (t) => this.launchdLog(t),
      respawn: (job) => this.respawn(job),
    });
    const jobs = {
      load: (job: JobSpec) => this.load(job),
      unload: (job: JobSpec, reason: string) => this.unload(job, reason),
      isLoaded: (job: JobSpec) => this.slots.isLoaded(this.domainOf(job), job),
      action: (action: string, target: string, detail?: string) =>
        this.emit({ kind: 'action', action, target, ...(detail ? { detail } : {}) }),
    };
    const overrides = new DisabledOverrides(world.state?.disabled);
    const launchctlPort = {
      ...jobs,
      world,
      domainOf: (j: JobSpec) => this.domainOf(j),
      print: (t: string) => this.launchctlLog(t),
    };
    this.launchctl = new Launchctl(launchctlPort, overrides);
    this.smAppService = new SMAppServices({ ...jobs, log: (t) => this.smdLog(t) }, world.jobs, world.state);
    this.sysext = new SystemExtensions(this.launchd);
    this.upgrades = new Upgrades(this.launchd, this.sysext);
  }

  get world(): World {
    return this.options.world;
  }

  private get clock(): Clock {
    return this.options.clock;
  }

  private emit(event: EventInput): void {
    this.options.emit(event);
    for (const observer of this.observers) observer(event);
  }

  /** Loads every job: registers MachServices at load time (XPC-MODEL §4.1) and launches RunAtLoad jobs and apps. */
  start(): void {
    this.sysext.announce();
    // Jobs on disk load before SMAppService jobs, which their app registers later, so a legacy job keeps a
    // label both claim (XPC-MODEL §4.6).
    const jobs = this.world.jobs.filter((j) => j.domainKind !== 'pid' && j.type !== 'App');
    const ordered = [...jobs.filter((j) => !isBundledService(j)), ...jobs.filter(isBundledService)];
    for (const job of ordered) if (this.smAppService.startsEnabled(job)) this.load(job, false);
    for (const job of this.world.jobs) {
      if (job.type !== 'App') continue;
      this.registerServices(job, this.domainOf(job));
      this.spawn(job, 'app launch');
    }
    for (const job of ordered) {
      if (this.slots.isLoaded(this.domainOf(job), job) && loadsRunning(job)) this.spawn(job, 'speculative');
    }
  }

  /** launchctl bootstrap of one job: the overrides database (119, §4.5) and the label's slot (17/37, §4.6) decide. */
  private load(job: JobSpec, launch = true): number {
    const domain = this.domainOf(job);
    const disabled = this.launchctl.overrides.isDisabled(domain, job.label, job.disabled);
    const errno = disabled ? 119 : this.slots.load(domain, job);
    if (errno !== 0) {
      this.bootstrapFailed(job, domain, errno);
      return errno;
    }
    this.registerServices(job, domain);
    if (launch && loadsRunning(job)) this.spawn(job, 'speculative');
    return 0;
  }

  private bootstrapFailed(job: JobSpec, domain: string, errno: number): void {
    const target = `${domain}/${job.label}`;
    const holder = this.slots.holder(domain, job.label);
    const message =
      errno === 119
        ? `${target} is disabled in the overrides database, which outlives any plist; \`launchctl enable ${target}\` clears it`
        : errno === 17
          ? `${job.label} is already loaded in ${domain} from ${holder?.path}; boot it out first`
          : `${target} is already loaded`;
    const line = launchctl.bootstrapFailed(errno);
    this.launchctlLog(line);
    this.emit({
      kind: 'diagnostic',
      severity: 'error',
      file: job.path,
      key: 'Label',
      message,
      consequence: line,
    });
  }

  /** launchctl bootout: the names leave the namespace and a running instance gets SIGTERM, then SIGKILL. */
  private unload(job: JobSpec, reason: string): void {
    const domain = this.domainOf(job);
    this.slots.unload(domain, job.label);
    this.keepAlive.cancel(job);
    this.unregisterServices(job, domain, reason);
    const proc = this.instances.get(this.instanceKey(job));
    if (proc && proc.job === job && proc.state !== 'exited') {
      proc.endingBecause = 'bootout';
      this.lifecycle.stop(proc);
    }
    this.settleBarriers();
  }

  /** A KeepAlive restart; a bootout cancels a scheduled one (KeepAlive.cancel). */
  private respawn(job: JobSpec): void {
    if (this.disposed) return;
    this.spawn(job, 'speculative');
  }

  domainOf(job: JobSpec, owner?: Proc): string {
    switch (job.domainKind) {
      case 'system':
        return 'system';
      case 'gui':
        return `gui/${this.world.uid}`;
      case 'user':
        return `user/${this.world.uid}`;
      case 'pid':
        return `pid/${owner?.pid ?? 0}`;
    }
  }

  private registerServices(job: JobSpec, domain: string, ownerPid?: number): void {
    for (const spec of job.machServices) {
      const entry: ServiceEntry = {
        name: spec.name,
        domain,
        job,
        hideUntilCheckIn: spec.hideUntilCheckIn,
        origin: spec.origin,
        binding: 'live',
        ...(ownerPid === undefined ? {} : { ownerPid }),
      };
      if (this.namespace.register(entry) === 'exists') {
        this.emit({
          kind: 'diagnostic',
          severity: 'error',
          file: job.path,
          key: 'MachServices',
          message: `${spec.name} is already registered in ${domain}; ${job.label} cannot register it`,
          consequence: 'Bootstrap failed: 17: File exists',
        });
        continue;
      }
      this.emit({ kind: 'service.register', name: spec.name, domain, label: job.label, origin: spec.origin });
    }
  }

  private unregisterServices(job: JobSpec, domain: string, reason: string): void {
    for (const spec of job.machServices) {
      const entry = this.namespace.get(domain, spec.name);
      if (entry?.job !== job) continue;
      this.namespace.unregister(domain, spec.name);
      this.failQueue(entry, 'XPC_ERROR_CONNECTION_INVALID', reason);
      this.emit({ kind: 'service.unregister', name: spec.name, domain, label: job.label, reason });
    }
  }

  private instanceKey(job: JobSpec, owner?: Proc): string {
    return job.domainKind === 'pid' ? `${job.label}@${owner?.pid ?? 0}` : job.label;
  }

  // ── activation ─────────────────────────────────────────────────────────────

  private spawn(
    job: JobSpec,
    reason: 'ipc (mach)' | 'speculative' | 'non-ipc demand' | 'app launch',
    owner?: Proc,
  ): Proc {
    const key = this.instanceKey(job, owner);
    const existing = this.instances.get(key);
    if (existing && existing.state !== 'exited' && existing.job === job) return existing;
    const domain = this.domainOf(job, owner);
    const serial = ++this.spawnSerial;
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    const prefix = launchdPrefix(domain, job.label);
    this.launchdLog(`${prefix} <Notice>: ${launchd.willSpawn()}`);
    this.launchdLog(`${prefix} <Notice>: ${launchd.launching(reason)}`);
    let proc: Proc | undefined;
    const handle = this.options.spawner.spawn(
      { label: job.label, serviceName: `${job.label}#${serial}`, env: { XPC_SERVICE_NAME: job.label } },
      {
        onSpawn: (pid) => proc && this.onSpawned(proc, pid, reason),
        onMessage: (message) => proc && this.onHelperMessage(proc, message),
        onExit: (exit) => proc && this.onExit(proc, exit),
      },
    );
    proc = new Proc(job, domain, handle, this.clock.now(), owner);
    this.procs.add(proc);
    this.instances.set(key, proc);
    handle.send({
      t: 'init',
      label: job.label,
      domain,
      machServices: job.machServices.map((s) => s.name),
      behaviours: job.behaviours,
    });
    if (handle.pid !== undefined) this.onSpawned(proc, handle.pid, reason);
    return proc;
  }

  private onSpawned(proc: Proc, pid: number, reason: string): void {
    if (proc.pid !== undefined) return;
    proc.pid = pid;
    proc.state = 'running';
    const job = proc.job;
    const prefix = launchdPrefix(proc.domain, job.label, pid);
    this.launchdLog(`${prefix} <Notice>: ${launchd.spawned(pid)}`);
    this.launchdLog(`${prefix} <Notice>: ${launchd.success(proc.programName, pid, reason)}`);
    this.emit({
      kind: 'process.spawn',
      pid,
      label: job.label,
      domain: proc.domain,
      program: job.program,
      reason: reason as 'ipc (mach)',
      ...(job.bundleVersion ? { bundleVersion: job.bundleVersion } : {}),
    });
    this.lifecycle.touch(proc);
    if (job.type === 'App') {
      for (const xpc of this.world.jobs.filter((j) => j.domainKind === 'pid' && j.ownerLabel === job.label)) {
        this.registerServices(xpc, `pid/${pid}`, pid);
      }
    }
  }

  private onExit(proc: Proc, exit: ProcessExit): void {
    if (proc.state === 'exited') return;
    const wasRunning = proc.pid !== undefined;
    proc.state = 'exited';
    proc.idleTimer?.cancel();
    proc.killTimer?.cancel();
    this.procs.delete(proc);
    const key = this.instanceKey(proc.job, proc.owner);
    if (this.instances.get(key) === proc) this.instances.delete(key);
    const pid = proc.displayPid;
    const ranForMs = Math.max(0, Math.round(this.clock.now() - proc.startedAt));
    const { cause, clean, detail } = this.explainExit(proc, exit);
    if (wasRunning) {
      const prefix = launchdPrefix(proc.domain, proc.job.label, pid);
      const line = exit.signal
        ? launchd.exitedSignal(exit.signal, ranForMs, proc.endingBecause ? 'launchd[1]' : undefined)
        : launchd.exitedCode(exit.code ?? 0, ranForMs);
      this.launchdLog(`${prefix} <Notice>: ${line}`);
    }
    this.emit({
      kind: 'process.exit',
      pid,
      label: proc.job.label,
      domain: proc.domain,
      cause,
      code: exit.code,
      signal: exit.signal,
      ranForMs,
      clean,
      detail,
    });
    this.tearDownConnections(proc, detail);
    if (proc.job.type === 'App' && proc.pid !== undefined) this.stopBundledServices(proc);
    this.afterExit(proc, { cause, code: exit.code, clean, ranForMs });
  }

  /** KeepAlive (XPC-MODEL §4.1): launchd jobs only, never after a bootout or while the broker shuts down. */
  private afterExit(proc: Proc, facts: ExitFacts): void {
    this.settleBarriers();
    const job = proc.job;
    if (this.disposed || job.type === 'App' || job.domainKind === 'pid' || proc.endingBecause === 'bootout')
      return;
    this.keepAlive.afterExit(job, proc.domain, facts);
  }

  private explainExit(
    proc: Proc,
    exit: ProcessExit,
  ): {
    cause: 'exit' | 'signal' | 'crash' | 'idle-exit' | 'killed' | 'jetsam' | 'launch-failed';
    clean: boolean;
    detail: string;
  } {
    const who = `${proc.job.label}[${proc.displayPid}]`;
    if (proc.endDetail) return { cause: 'killed', clean: true, detail: `${who} ${proc.endDetail}` };
    if (exit.launchError)
      return {
        cause: 'launch-failed',
        clean: false,
        detail: `${who} could not be launched: ${exit.launchError}`,
      };
    if (proc.endingBecause === 'idle-exit')
      return { cause: 'idle-exit', clean: true, detail: `${who} exited while idle (no open transactions)` };
    if (proc.endingBecause === 'pressure')
      return { cause: 'jetsam', clean: true, detail: `${who} was reclaimed under memory pressure` };
    if (
      exit.signal === 'SIGSEGV' ||
      exit.signal === 'SIGABRT' ||
      exit.signal === 'SIGBUS' ||
      exit.signal === 'SIGILL'
    ) {
      return { cause: 'crash', clean: false, detail: `${who} crashed (${exit.signal})` };
    }
    if (exit.signal)
      return {
        cause: exit.signal === 'SIGKILL' ? 'killed' : 'signal',
        clean: false,
        detail: `${who} was killed (${exit.signal})`,
      };
    const code = exit.code ?? 0;
    return { cause: 'exit', clean: code === 0, detail: `${who} exited with status ${code}` };
  }

  private stopBundledServices(app: Proc): void {
    for (const proc of [...this.procs]) {
      if (proc.owner === app) {
        proc.endingBecause = 'bootout';
        proc.handle.kill('SIGKILL');
      }
    }
    for (const xpc of this.world.jobs.filter(
      (j) => j.domainKind === 'pid' && j.ownerLabel === app.job.label,
    )) {
      this.unregisterServices(xpc, `pid/${app.pid}`, `${app.job.label}[${app.pid}] exited`);
    }
  }

  /** XPC-MODEL §1.2: what every connection touching a dead process becomes. */
  private tearDownConnections(proc: Proc, detail: string): void {
    for (const conn of proc.connections.values()) {
      const other = conn.other;
      if (conn.side === 'client' && other?.live) {
        // Rule 2: the service-side peer of an exited client gets INVALID, never INTERRUPTED.
        this.invalidatePeer(other, invalidationReason.clientGone(proc.displayPid), `client ${detail}`);
      }
      conn.state = 'invalidated';
    }
    for (const [id, pending] of this.pending) {
      if (pending.conn.owner === proc) this.pending.delete(id);
    }
    for (const conn of this.clientsBoundTo(proc)) this.interrupt(conn, proc, detail);
    this.interruptQueued(proc, detail);
  }

  /** Clients whose first messages were still waiting for this instance to check in. */
  private interruptQueued(proc: Proc, detail: string): void {
    for (const [service, queue] of [...this.queues]) {
      if (service.job !== proc.job) continue;
      const conns = new Set(queue.map((m) => m.conn));
      for (const conn of conns) if (conn.live) this.interrupt(conn, proc, detail);
      this.queues.delete(service);
    }
  }

  private clientsBoundTo(proc: Proc): Connection[] {
    const out: Connection[] = [];
    for (const p of this.procs) {
      for (const conn of p.connections.values()) {
        if (conn.side === 'client' && conn.boundTo === proc && conn.live) out.push(conn);
      }
    }
    return out;
  }

  /** Rule 1: a client of a named service whose process died gets INTERRUPTED once and stays usable. */
  private interrupt(conn: Connection, service: Proc, detail: string): void {
    if (conn.endpointOf) return this.invalidateFromEndpoint(conn, detail);
    conn.boundTo = undefined;
    conn.other = undefined;
    const name = conn.service?.name ?? conn.name;
    this.failPending(conn, 'XPC_ERROR_CONNECTION_INTERRUPTED', detail);
    if (conn.state === 'interrupted') return;
    this.libxpcLog(conn.owner, libxpc.reinitialized(conn.ptr), conn.ptr);
    this.transition(conn, 'interrupted', {
      error: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      cause: `${detail}; the next message relaunches it on demand`,
      nsError: nsErrorInterrupted(name, service.displayPid),
    });
    this.sendTo(conn.owner, { t: 'event', conn: conn.localId, error: 'XPC_ERROR_CONNECTION_INTERRUPTED' });
  }

  private invalidatePeer(peer: Connection, reason: string, cause: string): void {
    const clientPid = peer.other?.owner.displayPid ?? -1;
    this.libxpcLog(peer.owner, libxpc.clientGone(peer.ptr, clientPid), peer.ptr);
    this.invalidate(peer, { reason, cause, nsError: nsErrorPeerInvalid(clientPid) });
  }

  /** Rule 5 and the INVALID row of §1.2: final; reply handlers get INVALID too. */
  private invalidate(conn: Connection, t: Omit<Transition, 'error'>): void {
    if (!conn.live) return;
    this.failPending(conn, 'XPC_ERROR_CONNECTION_INVALID', t.cause ?? 'connection invalidated');
    this.dropQueued(conn);
    const other = conn.other;
    conn.other = undefined;
    conn.boundTo = undefined;
    this.transition(conn, 'invalidated', { ...t, error: 'XPC_ERROR_CONNECTION_INVALID' });
    this.sendTo(conn.owner, {
      t: 'event',
      conn: conn.localId,
      error: 'XPC_ERROR_CONNECTION_INVALID',
      ...(t.reason ? { reason: t.reason } : {}),
    });
    if (other?.live && other.other === conn) other.other = undefined;
  }

  private transition(conn: Connection, to: ConnectionState, t: Transition = {}): void {
    const from = conn.state;
    conn.state = to;
    conn.error = t.error ?? (to === 'connected' ? undefined : conn.error);
    conn.reason = t.reason ?? conn.reason;
    const other = conn.other;
    this.emit({
      kind: 'connection.state',
      conn: conn.ptr,
      side: conn.side,
      pid: conn.owner.displayPid,
      name: conn.name,
      ...(other ? { peerConn: other.ptr, peerPid: other.owner.displayPid } : {}),
      from,
      to,
      ...(t.error ? { error: t.error } : {}),
      ...(t.cause ? { cause: t.cause } : {}),
      ...(t.reason ? { reason: t.reason } : {}),
      ...(t.nsError ? { nsError: t.nsError } : {}),
    });
  }

  // ── helper messages ───────────────────────────────────────────────────────

  private onHelperMessage(proc: Proc, raw: unknown): void {
    if (proc.state === 'exited' || this.disposed) return;
    const parsed = HelperToBrokerSchema.safeParse(raw);
    if (!parsed.success) {
      this.rejectMalformed(proc, raw, parsed.error.issues[0]?.message ?? 'invalid');
      return;
    }
    proc.lastActivity = this.clock.now();
    this.dispatch(proc, parsed.data);
    this.lifecycle.touch(proc);
    this.settleBarriers();
  }

  private dispatch(proc: Proc, message: HelperToBroker): void {
    switch (message.t) {
      case 'connect':
        return this.connect(proc, message.conn, message.name, message.privileged, message.requirement);
      case 'checkIn':
        return this.checkIn(proc, message.listener, message.name, message.requirement);
      case 'listen':
        return this.listenAnonymous(proc, message.listener);
      case 'connectEndpoint':
        return this.connectEndpoint(proc, message.conn, message.endpoint);
      case 'barrier':
        return this.barrier(proc, message.conn, message.id);
      case 'send':
        return this.send(proc, message);
      case 'reply':
        return this.reply(proc, message);
      case 'cancel':
        return this.cancelLocal(proc, message.conn);
      case 'transaction':
        proc.transactions = Math.max(0, proc.transactions + message.delta);
        return;
      case 'log':
        this.emit({
          kind: 'log',
          subsystem: proc.job.bundleId ?? proc.job.label,
          category: 'helper',
          process: proc.programName,
          pid: proc.displayPid,
          level: 'Default',
          text: message.text,
        });
        return;
    }
  }

  /** A malformed message costs the connection it names, and nothing more. */
  private rejectMalformed(proc: Proc, raw: unknown, problem: string): void {
    const connId =
      typeof raw === 'object' && raw !== null && 'conn' in raw
        ? String((raw as { conn: unknown }).conn)
        : undefined;
    const conn = connId === undefined ? undefined : proc.connections.get(connId);
    const detail = `malformed message from ${proc.job.label}[${proc.displayPid}]: ${problem}`;
    if (conn) {
      this.invalidate(conn, { reason: invalidationReason.malformed(problem), cause: detail });
      return;
    }
    this.emit({ kind: 'diagnostic', severity: 'warning', message: `${detail}; ignored` });
  }

  private connect(
    proc: Proc,
    localId: string,
    name: string,
    privileged: boolean,
    requirement?: string,
  ): void {
    if (proc.connections.has(localId)) {
      this.rejectMalformed(proc, { conn: localId }, `connection id ${localId} is already in use`);
      return;
    }
    const conn = new Connection(this.pointers.allocate(), 'client', proc, localId, name, privileged);
    proc.connections.set(localId, conn);
    this.setRequirement(conn, requirement);
    this.transition(conn, 'activating');
    this.libxpcLog(
      proc,
      libxpc.activating(conn.ptr, { mach: true, listener: false, peer: false, name }),
      conn.ptr,
    );
    const found = this.resolve(conn);
    if (found) {
      this.transition(conn, 'connected', { cause: `found ${name} in ${found.domain}` });
      return;
    }
  }

  /**
   * XPC-MODEL §5.4 step 3: the name resolves, but it is bound to an extension
   * instance that no longer runs, so the connection is invalidated at once.
   */
  private failUnbound(conn: Connection, service: ServiceEntry, reconnect: boolean): undefined {
    this.libxpcLog(
      conn.owner,
      reconnect ? libxpc.failedReconnect(conn.ptr) : libxpc.failedInit(conn.ptr),
      conn.ptr,
    );
    this.invalidate(conn, {
      reason: invalidationReason.unbound,
      cause: `${service.name} is still bound to the replaced ${service.job.label} ${versionText(service.job)}, now [terminated waiting to uninstall on reboot]`,
      nsError: nsErrorInvalid(conn.name),
    });
    return undefined;
  }

  /** The bootstrap look-up; on failure the connection is invalidated "after a failed init" (XPC-MODEL §8.3). */
  private resolve(conn: Connection, reconnect = false): ServiceEntry | undefined {
    const proc = conn.owner;
    const result = this.lookup(proc, conn.name, conn.privileged);
    this.emit({
      kind: 'lookup',
      conn: conn.ptr,
      name: conn.name,
      pid: proc.displayPid,
      domain: proc.domain,
      ok: result.ok,
      ...(result.ok
        ? { target: `${result.service.domain}/${result.service.job.label}` }
        : { errno: result.errno, error: this.errnoText(result.errno) }),
    });
    if (result.ok && result.service.binding === 'stale')
      return this.failUnbound(conn, result.service, reconnect);
    if (result.ok) {
      conn.service = result.service;
      return result.service;
    }
    const errno = result.errno;
    const requestor = `${proc.programName}[${proc.displayPid}]`;
    const text =
      errno === 159
        ? launchd.deniedLookup(conn.name, proc.programName, proc.displayPid, errno)
        : launchd.failedLookup(conn.name, proc.programName, proc.displayPid, errno);
    this.launchdLog(`(${proc.domain}) <Warning>: ${text}`);
    this.libxpcLog(proc, libxpc.lookupFailed(conn.ptr, errno), conn.ptr);
    this.libxpcLog(
      proc,
      reconnect ? libxpc.failedReconnect(conn.ptr) : libxpc.failedInit(conn.ptr),
      conn.ptr,
    );
    this.invalidate(conn, {
      reason: reconnect ? invalidationReason.failedReconnect : invalidationReason.failedInit,
      cause: `${requestor} could not look up ${conn.name}: error ${errno} (${this.errnoText(errno)})`,
      nsError: nsErrorInvalid(conn.name, { lookupErrno: errno, init: !reconnect && errno === 159 }),
    });
    return undefined;
  }

  private errnoText(errno: number): string {
    return errno === 3
      ? 'No such process'
      : errno === 159
        ? 'Sandbox restriction'
        : errno === 145
          ? 'Endpoint is hidden'
          : `error ${errno}`;
  }

  lookup(
    proc: Proc,
    name: string,
    privileged: boolean,
  ): { ok: true; service: ServiceEntry } | { ok: false; errno: number } {
    const looker = {
      domain: proc.domain,
      pid: proc.displayPid,
      privileged,
      ...(proc.pidDomain ? { pidDomain: proc.pidDomain } : {}),
    };
    const ownBundled = proc.pidDomain ? this.namespace.get(proc.pidDomain, name) : undefined;
    // XPC-MODEL §3.2: the sandbox profile is consulted before the namespace (159); an app's own XPC services are allowed.
    if (!ownBundled && !sandboxAllowsLookup(proc.job, name)) return { ok: false, errno: 159 };
    return this.namespace.lookup(name, looker, this.world.uid, (s) => this.isCheckedIn(s));
  }

  private isCheckedIn(service: ServiceEntry): boolean {
    const proc = this.instanceFor(service);
    return proc?.checkedIn.has(service.name) ?? false;
  }

  private instanceFor(service: ServiceEntry): Proc | undefined {
    const owner =
      service.ownerPid === undefined ? undefined : [...this.procs].find((p) => p.pid === service.ownerPid);
    const proc = this.instances.get(this.instanceKey(service.job, owner));
    // Two jobs may share a label (XPC-MODEL §4.6); an instance serves only its own job's names.
    return proc?.job === service.job ? proc : undefined;
  }

  private checkIn(proc: Proc, localId: string, name: string, requirement?: string): void {
    const conn = new Connection(this.pointers.allocate(), 'listener', proc, localId, name, false);
    proc.listeners.set(localId, conn);
    proc.connections.set(localId, conn);
    this.setRequirement(conn, requirement);
    this.transition(conn, 'activating');
    this.libxpcLog(
      proc,
      libxpc.activating(conn.ptr, { mach: true, listener: true, peer: false, name }),
      conn.ptr,
    );
    const errno = !mayCheckIn(proc.job, name) ? 1 : proc.checkedIn.has(name) ? 37 : 0;
    if (errno !== 0) {
      this.libxpcLog(proc, libxpc.listenerFailed(conn.ptr, errno), conn.ptr);
      this.invalidate(conn, {
        reason: `listener failed to activate: error ${errno}`,
        cause:
          errno === 1
            ? `${name} is not in ${proc.job.label}'s MachServices, so it may not check it in`
            : `${name} is already checked in by this process`,
      });
      this.sendTo(proc, { t: 'listenerFailed', listener: localId, errno });
      return;
    }
    proc.checkedIn.add(name);
    this.transition(conn, 'connected', { cause: `checked in ${name}` });
    const service = this.namespace.get(proc.domain, name);
    if (service) this.flushQueue(service, proc);
  }

  private send(proc: Proc, m: Extract<HelperToBroker, { t: 'send' }>): void {
    const conn = proc.connections.get(m.conn);
    if (!conn) return this.rejectMalformed(proc, m, `no connection ${m.conn}`);
    if (conn.side === 'listener') {
      this.libxpcLog(proc, libxpc.listenerMessage(), conn.ptr);
      return;
    }
    const problem = this.bodyProblem(m.body);
    if (problem) return this.rejectMalformed(proc, m, problem);
    const body = m.body as Record<string, unknown>;
    if (!conn.live) {
      if (m.expectsReply)
        this.sendTo(proc, {
          t: 'replyError',
          conn: conn.localId,
          to: m.id,
          error: 'XPC_ERROR_CONNECTION_INVALID',
        });
      return;
    }
    const message: QueuedMessage = {
      conn,
      id: this.nextMessageId++,
      requesterMsgId: m.id,
      body,
      expectsReply: m.expectsReply,
      size: xpcSize(body as never),
      ...this.keyOf(body),
    };
    if (conn.side === 'peer') return this.deliverToClient(message);
    if (conn.endpointOf) return this.deliverToEndpoint(message);
    if (conn.state === 'interrupted') {
      // XPC-MODEL §1.2 rule 1: the next send re-looks up the name and relaunches on demand.
      const service = this.resolve(conn, true);
      if (!service) {
        if (m.expectsReply)
          this.sendTo(proc, {
            t: 'replyError',
            conn: conn.localId,
            to: m.id,
            error: 'XPC_ERROR_CONNECTION_INVALID',
          });
        return;
      }
      this.transition(conn, 'connected', {
        cause: `message sent after interruption; ${service.name} resolved again`,
      });
    }
    this.deliverToService(message);
  }

  private bodyProblem(body: unknown): string | null {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.hasOwn(body, '$xpc')) {
      return 'API MISUSE: Message types other than dictionaries are not supported.';
    }
    const problem = xpcValueProblem(body);
    if (problem) return problem;
    const size = xpcSize(body as never);
    return size > this.maxMessageBytes
      ? `a message of ${size} bytes exceeds the ${this.maxMessageBytes}-byte limit`
      : null;
  }

  private keyOf(body: Record<string, unknown>): { key?: string } {
    for (const field of ['selector', 'type', 'op', 'command', 'event']) {
      const value = body[field];
      if (typeof value === 'string') return { key: value.slice(0, 64) };
    }
    return {};
  }

  private deliverToService(message: QueuedMessage): void {
    const service = message.conn.service;
    if (!service) return;
    let instance = this.instanceFor(service);
    // XPC-MODEL §4.1 ThrottleInterval: while a KeepAlive respawn is scheduled, messages wait for it.
    const throttled = (!instance || instance.state === 'exited') && this.keepAlive.isScheduled(service.job);
    if (!throttled && (!instance || instance.state === 'exited')) {
      const owner =
        service.ownerPid === undefined ? undefined : [...this.procs].find((p) => p.pid === service.ownerPid);
      instance = this.spawn(service.job, 'ipc (mach)', owner);
    }
    // An instance told TERMINATION_IMMINENT takes no new messages (XPC-MODEL §1.2); they wait with the name.
    if (!instance || throttled || !instance.checkedIn.has(service.name) || instance.endingBecause) {
      const queue = this.queues.get(service) ?? [];
      queue.push(message);
      this.queues.set(service, queue);
      return;
    }
    this.deliver(message, instance, service);
  }

  private flushQueue(service: ServiceEntry, instance: Proc): void {
    const queue = this.queues.get(service);
    if (!queue) return;
    this.queues.delete(service);
    for (const message of queue) {
      if (message.conn.live) this.deliver(message, instance, service);
      // Invalidated during this flush (a dropped check-in): its reply handler still runs once.
      else if (message.expectsReply) {
        const error = 'XPC_ERROR_CONNECTION_INVALID';
        this.failRequest(
          message.conn,
          message.requesterMsgId,
          message.id,
          error,
          'the connection was invalidated',
        );
      }
    }
  }

  private dropQueued(conn: Connection): void {
    for (const [service, queue] of this.queues) {
      const kept = queue.filter((m) => m.conn !== conn);
      if (kept.length !== queue.length) this.queues.set(service, kept);
    }
  }

  private failQueue(service: ServiceEntry, error: XpcError, cause: string): void {
    const queue = this.queues.get(service);
    if (!queue) return;
    this.queues.delete(service);
    for (const m of queue) {
      if (m.expectsReply) this.failRequest(m.conn, m.requesterMsgId, m.id, error, cause);
    }
  }

  private ensurePeer(client: Connection, instance: Proc, service: ServiceEntry): Connection | undefined {
    if (client.other?.live && client.boundTo === instance) return client.other;
    const listener = [...instance.listeners.values()].find((l) => l.name === service.name && l.live);
    if (!listener) return undefined;
    const peerName = `${service.name}.peer[${client.owner.displayPid}]`;
    const peer = new Connection(
      this.pointers.allocate(),
      'peer',
      instance,
      `p${this.nextMessageId++}`,
      peerName,
      false,
    );
    instance.connections.set(peer.localId, peer);
    client.boundTo = instance;
    client.other = peer;
    peer.other = client;
    peer.service = service;
    this.sendTo(instance, {
      t: 'peer',
      listener: listener.localId,
      conn: peer.localId,
      clientPid: client.owner.displayPid,
    });
    this.transition(peer, 'activating');
    this.libxpcLog(
      instance,
      libxpc.activating(peer.ptr, { mach: false, listener: false, peer: true, name: peerName }),
      peer.ptr,
    );
    this.transition(peer, 'connected', { cause: `accepted by ${service.job.label}` });
    return peer;
  }

  private deliver(message: QueuedMessage, instance: Proc, service: ServiceEntry): void {
    const client = message.conn;
    if (!this.passesListenerRequirement(message, instance, service)) return;
    const peer = this.ensurePeer(client, instance, service);
    if (!peer) {
      this.emit({
        kind: 'message.dropped',
        conn: client.ptr,
        pid: client.owner.displayPid,
        reason: `${service.name} has no active listener`,
      });
      return;
    }
    this.handOver(message, peer);
  }

  /** Passes a client's message to its peer connection in the service process. */
  private handOver(message: QueuedMessage, peer: Connection): void {
    const client = message.conn;
    const instance = peer.owner;
    if (message.expectsReply) {
      this.pending.set(message.id, {
        id: message.id,
        conn: client,
        requesterMsgId: message.requesterMsgId,
        sentAt: this.clock.now(),
        ...(message.key ? { key: message.key } : {}),
      });
    }
    instance.messagesReceived++;
    instance.lastActivity = this.clock.now();
    this.lifecycle.touch(instance);
    this.recordMessage(message, client.owner, instance, 'send');
    this.sendTo(instance, {
      t: 'message',
      conn: peer.localId,
      id: message.id,
      body: message.body,
      expectsReply: message.expectsReply,
    });
  }

  /** A message the service pushes to its client on the peer connection. */
  private deliverToClient(message: QueuedMessage): void {
    const peer = message.conn;
    const client = peer.other;
    if (!client?.live) {
      this.emit({
        kind: 'message.dropped',
        conn: peer.ptr,
        pid: peer.owner.displayPid,
        reason: 'the client connection is gone',
      });
      return;
    }
    if (!this.passesClientRequirement(client, peer.owner)) return;
    if (message.expectsReply) {
      this.pending.set(message.id, {
        id: message.id,
        conn: peer,
        requesterMsgId: message.requesterMsgId,
        sentAt: this.clock.now(),
        ...(message.key ? { key: message.key } : {}),
      });
    }
    this.recordMessage(message, peer.owner, client.owner, 'event');
    this.sendTo(client.owner, {
      t: 'message',
      conn: client.localId,
      id: message.id,
      body: message.body,
      expectsReply: message.expectsReply,
    });
  }

  private reply(proc: Proc, m: Extract<HelperToBroker, { t: 'reply' }>): void {
    const conn = proc.connections.get(m.conn);
    if (!conn) return this.rejectMalformed(proc, m, `no connection ${m.conn}`);
    const pending = this.pending.get(m.to);
    // XPC-MODEL §1.3: a reply must go back on the connection the request came in on.
    if (!pending || pending.conn.other !== conn) {
      return this.rejectMalformed(
        proc,
        m,
        pending
          ? 'Attempt to send a message expecting a reply to the wrong connection.'
          : `no request ${m.to} is waiting for a reply`,
      );
    }
    const problem = this.bodyProblem(m.body);
    if (problem) return this.rejectMalformed(proc, m, problem);
    this.pending.delete(m.to);
    const requester = pending.conn;
    if (!this.replyPassesRequirement(requester, proc, pending)) return;
    const body = m.body as Record<string, unknown>;
    const latencyMs = Math.max(0, this.clock.now() - pending.sentAt);
    const id = this.nextMessageId++;
    this.recordMessage(
      {
        conn,
        id,
        requesterMsgId: m.id,
        body,
        expectsReply: false,
        size: xpcSize(body as never),
        ...(pending.key ? { key: pending.key } : {}),
      },
      proc,
      requester.owner,
      'reply',
      { replyTo: m.to, latencyMs },
    );
    this.sendTo(requester.owner, { t: 'reply', conn: requester.localId, to: pending.requesterMsgId, body });
  }

  private recordMessage(
    m: QueuedMessage,
    from: Proc,
    to: Proc,
    dir: 'send' | 'reply' | 'event',
    extra: { replyTo?: number; latencyMs?: number } = {},
  ): void {
    this.emit({
      kind: 'message',
      id: m.id,
      conn: m.conn.ptr,
      from: from.displayPid,
      to: to.displayPid,
      dir,
      size: m.size,
      expectsReply: m.expectsReply,
      ...extra,
      ...(m.key ? { key: m.key } : {}),
      ...(this.capturePayloads ? { payload: m.body as never } : {}),
    });
  }

  private failPending(conn: Connection, error: XpcError, cause: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.conn === conn) {
        this.pending.delete(id);
        this.failRequest(conn, pending.requesterMsgId, id, error, cause);
      }
    }
    for (const queue of this.queues.values()) {
      for (const m of queue)
        if (m.conn === conn && m.expectsReply) this.failRequest(conn, m.requesterMsgId, m.id, error, cause);
    }
    this.dropQueued(conn);
  }

  private failRequest(
    conn: Connection,
    requesterMsgId: number,
    id: number,
    error: XpcError,
    cause: string,
  ): void {
    this.emit({
      kind: 'reply.failed',
      conn: conn.ptr,
      request: id,
      pid: conn.owner.displayPid,
      error,
      cause,
    });
    this.sendTo(conn.owner, { t: 'replyError', conn: conn.localId, to: requesterMsgId, error });
  }

  private cancelLocal(proc: Proc, localId: string): void {
    const conn = proc.connections.get(localId);
    if (conn) this.cancel(conn);
  }

  private cancel(conn: Connection): void {
    if (!conn.live) return;
    const other = conn.other;
    this.libxpcLog(conn.owner, libxpc.cancelled(conn.ptr), conn.ptr);
    this.invalidate(conn, {
      reason: invalidationReason.cancelled,
      cause: `${conn.owner.job.label}[${conn.owner.displayPid}] cancelled the connection`,
      nsError: nsErrorInvalid(conn.service?.name ?? conn.name),
    });
    if (conn.side === 'client' && other?.live) {
      this.invalidatePeer(
        other,
        invalidationReason.clientGone(conn.owner.displayPid),
        `the client cancelled the connection`,
      );
    } else if (conn.side === 'listener') {
      this.cancelListener(conn);
    } else if (conn.side === 'peer' && other?.live) {
      // A cancelled peer looks to its named client like the service going away.
      this.interrupt(other, conn.owner, `${conn.owner.job.label} cancelled its end of the connection`);
    }
  }

  // ── XPC-MODEL §1 semantics kept in their own files: barrier.ts, endpoint.ts, policy/peer-requirement.ts ──

  /**
   * Requests a process holds and has not answered, each a transaction (XPC-MODEL §4.2), and [I] messages
   * waiting in its port for it to check in: a process that has work waiting is not idle.
   */
  private openRequests(proc: Proc): number {
    let n = 0;
    for (const pending of this.pending.values()) if (pending.conn.other?.owner === proc) n++;
    for (const [service, queue] of this.queues) if (this.instanceFor(service) === proc) n += queue.length;
    return n;
  }

  /** XPC-MODEL §1.2: only service-side peers hear it; the connection stays, but takes no new messages. */
  private terminationImminent(peer: Connection, cause: string): void {
    this.transition(peer, peer.state, { error: 'XPC_ERROR_TERMINATION_IMMINENT', cause });
    this.sendTo(peer.owner, { t: 'event', conn: peer.localId, error: 'XPC_ERROR_TERMINATION_IMMINENT' });
  }

  private barrier(proc: Proc, localId: string, id: number): void {
    const conn = proc.connections.get(localId);
    if (!conn) return this.rejectMalformed(proc, { conn: localId }, `no connection ${localId}`);
    this.barriers.add(conn, id);
  }

  private settleBarriers(): void {
    this.barriers.settle(
      (conn) => [...this.queues.values()].some((queue) => queue.some((m) => m.conn === conn)),
      (conn, id) => this.sendTo(conn.owner, { t: 'barrier', conn: conn.localId, id }),
    );
  }

  /** Set before activation (XPC-MODEL §1.5); a string that does not compile is EINVAL and is not applied. */
  private setRequirement(conn: Connection, requirement: string | undefined): void {
    if (requirement === undefined) return;
    if (requirementCompiles(requirement)) {
      conn.requirement = requirement;
      return;
    }
    this.emit({
      kind: 'diagnostic',
      severity: 'error',
      message: `${conn.owner.job.label}: the peer requirement "${requirement}" does not compile (-67052)`,
      consequence:
        'xpc_connection_set_peer_code_signing_requirement returns EINVAL (22); no requirement is set',
    });
  }

  /**
   * XPC-MODEL §1.5: a listener's requirement is checked against every message; the first is the check-in.
   * [I] A client whose check-in is dropped is invalidated (NSError 4102): retrying cannot help it.
   */
  private passesListenerRequirement(message: QueuedMessage, instance: Proc, service: ServiceEntry): boolean {
    const client = message.conn;
    const listener = [...instance.listeners.values()].find((l) => l.name === service.name && l.live);
    const requirement = listener?.requirement;
    if (!listener || !requirement) return true;
    const check = checkPeer(requirement, client.owner);
    if (check.ok) return true;
    this.libxpcLog(instance, codeSigning.checkToken(requirement, check.status));
    const peer = client.other?.live && client.boundTo === instance ? client.other : undefined;
    if (peer) {
      this.libxpcLog(instance, libxpc.forbiddenMessage(peer.ptr, requirement), peer.ptr);
      const reason = `forbidden by ${service.job.label}'s code signing requirement: ${check.message}`;
      this.emit({
        kind: 'message.dropped',
        conn: client.ptr,
        pid: client.owner.displayPid,
        request: message.id,
        reason,
      });
      return false;
    }
    this.libxpcLog(instance, libxpc.droppedCheckIn(listener.ptr, requirement), listener.ptr);
    const cause = `${service.job.label} requires "${requirement}"; ${client.owner.job.label} fails it (${check.message})`;
    this.invalidate(client, {
      reason: invalidationReason.codeSigning,
      cause,
      nsError: nsErrorCodeSigning(service.name),
    });
    if (message.expectsReply) {
      this.failRequest(client, message.requesterMsgId, message.id, 'XPC_ERROR_CONNECTION_INVALID', cause);
    }
    return false;
  }

  /** XPC-MODEL §1.5: a message from a peer that fails the client's requirement is dropped. */
  private passesClientRequirement(client: Connection, sender: Proc): boolean {
    const requirement = client.requirement;
    if (!requirement) return true;
    const check = checkPeer(requirement, sender);
    if (check.ok) return true;
    this.libxpcLog(client.owner, codeSigning.checkToken(requirement, check.status));
    this.libxpcLog(client.owner, libxpc.forbiddenMessage(client.ptr, requirement), client.ptr);
    const reason = `forbidden by the client's code signing requirement: ${check.message}`;
    this.emit({ kind: 'message.dropped', conn: client.ptr, pid: client.owner.displayPid, reason });
    return false;
  }

  /** XPC-MODEL §1.5: a reply that fails the requester's requirement becomes XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT. */
  private replyPassesRequirement(requester: Connection, sender: Proc, pending: PendingReply): boolean {
    const requirement = requester.requirement;
    if (!requirement) return true;
    const check = checkPeer(requirement, sender);
    if (check.ok) return true;
    this.libxpcLog(requester.owner, codeSigning.checkToken(requirement, check.status));
    this.libxpcLog(requester.owner, codeSigning.forbiddenReply(requester.ptr, requirement), requester.ptr);
    const cause = `the reply from ${sender.job.label}[${sender.displayPid}] fails "${requirement}" (${check.message})`;
    const error = 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT';
    this.failRequest(requester, pending.requesterMsgId, pending.id, error, cause);
    return false;
  }

  /** xpc_connection_create(NULL, q): an anonymous listener, reachable only through its endpoint (XPC-MODEL §1.1). */
  private listenAnonymous(proc: Proc, localId: string): void {
    if (proc.connections.has(localId)) {
      return this.rejectMalformed(proc, { conn: localId }, `connection id ${localId} is already in use`);
    }
    const ptr = this.pointers.allocate();
    const listener = new Connection(ptr, 'listener', proc, localId, anonymous.listener(ptr), false);
    proc.listeners.set(localId, listener);
    proc.connections.set(localId, listener);
    this.transition(listener, 'activating');
    const flags = { mach: false, listener: true, peer: false, name: listener.name };
    this.libxpcLog(proc, libxpc.activating(ptr, flags), ptr);
    this.transition(listener, 'connected', {
      cause: 'an anonymous listener, reachable through its endpoint',
    });
    this.sendTo(proc, { t: 'endpoint', listener: localId, endpoint: this.endpoints.add(listener) });
  }

  /** xpc_connection_create_from_endpoint: no name, no look-up, so nothing to reconnect to (XPC-MODEL §1.2 rule 3). */
  private connectEndpoint(proc: Proc, localId: string, endpoint: string): void {
    if (proc.connections.has(localId)) {
      return this.rejectMalformed(proc, { conn: localId }, `connection id ${localId} is already in use`);
    }
    const listener = this.endpoints.resolve(endpoint);
    const name = listener?.name ?? anonymous.listener(endpoint);
    const conn = new Connection(this.pointers.allocate(), 'client', proc, localId, name, false);
    proc.connections.set(localId, conn);
    this.transition(conn, 'activating');
    this.libxpcLog(
      proc,
      libxpc.activating(conn.ptr, { mach: false, listener: false, peer: false, name }),
      conn.ptr,
    );
    if (!listener) {
      this.libxpcLog(proc, libxpc.failedInit(conn.ptr), conn.ptr);
      const cause = `the anonymous listener of endpoint ${endpoint} is gone`;
      this.invalidate(conn, {
        reason: invalidationReason.listenerGone,
        cause,
        nsError: nsErrorInvalid(name),
      });
      return;
    }
    conn.endpointOf = listener;
    conn.boundTo = listener.owner;
    this.transition(conn, 'connected', { cause: `${listener.owner.job.label}'s anonymous listener` });
  }

  private deliverToEndpoint(message: QueuedMessage): void {
    const client = message.conn;
    const listener = client.endpointOf;
    if (!listener) return;
    const peer = client.other?.live ? client.other : this.acceptFromEndpoint(client, listener);
    this.handOver(message, peer);
  }

  private acceptFromEndpoint(client: Connection, listener: Connection): Connection {
    const instance = listener.owner;
    const ptr = this.pointers.allocate();
    const name = anonymous.peer(listener.ptr, client.owner.displayPid, ptr);
    const peer = new Connection(ptr, 'peer', instance, `p${this.nextMessageId++}`, name, false);
    instance.connections.set(peer.localId, peer);
    peer.endpointOf = listener;
    client.other = peer;
    peer.other = client;
    const clientPid = client.owner.displayPid;
    this.sendTo(instance, { t: 'peer', listener: listener.localId, conn: peer.localId, clientPid });
    this.transition(peer, 'activating');
    this.libxpcLog(instance, libxpc.activating(ptr, { mach: false, listener: false, peer: true, name }), ptr);
    this.transition(peer, 'connected', { cause: `accepted by ${instance.job.label}'s anonymous listener` });
    return peer;
  }

  /** XPC-MODEL §1.2 rule 3: a connection from an endpoint is not rediscoverable, so it gets INVALID. */
  private invalidateFromEndpoint(conn: Connection, detail: string): void {
    const cause = `${detail}; a connection made from an endpoint cannot be looked up again`;
    this.invalidate(conn, {
      reason: invalidationReason.listenerGone,
      cause,
      nsError: nsErrorInvalid(conn.name),
    });
  }

  /** A cancelled listener takes its peers and the connections made from its endpoint with it (XPC-MODEL §1.2). */
  private cancelListener(listener: Connection): void {
    for (const proc of this.procs) {
      for (const conn of proc.connections.values()) {
        if (conn.endpointOf !== listener || !conn.live) continue;
        if (conn.side === 'client')
          this.invalidateFromEndpoint(conn, `${listener.owner.job.label} cancelled the listener`);
        else
          this.invalidate(conn, {
            reason: invalidationReason.cancelled,
            cause: 'its listener was cancelled',
          });
      }
    }
  }

  // ── commands from the console, CLI and scenarios ──────────────────────────

  /**
   * A scenario speaks for a running process: its message takes exactly the path
   * a message from the helper itself takes, validation included.
   */
  speakFor(pid: number, message: unknown): boolean {
    const proc = this.findProc(pid);
    if (!proc) return false;
    this.onHelperMessage(proc, message);
    return true;
  }

  /** Memory pressure (XPC-MODEL §4.2): launchd reclaims every clean, idle helper that allows it. */
  pressure(): Proc[] {
    this.emit({ kind: 'action', action: 'pressure' });
    return this.lifecycle.pressure(this.procs);
  }

  processes(): Proc[] {
    return [...this.procs];
  }

  findProc(pid: number): Proc | undefined {
    return [...this.procs].find((p) => p.pid === pid);
  }

  findConnection(ptr: string): Connection | undefined {
    for (const proc of this.procs) {
      for (const conn of proc.connections.values()) if (conn.ptr === ptr) return conn;
    }
    return undefined;
  }

  /** Crash a helper: SIGSEGV, as a bad memory access would. */
  crash(pid: number): boolean {
    return this.signal(pid, 'SIGSEGV', 'crash');
  }

  kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    return this.signal(pid, signal, 'kill');
  }

  private signal(pid: number, signal: NodeJS.Signals, why: 'crash' | 'kill'): boolean {
    const proc = this.findProc(pid);
    if (!proc) return false;
    this.emit({ kind: 'action', action: why, target: `${proc.job.label}[${pid}]`, detail: signal });
    proc.endingBecause = why;
    return proc.handle.kill(signal);
  }

  cancelConnection(ptr: string): boolean {
    const conn = this.findConnection(ptr);
    if (!conn?.live) return false;
    this.emit({ kind: 'action', action: 'cancel', target: ptr });
    this.cancel(conn);
    return true;
  }

  private sendTo(proc: Proc, message: Parameters<Proc['handle']['send']>[0]): void {
    if (proc.state === 'exited') return;
    proc.handle.send(message);
  }

  private libxpcLog(proc: Proc, text: string, conn?: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.xpc',
      category: 'connection',
      process: proc.programName,
      pid: proc.displayPid,
      level: 'Default',
      text,
      ...(conn ? { conn } : {}),
    });
  }

  private launchctlLog(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.xpc.launchd',
      category: 'launchctl',
      process: 'launchctl',
      pid: 0,
      level: 'Error',
      text,
    });
  }

  private smdLog(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.ServiceManagement',
      category: 'SMAppService',
      process: 'smd',
      pid: 0,
      level: 'Default',
      text,
    });
  }

  private launchdLog(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.xpc.launchd',
      category: 'launchd',
      process: 'launchd',
      pid: 1,
      level: 'Default',
      text,
    });
  }

  /** The launchd operations upgrades and sysextd drive (main/broker/launchd-port.ts). */
  get launchd(): LaunchdPort {
    return {
      world: this.world,
      namespace: this.namespace,
      clock: this.clock,
      emit: (event) => this.emit(event),
      observe: (listener) => {
        this.observers.add(listener);
        return () => this.observers.delete(listener);
      },
      processes: () => this.processes(),
      instanceOf: (job) => this.instances.get(this.instanceKey(job)),
      end: (proc, detail) => this.endNow(proc, detail),
      register: (job) => {
        this.load(job, false);
      },
      unregister: (job, reason) => this.unload(job, reason),
      repoint: (old, next) => {
        const domain = this.domainOf(old);
        if (this.slots.isLoaded(domain, old)) {
          this.slots.unload(domain, old.label);
          this.slots.load(domain, next);
        }
        for (const entry of this.namespace.entries()) if (entry.job === old) entry.job = next;
      },
      launch: (job, reason) => this.spawn(job, reason),
      launchAtBoot: (job) => {
        if (job.type === 'App') this.spawn(job, 'app launch');
        else if (this.slots.isLoaded(this.domainOf(job), job) && loadsRunning(job))
          this.spawn(job, 'speculative');
      },
    };
  }

  /** Ends a process at once, as bootout does: the exit is processed now, the real one is ignored when it comes. */
  private endNow(proc: Proc, detail: string): void {
    if (proc.state === 'exited') return;
    proc.endingBecause = 'bootout';
    proc.endDetail = detail;
    proc.handle.kill('SIGKILL');
    this.onExit(proc, { code: null, signal: 'SIGKILL' });
  }

  /** Ends every helper. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.keepAlive.dispose();
    for (const proc of this.procs) {
      proc.idleTimer?.cancel();
      proc.killTimer?.cancel();
      proc.endingBecause = 'bootout';
      proc.handle.kill('SIGKILL');
    }
  }
}
