import type { ExitCause, SpawnReason } from '../../trace/schema';
import type { JobSpec, SessionType } from '../../world/model';
import { unsatisfied } from '../../world/provisioning-profile';
import type { ServiceEntry } from '../core/namespace';
import { Errno } from '../errno';
import { toDisposable } from '../lifetime';
import { amfi, launchctl, launchd, launchdPrefix } from '../logs';
import { isCrashSignal } from '../signals';
import type { ProcessExit } from '../spawner';
import type { BrokerState } from '../state';
import { type ConditionFacts, type ExitFacts, heldBackBy, loadsRunning, standingHolds } from './keepalive';
import type { SlotErrno } from './label-slots';
import { type EndCause, Proc } from './process';

/**
 * [I] The session type of each domain a world has (XPC-MODEL §3.1): one Aqua login in gui/<uid>, its per-user
 * Background session in user/<uid>, and the System session of the system domain.
 */
export function sessionOf(domain: string): SessionType {
  if (domain === 'system') return 'System';
  return domain.startsWith('user/') ? 'Background' : 'Aqua';
}

/**
 * Jobs loaded and unloaded, their processes launched on demand and their exits
 * explained (XPC-MODEL §4). The broker asks the Spawner; it never forks.
 */
export class Jobs {
  private spawnSerial = 0;
  /** Labels launched on demand at least once (KeepAlive AfterInitialDemand). */
  private readonly demandedLabels = new Set<string>();

  /** What KeepAlive's standing conditions look at, from the world's state (XPC-MODEL §10.3). */
  readonly facts: ConditionFacts = {
    pathExists: (path) => this.s.world.state?.paths?.includes(path) ?? false,
    networkUp: () => this.s.world.state?.networkUp ?? true,
    jobEnabled: (label) =>
      this.s.world.jobs.some((j) => j.label === label && this.s.slots.isLoaded(this.s.domainOf(j), j)),
    demanded: (job) => this.demandedLabels.has(job.label),
  };

  constructor(
    private readonly s: BrokerState,
    private readonly onHelperMessage: (proc: Proc, raw: unknown) => void,
  ) {}

  /** launchctl bootstrap of one job: the overrides database (119, §4.5) and the label's slot (17/37, §4.6) decide. */
  load(job: JobSpec, launch = true): number {
    const domain = this.s.domainOf(job);
    const disabled = this.s.overrides.isDisabled(domain, job.label, job.disabled);
    const wrongSession = !this.loadsIn(job, domain);
    const errno = disabled
      ? Errno.serviceDisabled
      : wrongSession
        ? Errno.wrongSession
        : asCaller(domain, this.s.slots.load(domain, job));
    if (errno !== 0) {
      this.bootstrapFailed(job, domain, errno);
      return errno;
    }
    this.registerServices(job, domain);
    this.s.sockets.bind(job, domain);
    if (launch) this.startIfKeptAlive(job);
    this.reevaluate();
    return 0;
  }

  /** XPC-MODEL §10.3 LimitLoadToSessionType: a job loads only into a domain whose session type it lists. */
  private loadsIn(job: JobSpec, domain: string): boolean {
    return !job.limitLoadToSessionType || job.limitLoadToSessionType.includes(sessionOf(domain));
  }

  /**
   * RunAtLoad, KeepAlive true or SuccessfulExit start a loaded job; so does a standing KeepAlive condition that
   * holds (XPC-MODEL §4.1, §10.3). A job whose conditions all fail is not started, and the console is told
   * which condition holds it back.
   */
  startIfKeptAlive(job: JobSpec): void {
    if (loadsRunning(job, this.facts)) {
      this.spawn(job, 'speculative');
      return;
    }
    const held = heldBackBy(job, this.facts);
    if (!held) return;
    const domain = this.s.domainOf(job);
    this.s.emit({
      kind: 'diagnostic',
      severity: 'info',
      file: job.path,
      key: `KeepAlive.${held[0]!.key}`,
      message: `${domain}/${job.label} is not started: no KeepAlive condition holds: ${held.map((c) => c.text).join('; ')}`,
      consequence:
        job.machServices.length > 0
          ? `launchd starts it when a condition comes to hold, or on demand when a client messages ${job.machServices[0]!.name}`
          : 'launchd starts it when a condition comes to hold',
    });
  }

  /**
   * A standing condition may have come to hold (a job loaded or booted out, a path created, the network up):
   * launchd starts every loaded, stopped launchd job it now keeps alive (XPC-MODEL §10.3).
   */
  reevaluate(): void {
    if (this.s.disposed) return;
    for (const job of this.s.world.jobs) {
      if (job.type === 'App' || job.domainKind === 'pid') continue;
      const spec = job.keepAlive;
      if (!spec.pathState && !spec.otherJobEnabled && spec.networkState === undefined) continue;
      if (!this.s.slots.isLoaded(this.s.domainOf(job), job) || this.s.keepAlive.isScheduled(job)) continue;
      const running = this.s.instances.get(this.s.instanceKey(job));
      if (running && running.state !== 'exited') continue;
      if (standingHolds(job, this.facts)) this.spawn(job, 'speculative');
    }
  }

