import type { EventInput } from '../../trace/schema';
import { rederive, renamedServices } from '../../world/build-settings';
import { type BumpOptions, bumpUnit } from '../../world/bump';
import type { JobSpec } from '../../world/model';
import { appUnit, findApp, versionText } from '../../world/unit';
import type { LaunchdPort } from '../launchd/launchd-port';
import type { ActivationResult, SystemExtensions } from './sysext';
import { Remedies } from './upgrade-remedies';
import {
  brokenConnections,
  changesBetween,
  remediesFor,
  snapshotSide,
  type UpgradeReport,
} from './upgrade-report';
import { activationWords } from './upgrade-words';

export type InstallerKind = 'pkg' | 'pkg-preinstall' | 'drag';

export interface UpgradeOptions {
  /** pkg: files replaced, launchd jobs reloaded by postinstall; pkg-preinstall: also stops the VPN first; drag: Finder copy. */
  installer?: InstallerKind;
  /** The VPN's state while the files are replaced; defaults to the world's. */
  vpnConnected?: boolean;
  /** `systemextensionsctl developer on|off`; defaults to the world's. */
  developerMode?: boolean;
  /** Launch the new app after installing; its launch submits the activation requests (XPC-MODEL §5.1). Default true. */
  firstLaunch?: boolean;
  /** The delegate's answer when sysextd asks about a replacement. Default replace. */
  replaceAction?: 'replace' | 'cancel';
  /** A VPN on-demand rule: a configured tunnel reconnects as soon as traffic asks for it, before the first launch (XPC-MODEL §10.1). */
  vpnOnDemand?: boolean;
  /** A pkg postinstall script that starts the VPN again (XPC-MODEL §10.1: coder's did until PR #150). */
  postinstallReconnects?: boolean;
}

export interface NextVersion {
  source: 'bump' | 'folder';
  /** Version N+1 of the app's unit (main/world/unit.ts): the app and what it embeds. */
  jobs: JobSpec[];
}

/**
 * A /Library job that runs a program inside the app is not in the app's
 * folder, but its program is replaced with the app: it carries on with the
 * new app's version.
 */
function withCarriedJobs(oldUnit: JobSpec[], nextJobs: JobSpec[], nextApp: JobSpec): JobSpec[] {
  const present = new Set(nextJobs.map((j) => `${j.type}:${j.label}`));
  const carried = oldUnit
    .filter((j) => j.type !== 'App' && j.bundledIn === undefined && !present.has(`${j.type}:${j.label}`))
    .map((j) =>
      rederive({
        ...structuredClone(j),
        bundleVersion: nextApp.bundleVersion,
        shortVersion: nextApp.shortVersion,
      }),
    );
  return [...nextJobs, ...carried];
}

/**
 * XPC-MODEL §10.1: a name built from a template that holds the version is
 * derived again from the new version, so the new copy answers a new name.
 */
function renamedWhy(oldUnit: readonly JobSpec[], nextUnit: readonly JobSpec[]): string[] {
  return renamedServices(oldUnit, nextUnit).map(
    (r) =>
      `XPC-MODEL §10.1: ${r.label}'s ${r.key} is the template ${r.template}; derived from the new version it is ${r.to} (was ${r.from}), a name the new copy registers afresh while ${r.from} stays with the old one, and clients that derive the name from their own version reach the new copy`,
  );
}

const LAUNCHD_TYPES = new Set<JobSpec['type']>([
  'LaunchDaemon',
  'LaunchAgent',
  'SMAppServiceDaemon',
  'SMAppServiceAgent',
]);

interface Run {
  installer: InstallerKind;
  firstLaunch: boolean;
  replaced: UpgradeReport['replaced'];
  why: string[];
  sequence: NonNullable<UpgradeReport['sequence']>;
  /** Labels booted out and bootstrapped again, whose clients' fate the report states only from what it saw. */
  reloaded: JobSpec[];
  /** The VPN was connected when the tunnel was stopped by the preinstall: on-demand or postinstall may bring it back. */
  vpnConfigured: boolean;
  vpnAtReplace?: boolean;
}

