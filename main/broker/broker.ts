import { type HelperToBroker, HelperToBrokerSchema } from '../helper/protocol';
import type { ConnectionState, EventInput, NsError, XpcError } from '../trace/schema';
import { xpcSize, xpcValueProblem } from '../trace/xpc-value';
import type { JobSpec, World } from '../world/model';
import { Connection, type PendingReply, type QueuedMessage } from './connection';
import { nsErrorInterrupted, nsErrorInvalid, nsErrorPeerInvalid } from './errors';
import { invalidationReason, launchd, launchdPrefix, libxpc } from './logs';
import { Namespace, type ServiceEntry } from './namespace';
import { PointerAllocator } from './pointer';
import { mayCheckIn, sandboxAllowsLookup } from './policy/sandbox';
import { Proc } from './process';
import type { Clock, ProcessExit, Spawner } from './spawner';

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

  constructor(private readonly options: BrokerOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    this.capturePayloads = options.capturePayloads ?? true;
  }

  get world(): World {
    return this.options.world;
  }

  private get clock(): Clock {
    return this.options.clock;
  }

  private emit(event: EventInput): void {
    this.options.emit(event);
  }

  /** Loads every job: registers MachServices at load time (XPC-MODEL §4.1) and launches RunAtLoad jobs and apps. */
  start(): void {
    for (const job of this.world.jobs) {
      if (job.domainKind !== 'pid') this.registerServices(job, this.domainOf(job));
    }
    for (const job of this.world.jobs) {
      if (job.type === 'App') this.spawn(job, 'app launch');
      else if (job.runAtLoad || job.keepAlive.always) this.spawn(job, 'speculative');
    }
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
    if (existing && existing.state !== 'exited') return existing;
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
    const message = parsed.data;
    switch (message.t) {
      case 'connect':
        return this.connect(proc, message.conn, message.name, message.privileged);
      case 'checkIn':
        return this.checkIn(proc, message.listener, message.name);
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

  private connect(proc: Proc, localId: string, name: string, privileged: boolean): void {
    if (proc.connections.has(localId)) {
      this.rejectMalformed(proc, { conn: localId }, `connection id ${localId} is already in use`);
      return;
    }
    const conn = new Connection(this.pointers.allocate(), 'client', proc, localId, name, privileged);
    proc.connections.set(localId, conn);
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
    return this.instances.get(this.instanceKey(service.job, owner));
  }

  private checkIn(proc: Proc, localId: string, name: string): void {
    const conn = new Connection(this.pointers.allocate(), 'listener', proc, localId, name, false);
    proc.listeners.set(localId, conn);
    proc.connections.set(localId, conn);
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
    if (!instance || instance.state === 'exited') {
      const owner =
        service.ownerPid === undefined ? undefined : [...this.procs].find((p) => p.pid === service.ownerPid);
      instance = this.spawn(service.job, 'ipc (mach)', owner);
    }
    if (!instance.checkedIn.has(service.name)) {
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
    } else if (conn.side === 'peer' && other?.live) {
      // A cancelled peer looks to its named client like the service going away.
      this.interrupt(other, conn.owner, `${conn.owner.job.label} cancelled its end of the connection`);
    }
  }

  // ── commands from the console, CLI and scenarios ──────────────────────────

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

  /** Ends every helper. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const proc of this.procs) {
      proc.idleTimer?.cancel();
      proc.killTimer?.cancel();
      proc.endingBecause = 'bootout';
      proc.handle.kill('SIGKILL');
    }
  }
}
