import { type HelperToBroker, HelperToBrokerSchema } from '../helper/protocol';
import { type JobSpec, type World, type WorldState, WorldStateSchema } from '../world/model';
import type { Connection } from './core/connection';
import type { LookupResult, Namespace } from './core/namespace';
import { HelperQuota } from './core/quota';
import { SystemExtensions } from './installs/sysext';
import { Upgrades } from './installs/upgrade';
import { Launchctl } from './launchd/launchctl';
import type { LaunchdPort } from './launchd/launchd-port';
import type { Lifecycle } from './launchd/lifecycle';
import type { Proc } from './launchd/process';
import { isBundledService, SMAppServices } from './launchd/smappservice';
import { type BrokerOptions, BrokerState } from './state';

export type { BrokerOptions } from './state';

/**
 * The simulated launchd and libxpc routing layer. It decides; the host acts
 * through the Spawner. It never touches a socket, a file or Electron.
 */
export class Broker {
  readonly namespace: Namespace;
  readonly lifecycle: Lifecycle;
  readonly launchctl: Launchctl;
  readonly smAppService: SMAppServices;
  /** sysextd: installed system extensions and their name bindings (XPC-MODEL §5). */
  readonly sysext: SystemExtensions;
  /** Upgrades, app restarts and reboots (XPC-MODEL §5.1, §5.4). */
  readonly upgrades: Upgrades;
  private readonly s: BrokerState;

  constructor(options: BrokerOptions) {
    const s = new BrokerState(options, (proc, raw) => this.onHelperMessage(proc, raw));
    this.s = s;
    this.namespace = s.namespace;
    this.lifecycle = s.lifecycle;
    const jobs = {
      load: (job: JobSpec) => s.jobs.load(job),
      unload: (job: JobSpec, reason: string) => s.jobs.unload(job, reason),
      isLoaded: (job: JobSpec) => s.slots.isLoaded(s.domainOf(job), job),
      action: (action: string, target: string, detail?: string) =>
        s.emit({ kind: 'action', action, target, ...(detail ? { detail } : {}) }),
    };
    const launchctlPort = {
      ...jobs,
      world: s.world,
      domainOf: (j: JobSpec) => s.domainOf(j),
      print: (t: string) => s.log.launchctl(t),
    };
    this.launchctl = new Launchctl(launchctlPort, s.overrides);
    this.smAppService = new SMAppServices({ ...jobs, log: (t) => s.log.smd(t) }, s.world.jobs, s.world.state);
    this.sysext = new SystemExtensions(this.launchd);
    this.upgrades = new Upgrades(this.launchd, this.sysext);
  }

  get world(): World {
    return this.s.world;
  }

  /** Record payloads (capture on) or counts only. */
  get capturePayloads(): boolean {
    return this.s.capturePayloads;
  }

  set capturePayloads(on: boolean) {
    this.s.capturePayloads = on;
    this.tellCapture();
  }

  /**
   * Capture off: the messages on direct channels are counted and sized per connection (`message.counts`), not
   * recorded one by one. Look-ups, state changes, failures and refusals are recorded as always.
   */
  get captureCountsOnly(): boolean {
    return this.s.captureCountsOnly;
  }

  set captureCountsOnly(on: boolean) {
    this.s.captureCountsOnly = on;
    this.tellCapture();
  }

  private tellCapture(): void {
    const { capturePayloads: payloads, captureCountsOnly: counts } = this.s;
    for (const proc of this.s.procs) this.s.sendTo(proc, { t: 'capture', payloads, counts });
  }

  /** Loads every job: registers MachServices at load time (XPC-MODEL §4.1) and launches RunAtLoad jobs and apps. */
  start(): void {
    const { jobs: launcher, slots } = this.s;
    this.sysext.announce();
    // Jobs on disk load before SMAppService jobs, which their app registers later, so a legacy job keeps a
    // label both claim (XPC-MODEL §4.6).
    const onDisk = this.world.jobs.filter((j) => j.domainKind !== 'pid' && j.type !== 'App');
    const ordered = [...onDisk.filter((j) => !isBundledService(j)), ...onDisk.filter(isBundledService)];
    for (const job of ordered) if (this.smAppService.startsEnabled(job)) launcher.load(job, false);
    for (const job of this.world.jobs) {
      if (job.type !== 'App') continue;
      launcher.registerServices(job, this.domainOf(job));
      launcher.spawn(job, 'app launch');
    }
    for (const job of ordered) {
      if (slots.isLoaded(this.domainOf(job), job)) launcher.startIfKeptAlive(job);
    }
  }