/**
 * Installing version N+1 of an app over version N (XPC-MODEL §5): the app is
 * quit, its XPC services go with it, its launchd jobs are booted out and
 * bootstrapped again, and its system extensions are replaced only when the new
 * app asks sysextd to activate them. Every upgrade ends with a report.
 */
export class Upgrades {
  /** What to try after an upgrade, as steps with outcomes and costs (XPC-MODEL §10.1). */
  readonly remedies: Remedies;

  constructor(
    private readonly launchd: LaunchdPort,
    private readonly sysext: SystemExtensions,
  ) {
    this.remedies = new Remedies(launchd, sysext, this);
  }

  upgrade(appLabel: string, next: NextVersion, options: UpgradeOptions = {}): UpgradeReport {
    const app = this.requireApp(appLabel);
    const nextApp = next.jobs.find((j) => j.type === 'App' && j.label === app.label);
    if (!nextApp) throw new Error(`the new version has no app ${app.label}`);
    if (options.vpnConnected !== undefined) this.sysext.setVpnConnected(options.vpnConnected);
    if (options.developerMode !== undefined) this.sysext.developerMode = options.developerMode;
    const run: Run = {
      installer: options.installer ?? 'pkg',
      firstLaunch: options.firstLaunch ?? true,
      replaced: [],
      why: [],
      sequence: [],
      reloaded: [],
      vpnConfigured: this.sysext.vpnConnected,
    };
    const oldUnit = appUnit(this.launchd.world, app);
    const before = snapshotSide(this.launchd, this.sysext, oldUnit);
    const seen: EventInput[] = [];
    const names = this.processNames();
    const stopObserving = this.launchd.observe((e) => seen.push(e));
    this.launchd.emit({
      kind: 'action',
      action: 'upgrade',
      target: app.label,
      detail: `${versionText(app)} → ${versionText(nextApp)} (${run.installer})`,
    });
    this.preinstall(run);
    this.quitApp(app, 'was quit by the installer');
    const nextUnit = withCarriedJobs(oldUnit, next.jobs, nextApp);
    run.why.push(...renamedWhy(oldUnit, nextUnit));
    this.replaceFiles(oldUnit, nextUnit, run);
    this.step(
      run,
      'replace',
      'the installer replaced the files; system extensions are only staged in the app',
    );
    this.postinstall(run, options);
    this.onDemand(run, options);
    // What the report calls the VPN's state: as it stood when the extension could be replaced (XPC-MODEL §10.1).
    const vpnConnected = this.sysext.vpnConnected;
    if (run.firstLaunch) this.firstLaunch(nextApp, run, options.replaceAction);
    else this.notLaunched(next.jobs, run);
    stopObserving();
    const broken = brokenConnections(seen, (pid) => names.get(pid));
    run.why.push(...this.reloadedWhy(run, broken));
    const after = snapshotSide(this.launchd, this.sysext, appUnit(this.launchd.world, nextApp));
    const report: UpgradeReport = {
      app: app.label,
      from: versionText(app),
      to: versionText(nextApp),
      source: next.source,
      installer: run.installer,
      vpnConnected,
      developerMode: this.sysext.developerMode,
      firstLaunch: run.firstLaunch,
      replaced: run.replaced,
      broken,
      why: run.why,
      remedies: remediesFor(this.sysext.staleBindings(), this.sysext.rebootRebindsNE),
      before,
      after,
      changes: changesBetween(before, after),
      sequence: run.sequence,
      ...(run.vpnAtReplace === undefined ? {} : { vpnAtReplace: run.vpnAtReplace }),
      appNames: this.remedies.appNames(nextApp.label),
    };
    this.launchd.emit({ kind: 'upgrade', ...report });
    return report;
  }

