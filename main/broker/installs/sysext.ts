import type { SysextState } from '../../trace/schema';
import type { JobSpec, MachServiceSpec } from '../../world/model';
import { versionText } from '../../world/unit';
import type { ServiceEntry } from '../core/namespace';
import type { LaunchdPort } from '../launchd/launchd-port';
import { sysextd, systemextensionsctlList } from './sysext-text';

/** One installed copy of a system extension in sysextd's database (XPC-MODEL §5.1). */
export interface SysextInstance {
  uuid: string;
  job: JobSpec;
  teamId: string;
  state: SysextState;
}

export type ActivationResult =
  | { outcome: 'installed'; instance: SysextInstance }
  | { outcome: 'replaced'; old: SysextInstance; instance: SysextInstance; stale: string[] }
  | { outcome: 'kept'; instance: SysextInstance }
  | { outcome: 'cancelled'; instance: SysextInstance }
  | { outcome: 'not-found' };

export interface ActivationOptions {
  /** The delegate's answer to request(_:actionForReplacingExtension:withExtension:). */
  replaceAction?: 'replace' | 'cancel';
}

const TERMINATED: SysextState = 'terminated waiting to uninstall on reboot';

/**
 * sysextd: which system extension instances are installed, and which instance
 * each extension's Mach service name is bound to. Network Extension owns the
 * NEMachServiceName registration, not a launchd plist (XPC-MODEL §5.3), which
 * is why a replace can leave it bound to the old instance (§5.4).
 */
export class SystemExtensions {
  private readonly instances: SysextInstance[] = [];
  /** The copy each app bundle embeds: what its next activation request submits. */
  private readonly staged = new Map<string, JobSpec>();
  private serial = 0;
  vpnConnected: boolean;
  developerMode: boolean;
  rebootRebindsNE: boolean;

  constructor(private readonly launchd: LaunchdPort) {
    const state = launchd.world.state;
    this.vpnConnected = state?.vpnConnected ?? false;
    this.developerMode = state?.developerMode ?? false;
    this.rebootRebindsNE = state?.rebootRebindsNE ?? false;
    for (const job of launchd.world.jobs) {
      if (job.type !== 'SystemExtension') continue;
      this.staged.set(job.label, job);
      this.instances.push(this.newInstance(job, 'activated enabled'));
    }
  }

  /** Emits the installed extensions, so a console starts with `systemextensionsctl list`. */
  announce(): void {
    for (const instance of this.instances) this.emitState(instance, 'installed');
  }

  list(): SysextInstance[] {
    return [...this.instances];
  }

  /** `systemextensionsctl list` (XPC-MODEL §5.2). */
  listText(): string {
    return systemextensionsctlList(this.instances);
  }

  active(bundleId: string): SysextInstance | undefined {
    return this.instances.find((i) => i.job.label === bundleId && i.state.startsWith('activated'));
  }

  /** Extensions activated but not yet allowed by the user in System Settings (XPC-MODEL §5.1, §10.1). */
  waitingForUser(): SysextInstance[] {
    return this.instances.filter((i) => i.state === 'activated waiting for user');
  }

  /** The app bundle now embeds this copy (an upgrade replaced the files). */
  stage(job: JobSpec): void {
    this.staged.set(job.label, job);
  }

  stagedCopy(bundleId: string): JobSpec | undefined {
    return this.staged.get(bundleId);
  }

  /** The extensions an app embeds now, in the order its launch activates them. */
  stagedIn(appLabel: string): JobSpec[] {
    return [...this.staged.values()].filter((j) => j.bundledIn === appLabel);
  }

  /** Names still answered by an instance that has been replaced (XPC-MODEL §5.4). */
  staleBindings(): ServiceEntry[] {
    return this.launchd.namespace.entries().filter((e) => e.binding === 'stale');
  }

  /** OSSystemExtensionRequest.activationRequest from the app, with its embedded copy (XPC-MODEL §5.1). */
  activate(bundleId: string, options: ActivationOptions = {}): ActivationResult {
    const next = this.staged.get(bundleId);
    if (!next) return { outcome: 'not-found' };
    const current = this.active(bundleId);
    if (!current) return { outcome: 'installed', instance: this.install(next) };
    const differ =
      current.job.bundleVersion !== next.bundleVersion || current.job.shortVersion !== next.shortVersion;
    // XPC-MODEL §5.1: identical versions are kept unless developer mode is on.
    if (!differ && !this.developerMode) {
      this.sysextdLog(sysextd.kept(current));
      return { outcome: 'kept', instance: current };
    }
    this.sysextdLog(sysextd.foundEntry(current));
    this.sysextdLog(sysextd.replaceDecision(current));
    this.sysextdLog(sysextd.conflict());
    if (options.replaceAction === 'cancel') return { outcome: 'cancelled', instance: current };
    return this.replace(current, next);
  }