  private bootstrapFailed(job: JobSpec, domain: string, errno: number): void {
    const target = `${domain}/${job.label}`;
    const holder = this.s.slots.holder(domain, job.label);
    const message =
      errno === Errno.serviceDisabled
        ? `${target} is disabled in the overrides database, which outlives any plist; \`launchctl enable ${target}\` clears it`
        : errno === Errno.wrongSession
          ? `${job.label} loads only in ${job.limitLoadToSessionType?.join(', ') || 'no'} sessions (LimitLoadToSessionType); ${domain} is a ${sessionOf(domain)} session, so its names are not registered there and a look-up from it fails with 3: No such process`
          : errno === Errno.EEXIST
            ? `${job.label} is already loaded in ${domain} from ${holder?.path}; boot it out first`
            : errno === Errno.EIO
              ? `${target} is already loaded; launchctl run as a user reports it only as an I/O error`
              : `${target} is already loaded`;
    const line = launchctl.bootstrapFailed(errno);
    this.s.log.launchctl(line);
    this.s.emit({
      kind: 'diagnostic',
      severity: 'error',
      file: job.path,
      key: 'Label',
      message,
      consequence: line,
    });
  }

  /** launchctl bootout: the names leave the namespace and a running instance gets SIGTERM, then SIGKILL. */
  unload(job: JobSpec, reason: string): void {
    const domain = this.s.domainOf(job);
    this.s.slots.unload(domain, job.label);
    this.s.keepAlive.cancel(job);
    this.unregisterServices(job, domain, reason);
    this.s.sockets.unbind(job);
    const proc = this.s.instances.get(this.s.instanceKey(job));
    if (proc && proc.job === job) this.end(proc, 'bootout', 'SIGTERM');
    this.reevaluate();
    this.s.delivery.settleBarriers();
  }

  /** A KeepAlive restart; a bootout cancels a scheduled one (KeepAlive.cancel). */
  respawn(job: JobSpec): void {
    if (this.s.disposed) return;
    this.spawn(job, 'speculative');
  }