  /** A "bump": version N+1 made by raising every bundle's versions (main/world/bump.ts). */
  bump(appLabel: string, bump: BumpOptions = {}, options: UpgradeOptions = {}): UpgradeReport {
    return this.upgrade(
      appLabel,
      { source: 'bump', jobs: bumpUnit(this.currentUnit(appLabel), bump) },
      options,
    );
  }

  /** The app's unit as its bundle holds it now: system extensions as embedded, which may be newer than installed. */
  currentUnit(appLabel: string): JobSpec[] {
    const app = this.requireApp(appLabel);
    const installed = appUnit(this.launchd.world, app).filter((j) => j.type !== 'SystemExtension');
    return [...installed, ...this.sysext.stagedIn(app.label)];
  }

  /** Quits the app and the XPC services that go with it. */
  quit(appLabel: string): void {
    this.quitApp(this.requireApp(appLabel), 'was quit');
  }

  /** Quit and relaunch the app; its launch submits an activation request per embedded extension [I]. */
  restartApp(appLabel: string, replaceAction?: 'replace' | 'cancel'): ActivationResult[] {
    const app = this.requireApp(appLabel);
    this.launchd.emit({ kind: 'action', action: 'restart-app', target: app.label });
    this.quitApp(app, 'was quit');
    this.launchd.launch(app, 'app launch');
    return this.sysext.stagedIn(app.label).map((job) => this.sysext.activate(job.label, { replaceAction }));
  }

  /**
   * Every process ends, copies waiting to uninstall on reboot go, and the Mac
   * boots again: apps and RunAtLoad/KeepAlive jobs launch (XPC-MODEL §5.1, §5.4).
   */
  reboot(options: { rebindsNE?: boolean } = {}): void {
    if (options.rebindsNE !== undefined) this.sysext.rebootRebindsNE = options.rebindsNE;
    this.launchd.emit({ kind: 'action', action: 'reboot' });
    const procs = this.launchd.processes();
    for (const proc of [...procs.filter((p) => p.owner), ...procs.filter((p) => !p.owner)])
      this.launchd.end(proc, 'ended: the Mac restarted');
    this.sysext.reboot();
    for (const job of this.launchd.world.jobs) {
      if (job.domainKind === 'pid') continue;
      // sysextd, not launchd, starts an activated extension.
      if (job.type !== 'SystemExtension') this.launchd.launchAtBoot(job);
      else if (this.sysext.active(job.label)?.job === job) this.launchd.launch(job, 'speculative');
    }
  }

  private requireApp(appLabel: string): JobSpec {
    const app = findApp(this.launchd.world, appLabel);
    if (!app) throw new Error(`no app ${appLabel} in world "${this.launchd.world.name}"`);
    return app;
  }

  private processNames(): Map<number, string> {
    return new Map(this.launchd.processes().map((p) => [p.displayPid, p.job.label]));
  }

  private step(run: Run, step: NonNullable<UpgradeReport['sequence']>[number]['step'], detail: string): void {
    run.sequence.push({ step, vpnConnected: this.sysext.vpnConnected, detail });
  }

  /** A package's preinstall script that stops the VPN (`scutil --nc stop`, XPC-MODEL §10.1). */
  private preinstall(run: Run): void {
    if (run.installer === 'drag') return;
    if (run.installer !== 'pkg-preinstall' || !this.sysext.vpnConnected)
      return this.step(run, 'preinstall', 'nothing touched the VPN');
    this.sysext.setVpnConnected(false);
    this.launchd.emit({
      kind: 'action',
      action: 'vpn-disconnect',
      detail: 'the preinstall script stopped the VPN',
    });
    this.step(run, 'preinstall', 'the preinstall script stopped the VPN');
  }