  /**
   * A path appears or goes away on the simulated Mac; launchd starts the jobs whose KeepAlive PathState now
   * holds (XPC-MODEL §10.3).
   */
  setPath(path: string, exists: boolean): void {
    const state = this.stateForChange();
    const paths = new Set(state.paths ?? []);
    if (exists) paths.add(path);
    else paths.delete(path);
    state.paths = [...paths];
    this.s.emit({ kind: 'action', action: exists ? 'create path' : 'remove path', target: path });
    this.s.jobs.reevaluate();
  }

  /**
   * Runs a launchd job's program from Terminal, as a developer does while debugging (XPC-MODEL §3.2, §10.7): not
   * launchd's instance, so its listener fails with EPERM.
   */
  runFromTerminal(label: string): Proc | undefined {
    const job = this.world.jobs.find((j) => j.label === label && j.type !== 'App');
    if (!job) return undefined;
    this.s.emit({ kind: 'action', action: 'run from Terminal', target: job.program });
    return this.s.jobs.spawn(job, 'terminal');
  }

  /** The network comes up or goes down: KeepAlive NetworkState (XPC-MODEL §10.3). */
  setNetwork(up: boolean): void {
    this.stateForChange().networkUp = up;
    this.s.emit({ kind: 'action', action: up ? 'network up' : 'network down' });
    this.s.jobs.reevaluate();
  }

  private stateForChange(): WorldState {
    if (!this.s.world.state) this.s.world.state = WorldStateSchema.parse({});
    return this.s.world.state;
  }

  domainOf(job: JobSpec, owner?: Proc): string {
    return this.s.domainOf(job, owner);
  }

  lookup(proc: Proc, name: string, privileged: boolean): LookupResult {
    return this.s.lookup.lookup(proc, name, privileged);
  }

  // ── helper messages ───────────────────────────────────────────────────────

  /**
   * Every helper message enters here and passes its helper's budget first (main/broker/core/quota.ts): size before
   * validation, then the rate; a helper over budget waits in its own queue, so no other helper is slowed.
   */
  private onHelperMessage(proc: Proc, raw: unknown): void {
    if (proc.state === 'exited' || this.s.disposed) return;
    this.quotaOf(proc).offer(raw);
  }

  private quotaOf(proc: Proc): HelperQuota {
    if (proc.quota) return proc.quota;
    const who = () => `${proc.job.label}[${proc.displayPid}]`;
    const s = this.s;
    proc.quota = new HelperQuota(s.quota, s.clock, {
      deliver: (raw, at) => this.handleHelperMessage(proc, raw, at),
      oversized: (raw, bytes) => {
        const slim =
          typeof raw === 'object' && raw !== null ? { conn: (raw as { conn?: unknown }).conn } : {};
        s.connections.rejectMalformed(
          proc,
          slim,
          `a message of more than ${s.quota.maxMessageBytes} bytes (${bytes} counted before it was refused) exceeds the ${s.quota.maxMessageBytes}-byte limit`,
        );
      },
      throttled: (words) =>
        s.emit({
          kind: 'diagnostic',
          severity: 'warning',
          key: 'quota',
          message: `${who()} is throttled: ${words}`,
          consequence: 'its messages are delayed; other helpers are not',
        }),
      relieved: (words) =>
        s.emit({ kind: 'diagnostic', severity: 'info', key: 'quota', message: `${who()} is ${words}` }),
      cutOff: (cause) => {
        const full = `${who()} ${cause}`;
        s.emit({
          kind: 'diagnostic',
          severity: 'error',
          key: 'quota',
          message: full,
          consequence:
            'it loses its connections and its further messages are discarded; the process keeps running',
        });
        s.connections.cutOff(proc, full);
      },
    });
    proc.hold(proc.quota);
    return proc.quota;
  }

  private handleHelperMessage(proc: Proc, raw: unknown, at: number): void {
    if (proc.state === 'exited' || this.s.disposed) return;
    const parsed = HelperToBrokerSchema.safeParse(raw);
    this.s.senderTime = at;
    try {
      if (!parsed.success) {
        this.s.connections.rejectMalformed(proc, raw, parsed.error.issues[0]?.message ?? 'invalid');
        return;
      }
      proc.lastActivity = this.s.clock.now();
      this.dispatch(proc, parsed.data);
      this.s.lifecycle.touch(proc);
      this.s.delivery.settleBarriers();
    } finally {
      this.s.senderTime = undefined;
    }
  }