  registerServices(job: JobSpec, domain: string, ownerPid?: number): void {
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
      if (this.s.namespace.register(entry) === 'exists') {
        this.s.emit({
          kind: 'diagnostic',
          severity: 'error',
          file: job.path,
          key: 'MachServices',
          message: `${spec.name} is already registered in ${domain}; ${job.label} cannot register it`,
          consequence: 'Bootstrap failed: 17: File exists',
        });
        continue;
      }
      this.s.emit({
        kind: 'service.register',
        name: spec.name,
        domain,
        label: job.label,
        origin: spec.origin,
      });
    }
  }

  private unregisterServices(job: JobSpec, domain: string, reason: string): void {
    for (const spec of job.machServices) {
      const entry = this.s.namespace.get(domain, spec.name);
      if (entry?.job !== job) continue;
      this.s.namespace.unregister(domain, spec.name);
      this.s.waiting.failService(entry, 'XPC_ERROR_CONNECTION_INVALID', reason);
      this.s.emit({ kind: 'service.unregister', name: spec.name, domain, label: job.label, reason });
    }
  }

  spawn(job: JobSpec, reason: SpawnReason, owner?: Proc): Proc {
    if (reason === 'terminal') return this.spawnFromTerminal(job);
    const key = this.s.instanceKey(job, owner);
    const existing = this.s.instances.get(key);
    if (existing && existing.state !== 'exited' && existing.job === job) return existing;
    const domain = this.s.domainOf(job, owner);
    if (reason === 'ipc (mach)' || reason === 'non-ipc demand') this.demandedLabels.add(job.label);
    const serial = ++this.spawnSerial;
    this.s.runs.set(key, (this.s.runs.get(key) ?? 0) + 1);
    const prefix = launchdPrefix(domain, job.label);
    // XPC-MODEL §4.2, §10.3: launchd.log's order, every line <Notice> (gitea#21860, NixOS nix#5698).
    this.s.log.launchd(`${prefix} <Notice>: ${launchd.willSpawn()}`);
    this.s.log.launchd(`${prefix} <Notice>: ${launchd.state('spawn scheduled')}`);
    this.s.log.launchd(`${prefix} <Notice>: ${launchd.state('spawning')}`);
    this.s.log.launchd(`${prefix} <Notice>: ${launchd.launching(reason)}`);
    let proc: Proc | undefined;
    const handle = this.s.spawner.spawn(
      { label: job.label, serviceName: `${job.label}#${serial}`, env: { XPC_SERVICE_NAME: job.label } },
      {
        onSpawn: (pid) => proc && this.onSpawned(proc, pid, reason),
        onMessage: (message) => proc && this.onHelperMessage(proc, message),
        onExit: (exit) => proc && this.onExit(proc, exit),
      },
    );
    proc = new Proc(job, domain, handle, this.s.clock.now(), owner);
    this.s.procs.add(proc);
    this.s.instances.set(key, proc);
    handle.send(this.s.initMessage(job, domain));
    if (handle.pid !== undefined) this.onSpawned(proc, handle.pid, reason);
    return proc;
  }

  /**
   * A job's program run from Terminal (XPC-MODEL §3.2, §10.7): launchd does not spawn it, so it is no instance of
   * the job, has no XPC_SERVICE_NAME and no check-in context, and runs in the user's login session.
   */
  private spawnFromTerminal(job: JobSpec): Proc {
    const domain = `gui/${this.s.world.uid}`;
    const serial = ++this.spawnSerial;
    let proc: Proc | undefined;
    const handle = this.s.spawner.spawn(
      { label: job.label, serviceName: `${job.label}#${serial}`, env: {} },
      {
        onSpawn: (pid) => proc && this.onSpawned(proc, pid, 'terminal'),
        onMessage: (message) => proc && this.onHelperMessage(proc, message),
        onExit: (exit) => proc && this.onExit(proc, exit),
      },
    );
    proc = new Proc(job, domain, handle, this.s.clock.now(), undefined);
    proc.fromTerminal = true;
    this.s.procs.add(proc);
    handle.send(this.s.initMessage(job, domain));
    if (handle.pid !== undefined) this.onSpawned(proc, handle.pid, 'terminal');
    return proc;
  }

  /**
   * XPC-MODEL §10.7: AMFI checks a daemon's restricted entitlements against its bundle's provisioning profile as
   * it starts, whoever starts it; what it does not grant is stripped ("soft restriction"), and the daemon's
   * listener then fails with EPERM.
   */
  private checkEntitlements(proc: Proc): void {
    const { job } = proc;
    if (job.type !== 'LaunchDaemon' && job.type !== 'SMAppServiceDaemon') return;
    const { keys, why } = unsatisfied(
      job.provisioningProfile,
      job.entitlements,
      job.signing.teamId,
      Date.now(),
    );
    if (keys.length === 0) return;
    proc.amfiDenied = why;
    for (const text of [amfi.unsatisfied(keys), amfi.noProfile()]) this.s.log.amfi(text);
  }

  private onSpawned(proc: Proc, pid: number, reason: SpawnReason): void {
    if (proc.pid !== undefined) return;
    proc.pid = pid;
    proc.state = 'running';
    const job = proc.job;
    this.checkEntitlements(proc);
    const spawned = {
      kind: 'process.spawn',
      pid,
      label: job.label,
      domain: proc.domain,
      program: job.program,
      reason,
    } as const;
    if (proc.fromTerminal) {
      this.s.emit(spawned);
      return;
    }
    const prefix = launchdPrefix(proc.domain, job.label, pid);
    for (const line of [
      launchd.spawned(pid),
      launchd.event('SPAWNED'),
      launchd.state('xpcproxy'),
      launchd.event('SOURCE_ATTACH'),
      launchd.state('running'),
      launchd.event('INIT'),
      launchd.success(proc.programName, pid, reason),
    ])
      this.s.log.launchd(`${prefix} <Notice>: ${line}`);
    this.s.emit({
      ...spawned,
      ...(job.bundleVersion ? { bundleVersion: job.bundleVersion } : {}),
      ...(job.signature ? { signature: job.signature } : {}),
    });
    this.s.lifecycle.touch(proc);
    if (job.type === 'App') {
      for (const xpc of this.s.world.jobs.filter(
        (j) => j.domainKind === 'pid' && j.ownerLabel === job.label,
      )) {
        this.registerServices(xpc, `pid/${pid}`, pid);
      }
    }
  }

  private onExit(proc: Proc, exit: ProcessExit): void {
    if (proc.state === 'exited') return;
    const wasRunning = proc.pid !== undefined;
    // Messages its budget still holds are let go: the broker acts on no message from a process that has exited.
    proc.exited();
    this.s.procs.delete(proc);
    const key = this.s.instanceKey(proc.job, proc.owner);
    if (this.s.instances.get(key) === proc) this.s.instances.delete(key);
    const pid = proc.displayPid;
    const ranForMs = Math.max(0, Math.round(this.s.clock.now() - proc.startedAt));
    const { cause, clean, detail } = explainExit(proc, exit);
    if (wasRunning && !proc.fromTerminal) {
      const prefix = launchdPrefix(proc.domain, proc.job.label, pid);
      const line = exit.signal
        ? launchd.exitedSignal(exit.signal, ranForMs, proc.endingBecause ? 'launchd[1]' : undefined)
        : launchd.exitedCode(exit.code ?? 0, ranForMs);
      this.s.log.launchd(`${prefix} <Notice>: ${line}`);
      this.s.log.launchd(`${prefix} <Notice>: ${launchd.state('exited')}`);
    }
    this.s.connections.endWithProcess(proc, detail);
    this.s.emit({
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
      ...(exit.goneReason ? { goneReason: exit.goneReason } : {}),
    });
    this.s.connections.tearDown(proc, detail);
    if (proc.job.type === 'App' && proc.pid !== undefined) this.stopBundledServices(proc);
    this.afterExit(proc, { cause, code: exit.code, clean, ranForMs });
  }

  /** KeepAlive (XPC-MODEL §4.1): launchd jobs only, never after a bootout or while the broker shuts down. */
  private afterExit(proc: Proc, facts: ExitFacts): void {
    this.s.delivery.settleBarriers();
    const job = proc.job;
    if (
      this.s.disposed ||
      job.type === 'App' ||
      job.domainKind === 'pid' ||
      proc.endingBecause === 'bootout' ||
      proc.fromTerminal
    )
      return;
    this.s.keepAlive.afterExit(job, proc.domain, facts);
  }

  private stopBundledServices(app: Proc): void {
    for (const proc of [...this.s.procs]) {
      if (proc.owner === app) this.end(proc, 'bootout');
    }
    for (const xpc of this.s.world.jobs.filter(
      (j) => j.domainKind === 'pid' && j.ownerLabel === app.job.label,
    )) {
      this.unregisterServices(xpc, `pid/${app.pid}`, `${app.job.label}[${app.pid}] exited`);
    }
  }

  /**
   * The one way the broker ends a process on purpose; `cause` explains its exit when it comes. A SIGTERM is
   * followed by SIGKILL after the job's ExitTimeOut if the process still runs (XPC-MODEL §4.2), `beforeSigkill`
   * first. Returns whether the signal was delivered.
   */
  end(proc: Proc, cause: EndCause, signal: NodeJS.Signals = 'SIGKILL', beforeSigkill?: () => void): boolean {
    if (proc.state === 'exited') return false;
    proc.endingBecause = cause;
    proc.idleTimer.clear();
    proc.killTimer.clear();
    const sent = proc.handle.kill(signal);
    if (sent && signal === 'SIGTERM') {
      const timer = this.s.clock.setTimeout(() => {
        if (proc.state === 'exited') return;
        beforeSigkill?.();
        proc.handle.kill('SIGKILL');
      }, proc.job.exitTimeOutS * 1000);
      proc.killTimer.value = toDisposable(() => timer.cancel());
    }
    return sent;
  }

  /** Ends a process at once, as bootout does: the exit is processed now, the real one is ignored when it comes. */
  endNow(proc: Proc, detail: string): void {
    if (proc.state === 'exited') return;
    proc.endDetail = detail;
    this.end(proc, 'bootout');
    this.onExit(proc, { code: null, signal: 'SIGKILL' });
  }
}