  /** OSSystemExtensionRequest.deactivationRequest: ends the extension and clears its names, stale ones too (XPC-MODEL §5.4 step 4). */
  deactivate(bundleId: string): boolean {
    const current = this.active(bundleId);
    if (!current) return false;
    this.stop(current, 'was deactivated');
    this.setState(current, TERMINATED, 'deactivated');
    this.clearNames(bundleId, `${bundleId} was deactivated`);
    this.tunnelDown(bundleId);
    return true;
  }

  /** System Settings › Login Items & Extensions › delete: every copy goes, with its names (XPC-MODEL §5.4). */
  deleteExtension(bundleId: string): boolean {
    const copies = this.instances.filter((i) => i.job.label === bundleId);
    if (copies.length === 0) return false;
    const current = this.active(bundleId);
    if (current) this.stop(current, 'was deleted in System Settings');
    for (const copy of copies) this.setState(copy, 'uninstalled', 'deleted in System Settings');
    this.instances.splice(
      0,
      this.instances.length,
      ...this.instances.filter((i) => i.job.label !== bundleId),
    );
    this.clearNames(bundleId, `${bundleId} was deleted in System Settings`);
    this.tunnelDown(bundleId);
    return true;
  }

  /** The sysextd half of a reboot: terminated copies are uninstalled; stale names re-point only if the world says so. */
  reboot(): void {
    for (const copy of this.instances.filter((i) => i.state === TERMINATED))
      this.setState(copy, 'uninstalled', 'uninstalled on reboot');
    this.instances.splice(
      0,
      this.instances.length,
      ...this.instances.filter((i) => i.state !== 'uninstalled'),
    );
    for (const entry of this.staleBindings()) {
      const current = this.active(entry.job.label);
      // [I] XPC-MODEL §5.4 "reboot fixes it sometimes": rebootRebindsNE chooses which reports the world follows.
      if (this.rebootRebindsNE && current) this.rebind(entry, current.job, 'the reboot re-pointed it');
      else this.emitBinding(entry, 'after the reboot NE still refers to the uninstalled instance');
    }
  }

  setVpnConnected(connected: boolean): void {
    this.vpnConnected = connected;
  }

  /**
   * A fresh activation (nothing installed, or the copy was deactivated or
   * deleted) waits for the user in System Settings: no process and no name
   * until then (XPC-MODEL §5.1 "waiting for user", §10.1).
   */
  private install(job: JobSpec): SysextInstance {
    const instance = this.newInstance(job, 'activated waiting for user');
    this.instances.push(instance);
    this.replaceWorldJob(job);
    this.emitState(instance, 'activated; waiting for the user to allow it in System Settings');
    return instance;
  }

  /**
   * The user's "Allow" in System Settings › Privacy & Security (XPC-MODEL
   * §10.1): the extension is enabled, its names are registered for it, and
   * sysextd starts it. False when nothing waits.
   */
  allow(bundleId: string): boolean {
    const instance = this.instances.find(
      (i) => i.job.label === bundleId && i.state === 'activated waiting for user',
    );
    if (!instance) return false;
    const { job } = instance;
    instance.state = 'activated enabled';
    this.emitState(instance, 'allowed by the user in System Settings');
    for (const spec of job.machServices) {
      const entry = this.launchd.namespace.get('system', spec.name);
      if (entry && entry.job.label === job.label && entry.job !== job)
        this.rebind(entry, job, `${job.label} ${versionText(job)} was allowed`);
      else this.registerName(job, spec);
    }
    this.launchd.launch(job, 'speculative');
    return true;
  }

  private replace(old: SysextInstance, next: JobSpec): ActivationResult {
    this.stop(old, `was replaced by ${versionText(next)}`);
    this.setState(old, TERMINATED, `replaced by ${versionText(next)}`);
    const instance = this.newInstance(next, 'activated enabled');
    this.instances.push(instance);
    this.replaceWorldJob(next);
    const stale = this.rebindAfterReplace(old.job, next);
    this.emitState(instance, `replaced ${versionText(old.job)}`);
    this.launchd.launch(next, 'speculative');
    return { outcome: 'replaced', old, instance, stale };
  }

  /**
   * XPC-MODEL §5.4 steps 1–2: with a tunnel up, NE keeps NEMachServiceName bound
   * to the old instance; every other name (and an Endpoint Security name, which
   * the new extension re-registers) cuts over cleanly.
   */
  private rebindAfterReplace(old: JobSpec, next: JobSpec): string[] {
    const stale: string[] = [];
    const namespace = this.launchd.namespace;
    for (const spec of old.machServices) {
      const entry = namespace.get('system', spec.name);
      if (!entry || entry.job !== old) continue;
      if (
        spec.origin === 'NEMachServiceName' &&
        this.vpnConnected &&
        !this.sameVersionInDeveloperMode(old, next)
      ) {
        entry.binding = 'stale';
        stale.push(spec.name);
        this.emitBinding(
          entry,
          `${old.label} was replaced while the VPN was connected; NE still refers to ${versionText(old)}`,
        );
        continue;
      }
      namespace.unregister('system', spec.name);
      this.launchd.emit({
        kind: 'service.unregister',
        name: spec.name,
        domain: 'system',
        label: old.label,
        reason: `${old.label} ${versionText(old)} was replaced`,
      });
    }
    for (const spec of next.machServices)
      if (!namespace.get('system', spec.name)) this.registerName(next, spec);
    return stale;
  }