  /** A postinstall that starts the VPN again reconnects it before the new app replaces the extension (XPC-MODEL §10.1). */
  private postinstall(run: Run, options: UpgradeOptions): void {
    if (run.installer === 'drag') return;
    if (options.postinstallReconnects && run.vpnConfigured && !this.sysext.vpnConnected) {
      this.reconnectVpn('the postinstall script started the VPN again');
      return this.step(run, 'postinstall', 'the postinstall script started the VPN again');
    }
    this.step(run, 'postinstall', 'launchd jobs reloaded; the VPN left as it was');
  }

  /** An on-demand rule reconnects a configured tunnel as soon as traffic asks for it (XPC-MODEL §10.1). */
  private onDemand(run: Run, options: UpgradeOptions): void {
    if (!options.vpnOnDemand) return;
    if (run.vpnConfigured && !this.sysext.vpnConnected) {
      this.reconnectVpn('an on-demand rule reconnected the VPN');
      return this.step(run, 'on-demand', 'an on-demand rule reconnected the VPN');
    }
    this.step(run, 'on-demand', 'the on-demand rule had nothing to do');
  }

  private reconnectVpn(detail: string): void {
    this.sysext.setVpnConnected(true);
    this.launchd.emit({ kind: 'action', action: 'vpn-connect', detail });
  }

  /**
   * What happened to the clients of jobs booted out and bootstrapped again,
   * claiming only what the broken connections show (XPC-MODEL §1.2 rule 1).
   */
  private reloadedWhy(run: Run, broken: UpgradeReport['broken']): string[] {
    return run.reloaded.map((job) => {
      const names = new Set(job.machServices.map((s) => s.name));
      const hit = broken.filter(
        (b) => b.side === 'client' && b.became === 'interrupted' && names.has(b.name),
      );
      const who = [...new Set(hit.map((b) => b.process))].join(', ');
      return hit.length > 0
        ? `XPC-MODEL §1.2 rule 1: ${job.label} was booted out and bootstrapped again; ${who} got INTERRUPTED (listed above), and the next message relaunches it on demand`
        : `XPC-MODEL §1.2 rule 1: ${job.label} was booted out and bootstrapped again; no running client held a connection to it, so none was interrupted`;
    });
  }

  /** [I] Installers quit a running app before replacing it; its bundled XPC services go first (XPC-MODEL §3.1). */
  private quitApp(app: JobSpec, detail: string): void {
    const procs = this.launchd.processes();
    for (const appProc of procs.filter((p) => p.job.label === app.label && p.job.type === 'App')) {
      for (const owned of procs.filter((p) => p.owner === appProc))
        this.launchd.end(owned, 'went with its app');
      this.launchd.end(appProc, detail);
    }
  }

  private replaceFiles(oldUnit: JobSpec[], nextJobs: JobSpec[], run: Run): void {
    const key = (j: JobSpec) => `${j.type}:${j.label}`;
    const olds = new Map(oldUnit.map((j) => [key(j), j]));
    for (const next of nextJobs) {
      const old = olds.get(key(next));
      olds.delete(key(next));
      if (next.type === 'SystemExtension') this.sysext.stage(next);
      else if (LAUNCHD_TYPES.has(next.type)) this.replaceLaunchdJob(old, next, run);
      else
        this.swap(
          old,
          next,
          run,
          next.type === 'XPCService'
            ? 'went with its app; the new version registers when the app launches'
            : 'replaced',
        );
    }
    for (const gone of olds.values()) this.remove(gone, run);
  }