  private dispatch(proc: Proc, message: HelperToBroker): void {
    const { lookup, anonymous, delivery, replies } = this.s;
    switch (message.t) {
      case 'connect':
        return lookup.connect(proc, message.conn, message.name, message.privileged, message.requirement);
      case 'checkIn':
        return lookup.checkIn(proc, message.listener, message.name, message.requirement);
      case 'listen':
        return anonymous.listenAnonymous(proc, message.listener);
      case 'connectEndpoint':
        return anonymous.connectEndpoint(proc, message.conn, message.endpoint);
      case 'barrier':
        return this.barrier(proc, message.conn, message.id);
      case 'send':
        return delivery.send(proc, message);
      case 'reply':
        return replies.reply(proc, message);
      case 'cancel':
        return this.cancelLocal(proc, message.conn);
      case 'capture':
        return this.s.capture.receive(proc, message);
      case 'socketConnect':
        return this.s.sockets.connect(proc, message.conn, message.path);
      case 'transaction':
        proc.transactions = Math.max(0, proc.transactions + message.delta);
        return;
      case 'log':
        this.s.emit({
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

  private barrier(proc: Proc, localId: string, id: number): void {
    const conn = proc.connections.get(localId);
    if (!conn) return this.s.connections.rejectMalformed(proc, { conn: localId }, `no connection ${localId}`);
    this.s.barriers.add(conn, id);
  }

  private cancelLocal(proc: Proc, localId: string): void {
    const conn = proc.connections.get(localId);
    if (conn) this.s.connections.cancel(conn);
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
    this.s.emit({
      kind: 'action',
      action: 'pressure',
      detail: 'memory pressure: reclaim clean, idle helpers',
    });
    return this.s.lifecycle.pressure(this.s.procs);
  }

  processes(): Proc[] {
    return [...this.s.procs];
  }

  findProc(pid: number): Proc | undefined {
    return this.s.findProc(pid);
  }

  findConnection(ptr: string): Connection | undefined {
    for (const proc of this.s.procs) {
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
    const target = `${proc.job.label}[${pid}]`;
    this.s.emit({ kind: 'action', action: why, target, detail: signal });
    // As launchd does (XPC-MODEL §4.2): a process still running ExitTimeOut seconds after SIGTERM gets SIGKILL.
    return this.s.jobs.end(proc, why, signal, () =>
      this.s.emit({
        kind: 'action',
        action: why,
        target,
        detail: `SIGKILL: still running ${proc.job.exitTimeOutS} s after SIGTERM (its ExitTimeOut)`,
      }),
    );
  }

  cancelConnection(ptr: string): boolean {
    const conn = this.findConnection(ptr);
    if (!conn?.live) return false;
    this.s.emit({ kind: 'action', action: 'cancel', target: ptr });
    this.s.connections.cancel(conn);
    return true;
  }

  /** The launchd operations upgrades and sysextd drive (main/broker/launchd/launchd-port.ts). */
  get launchd(): LaunchdPort {
    const s = this.s;
    return {
      world: s.world,
      namespace: s.namespace,
      clock: s.clock,
      emit: (event) => s.emit(event),
      observe: (listener) => {
        s.observers.add(listener);
        return () => s.observers.delete(listener);
      },
      processes: () => this.processes(),
      instanceOf: (job) => s.instances.get(s.instanceKey(job)),
      end: (proc, detail) => s.jobs.endNow(proc, detail),
      register: (job) => {
        s.jobs.load(job, false);
      },
      unregister: (job, reason) => s.jobs.unload(job, reason),
      repoint: (old, next) => {
        const domain = s.domainOf(old);
        if (s.slots.isLoaded(domain, old)) {
          s.slots.unload(domain, old.label);
          s.slots.load(domain, next);
        }
        for (const entry of s.namespace.entries()) if (entry.job === old) entry.job = next;
      },
      launch: (job, reason) => s.jobs.spawn(job, reason),
      launchAtBoot: (job) => {
        if (job.type === 'App') s.jobs.spawn(job, 'app launch');
        else if (s.slots.isLoaded(s.domainOf(job), job)) s.jobs.startIfKeptAlive(job);
      },
    };
  }

  /**
   * Ends every helper. Idempotent. Each request still waiting for a reply, sent or queued for a check-in, gets its
   * reply handler's INVALID first (XPC-MODEL §1.3: every handler runs exactly once), and nothing is left waiting.
   */
  dispose(): void {
    this.upgrades.remedies.dispose();
    if (this.s.disposed) return;
    this.s.disposed = true;
    this.s.keepAlive.dispose();
    this.s.capture.flush();
    const cause = 'the broker shut down and ended every helper';
    this.s.replies.failAll('XPC_ERROR_CONNECTION_INVALID', cause);
    this.s.waiting.failAll('XPC_ERROR_CONNECTION_INVALID', cause);
    for (const proc of this.s.procs) this.s.jobs.end(proc, 'bootout');
  }
}