  /**
   * [I] XPC-MODEL §10.1: in developer mode a same-version replacement does not
   * leave a stale binding ("the bug doesn't happen" in a dev environment).
   */
  private sameVersionInDeveloperMode(old: JobSpec, next: JobSpec): boolean {
    return (
      this.developerMode && old.bundleVersion === next.bundleVersion && old.shortVersion === next.shortVersion
    );
  }

  private rebind(entry: ServiceEntry, job: JobSpec, cause: string): void {
    this.launchd.namespace.unregister('system', entry.name);
    const spec = job.machServices.find((s) => s.name === entry.name);
    if (spec) this.registerName(job, spec, cause);
  }

  private registerName(
    job: JobSpec,
    spec: MachServiceSpec,
    cause = `${job.label} ${versionText(job)} registered it`,
  ): void {
    const entry: ServiceEntry = {
      name: spec.name,
      domain: 'system',
      job,
      hideUntilCheckIn: spec.hideUntilCheckIn,
      origin: spec.origin,
      binding: 'live',
    };
    if (this.launchd.namespace.register(entry) === 'exists') return;
    this.launchd.emit({
      kind: 'service.register',
      name: spec.name,
      domain: 'system',
      label: job.label,
      origin: spec.origin,
    });
    this.emitBinding(entry, cause);
  }

  private clearNames(bundleId: string, reason: string): void {
    for (const entry of this.launchd.namespace.entries()) {
      if (entry.domain !== 'system' || entry.job.label !== bundleId) continue;
      this.launchd.namespace.unregister('system', entry.name);
      this.launchd.emit({
        kind: 'service.unregister',
        name: entry.name,
        domain: 'system',
        label: bundleId,
        reason,
      });
    }
  }

  /**
   * Removing a VPN's network extension deletes its VPN configuration, so the
   * tunnel is down afterwards (XPC-MODEL §10.1, coder PR #158).
   */
  private tunnelDown(bundleId: string): void {
    const job = this.staged.get(bundleId);
    if (job?.sysext?.category === 'network_extension') this.vpnConnected = false;
  }

  private stop(instance: SysextInstance, detail: string): void {
    const proc = this.launchd.instanceOf(instance.job);
    if (proc && proc.job === instance.job) this.launchd.end(proc, detail);
  }

  private replaceWorldJob(job: JobSpec): void {
    const jobs = this.launchd.world.jobs;
    const at = jobs.findIndex((j) => j.type === 'SystemExtension' && j.label === job.label);
    if (at >= 0) jobs[at] = job;
    else jobs.push(job);
  }

  private newInstance(job: JobSpec, state: SysextState): SysextInstance {
    this.serial++;
    // [I] Deterministic uuids, so two runs of a scenario read the same.
    const uuid = `5A1D0000-0000-4000-8000-${this.serial.toString(16).toUpperCase().padStart(12, '0')}`;
    return { uuid, job, teamId: job.signing.teamId ?? '-', state };
  }

  private setState(instance: SysextInstance, state: SysextState, detail: string): void {
    instance.state = state;
    this.emitState(instance, detail);
  }

  private emitState(instance: SysextInstance, detail: string): void {
    const { job } = instance;
    this.launchd.emit({
      kind: 'sysext',
      uuid: instance.uuid,
      teamId: instance.teamId,
      bundleId: job.label,
      category: `com.apple.system_extension.${job.sysext?.category ?? 'network_extension'}`,
      name: job.sysext?.name ?? job.label,
      shortVersion: job.shortVersion ?? '',
      bundleVersion: job.bundleVersion ?? '',
      state: instance.state,
      detail,
    });
  }

  private emitBinding(entry: ServiceEntry, cause: string): void {
    this.launchd.emit({
      kind: 'service.binding',
      name: entry.name,
      domain: 'system',
      label: entry.job.label,
      binding: entry.binding,
      boundTo: versionText(entry.job),
      cause,
    });
  }

  private sysextdLog(text: string): void {
    // [I] sysextd's lines (XPC-MODEL §5.1) under this subsystem; the source does not name one.
    this.launchd.emit({
      kind: 'log',
      subsystem: 'com.apple.sysextd',
      category: 'sysextd',
      process: 'sysextd',
      pid: 300,
      level: 'Default',
      text,
    });
  }
}