  /**
   * pkg: postinstall boots the job out and bootstraps it again (XPC-MODEL §1.2
   * rule 1). [I] drag: Finder only replaces files; an SMAppService job is
   * re-registered when the new app launches, any other keeps its process.
   */
  private replaceLaunchdJob(old: JobSpec | undefined, next: JobSpec, run: Run): void {
    const reload = run.installer !== 'drag' || (run.firstLaunch && next.type.startsWith('SMAppService'));
    if (!old || !reload) {
      if (old) this.launchd.repoint(old, next);
      this.swap(
        old,
        next,
        run,
        old ? 'files replaced; the running process keeps the old code until it exits' : 'added',
      );
      if (!old) this.bootstrap(next);
      return;
    }
    const proc = this.launchd.instanceOf(old);
    if (proc) this.launchd.end(proc, 'was booted out by the installer');
    this.launchd.unregister(old, `${old.label} was booted out`);
    this.swap(old, next, run, 'booted out and bootstrapped again');
    this.bootstrap(next);
    run.reloaded.push(next);
  }

  private bootstrap(job: JobSpec): void {
    this.launchd.register(job);
    if (job.runAtLoad || job.keepAlive.always) this.launchd.launch(job, 'speculative');
  }

  private swap(old: JobSpec | undefined, next: JobSpec, run: Run, action: string): void {
    const jobs = this.launchd.world.jobs;
    const at = old ? jobs.indexOf(old) : -1;
    if (at >= 0) jobs[at] = next;
    else jobs.push(next);
    run.replaced.push({
      label: next.label,
      type: next.type,
      ...(old ? { from: versionText(old) } : {}),
      to: versionText(next),
      action,
    });
  }

  private remove(gone: JobSpec, run: Run): void {
    if (gone.type === 'SystemExtension') return;
    const proc = this.launchd.instanceOf(gone);
    if (proc) this.launchd.end(proc, 'was removed by the installer');
    if (gone.domainKind !== 'pid') this.launchd.unregister(gone, `${gone.label} is not in the new version`);
    const jobs = this.launchd.world.jobs;
    jobs.splice(jobs.indexOf(gone), 1);
    run.replaced.push({ label: gone.label, type: gone.type, from: versionText(gone), action: 'removed' });
  }

  private firstLaunch(app: JobSpec, run: Run, replaceAction: 'replace' | 'cancel' | undefined): void {
    this.launchd.launch(app, 'app launch');
    run.vpnAtReplace = this.sysext.vpnConnected;
    this.step(
      run,
      'first-launch',
      `the new app launched and asked sysextd to activate its extensions with the VPN ${this.sysext.vpnConnected ? 'connected' : 'off'}`,
    );
    if (run.installer === 'pkg-preinstall' && this.sysext.vpnConnected)
      run.why.push(
        'XPC-MODEL §10.1: the preinstall script stopped the VPN, but it was connected again when the new extension replaced the old one, so stopping it did not help',
      );
    else if (run.installer === 'pkg-preinstall' && run.vpnConfigured)
      run.why.push(
        'XPC-MODEL §5.4, §10.1: the preinstall script stopped the VPN and nothing reconnected it before the replace, so no tunnel referred to the old extension',
      );
    for (const staged of this.sysext.stagedIn(app.label)) {
      const current = this.sysext.active(staged.label);
      const result = this.sysext.activate(staged.label, { replaceAction });
      const words = activationWords(result, staged, this.sysext.vpnConnected, this.sysext.developerMode);
      run.replaced.push({
        label: staged.label,
        type: staged.type,
        ...(current ? { from: versionText(current.job) } : {}),
        to: versionText(staged),
        action: words.action,
      });
      run.why.push(...words.why);
    }
  }

  private notLaunched(nextJobs: JobSpec[], run: Run): void {
    for (const job of nextJobs.filter((j) => j.type === 'SystemExtension')) {
      const current = this.sysext.active(job.label);
      run.replaced.push({
        label: job.label,
        type: job.type,
        ...(current ? { from: versionText(current.job) } : {}),
        to: versionText(job),
        action: 'staged in the app; not activated yet',
      });
      run.why.push(
        `XPC-MODEL §5.1: ${job.label} is replaced only when the app submits an activation request; the new app has not been launched, so ${current ? versionText(current.job) : 'nothing'} keeps running`,
      );
    }
  }
}