/**
 * XPC-MODEL §10.3: re-bootstrapping a loaded job prints `Bootstrap failed: 5: Input/output error` to a user
 * (noclamshell#25/#30, nix-installer#1157) and 37 to root. [I] Who runs launchctl follows the domain: root
 * (sudo) for `system`, the logged-in user for gui/ and user/.
 */
function asCaller(domain: string, errno: SlotErrno): SlotErrno | typeof Errno.EIO {
  return errno === Errno.EALREADY && domain !== 'system' ? Errno.EIO : errno;
}

function explainExit(proc: Proc, exit: ProcessExit): { cause: ExitCause; clean: boolean; detail: string } {
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
  // XPC-MODEL §1.2 rule 1: SIGKILL from jetsam. Electron says `oom` (or `memory-eviction`) for a process the
  // system killed for its memory; it did not choose to end, so the exit is not clean.
  if (exit.goneReason === 'oom' || exit.goneReason === 'memory-eviction')
    return {
      cause: 'jetsam',
      clean: false,
      detail: `${who} was killed by jetsam: it ran out of memory (${exit.goneReason})`,
    };
  if (isCrashSignal(exit.signal))
    return { cause: 'crash', clean: false, detail: `${who} crashed (${exit.signal})` };
  if (exit.signal)
    return {
      cause: exit.signal === 'SIGKILL' ? 'killed' : 'signal',
      clean: false,
      detail: `${who} was killed (${exit.signal})`,
    };
  const code = exit.code ?? 0;
  return { cause: 'exit', clean: code === 0, detail: `${who} exited with status ${code}` };
}
