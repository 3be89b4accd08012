import type { EventInput, RemedyName } from '../../trace/schema';
import type { JobSpec } from '../../world/model';
import { findApp, versionText } from '../../world/unit';
import type { LaunchdPort } from '../launchd/launchd-port';
import type { SystemExtensions } from './sysext';
import type { Upgrades } from './upgrade';

type Step = { step: string; outcome: string };
type RemedyInput = Extract<EventInput, { kind: 'remedy' }>;

/** How long a remedy's outcome waits for the app to be accepted again: two of the demo app's 2 s reconnects and some. */
export const RECOVERY_WAIT_MS = 6_000;

const VPN_CONFIG_COST =
  'the VPN configuration is deleted: the VPN is off until the user sets it up again (XPC-MODEL §10.1)';
const APPROVAL_COST = 'the user has to allow the extension again in System Settings (XPC-MODEL §10.1)';

/** What a remedy costs the user, and what each does, for the report's list (XPC-MODEL §10.1). */
export const REMEDY_COSTS: Readonly<Record<RemedyName, readonly string[]>> = {
  'restart-app': ['the app quits and relaunches'],
  'delete-extension': [
    VPN_CONFIG_COST,
    APPROVAL_COST,
    'the app must be relaunched to ask for the extension again',
  ],
  'deactivate-activate': [VPN_CONFIG_COST, APPROVAL_COST],
  'delete-app': ['the app is deleted and installed again', VPN_CONFIG_COST, APPROVAL_COST],
  allow: [],
  reboot: ['every process on the Mac restarts'],
};

export interface RecoveryWatch {
  /** Resolves once a connection from the app to one of `names` is accepted, or when `ms` pass without one. */
  done: Promise<{ recovered: boolean; afterMs: number }>;
  cancel(): void;
}

/**
 * Remedies for the stale binding of XPC-MODEL §5.4, each run as the steps a
 * user takes, with what each step did and what it costs (§10.1); an outcome
 * event follows once the app's connection is accepted again, or once it had
 * the time to and was not.
 */
export class Remedies {
  private readonly watches = new Set<RecoveryWatch>();

  constructor(
    private readonly launchd: LaunchdPort,
    private readonly sysext: SystemExtensions,
    private readonly upgrades: Upgrades,
  ) {}

  /** The names the app's connections need: its extensions' NEMachServiceName, as the bundle embeds them now. */
  appNames(appLabel: string): string[] {
    return this.sysext
      .stagedIn(appLabel)
      .flatMap((j) => j.machServices.filter((s) => s.origin === 'NEMachServiceName').map((s) => s.name));
  }

  apply(appLabel: string, remedy: RemedyName): RemedyInput {
    const app = findApp(this.launchd.world, appLabel);
    if (!app) throw new Error(`no app ${appLabel} in world "${this.launchd.world.name}"`);
    const started = this.launchd.clock.now();
    const steps = this.run(app, remedy);
    const needs = this.needs(app);
    const applied: RemedyInput = {
      kind: 'remedy',
      app: app.label,
      remedy,
      phase: 'applied',
      steps,
      costs: [...REMEDY_COSTS[remedy]],
      needs,
    };
    this.launchd.emit(applied);
    this.followUp(app, remedy, started, steps, needs);
    return applied;
  }

  /** Ends every watch: the session is going away. */
  dispose(): void {
    for (const w of this.watches) w.cancel();
    this.watches.clear();
  }

  /** Watches for a connection from the app to one of `names` that its service accepts (XPC-MODEL §1.4). */
  watchRecovery(
    appLabel: string,
    names: readonly string[],
    ms: number,
    onDone: (r: { recovered: boolean; afterMs: number }) => void = () => {},
  ): RecoveryWatch {
    const started = this.launchd.clock.now();
    let resolveDone: (r: { recovered: boolean; afterMs: number }) => void = () => {};
    const done = new Promise<{ recovered: boolean; afterMs: number }>((resolve) => {
      resolveDone = resolve;
    });
    const settle = (r: { recovered: boolean; afterMs: number }) => {
      onDone(r);
      resolveDone(r);
    };
    const isApp = (pid: number | undefined) =>
      this.launchd.processes().some((p) => p.displayPid === pid && p.job.label === appLabel);
    const accepted = (e: EventInput) =>
      e.kind === 'connection.state' &&
      e.side === 'peer' &&
      e.to === 'connected' &&
      names.some((n) => e.name === n || e.name.startsWith(`${n}.peer`)) &&
      isApp(e.peerPid);
    let finished = false;
    const finish = (recovered: boolean) => {
      if (finished) return;
      finished = true;
      stop();
      timer.cancel();
      this.watches.delete(watch);
      settle({ recovered, afterMs: Math.round(this.launchd.clock.now() - started) });
    };
    const stop = this.launchd.observe((e) => {
      if (accepted(e)) finish(true);
    });
    const timer = this.launchd.clock.setTimeout(() => finish(false), ms);
    const watch: RecoveryWatch = { done, cancel: () => finish(false) };
    this.watches.add(watch);
    return watch;
  }

  private followUp(app: JobSpec, remedy: RemedyName, started: number, steps: Step[], needs: string[]): void {
    const outcome = (recovered: boolean, afterMs: number, still: string[]) =>
      this.launchd.emit({
        kind: 'remedy',
        app: app.label,
        remedy,
        phase: 'outcome',
        steps,
        costs: [...REMEDY_COSTS[remedy]],
        recovered,
        afterMs,
        needs: recovered ? [] : still,
      });
    const names = this.appNames(app.label);
    if (names.length === 0) return outcome(true, 0, []);
    // Something only the user can do stands in the way: say so now rather than wait.
    if (needs.some((n) => BLOCKING.test(n))) return outcome(false, 0, needs);
    this.watchRecovery(app.label, names, RECOVERY_WAIT_MS, ({ recovered, afterMs }) => {
      const still = this.needs(app);
      outcome(
        recovered,
        Math.round(this.launchd.clock.now() - started) || afterMs,
        still.length > 0 ? still : [NEW_CONNECTION],
      );
    });
  }

  private run(app: JobSpec, remedy: RemedyName): Step[] {
    switch (remedy) {
      case 'restart-app':
        return this.restartApp(app);
      case 'delete-extension':
        return this.extensionsOf(app).flatMap((label) => this.deleteExtension(label));
      case 'deactivate-activate':
        return this.extensionsOf(app).flatMap((label) => this.deactivateActivate(label));
      case 'delete-app':
        return this.deleteApp(app);
      case 'allow':
        return this.allow(app);
      case 'reboot':
        return this.reboot();
    }
  }

  private extensionsOf(app: JobSpec): string[] {
    const labels = this.sysext.stagedIn(app.label).map((j) => j.label);
    if (labels.length === 0) throw new Error(`${app.label} embeds no system extension`);
    return labels;
  }

  private restartApp(app: JobSpec): Step[] {
    const results = this.upgrades.restartApp(app.label);
    return [
      { step: `quit ${app.label} and launch it again`, outcome: this.runningText(app) },
      ...results.map((r) => ({
        step: 'its launch submits an activation request',
        outcome:
          r.outcome === 'not-found' ? 'no extension in the app' : activationText(r.outcome, this.sysext),
      })),
    ];
  }

  private deleteExtension(label: string): Step[] {
    const names = this.namesOf(label);
    this.launchd.emit({ kind: 'action', action: 'sysext-delete', target: label });
    this.sysext.deleteExtension(label);
    return [
      {
        step: `delete ${label} in System Settings › General › Login Items & Extensions`,
        outcome: `every copy uninstalled; ${names || 'its names'} unregistered`,
      },
      { step: 'the VPN configuration goes with it', outcome: 'VPN off' },
      {
        step: 'the running app',
        outcome: `its connections to ${names || 'the extension'} stay invalid; only a new connection, made once the extension is activated and allowed again, reaches it (XPC-MODEL §10.1)`,
      },
    ];
  }

  private deactivateActivate(label: string): Step[] {
    this.launchd.emit({ kind: 'action', action: 'sysext-deactivate', target: label });
    const was = this.sysext.active(label);
    this.sysext.deactivate(label);
    this.launchd.emit({ kind: 'action', action: 'sysext-activate', target: label });
    const result = this.sysext.activate(label);
    return [
      {
        step: `deactivationRequest for ${label}`,
        outcome: `${was ? versionText(was.job) : 'the copy'} [terminated waiting to uninstall on reboot]; ${this.namesOf(label) || 'its names'} unregistered; the VPN configuration deleted, VPN off`,
      },
      { step: `activationRequest for ${label}`, outcome: activationText(result.outcome, this.sysext) },
    ];
  }

  /** Deleting the app uninstalls its system extensions (XPC-MODEL §10.1); installing and launching it again asks for them afresh. */
  private deleteApp(app: JobSpec): Step[] {
    this.launchd.emit({ kind: 'action', action: 'delete-app', target: app.label });
    const labels = this.extensionsOf(app);
    this.upgrades.quit(app.label);
    for (const label of labels) this.sysext.deleteExtension(label);
    const steps: Step[] = [
      {
        step: `move ${app.label} to the Trash`,
        outcome: `the app quit; ${labels.join(', ')} uninstalled with it; the VPN configuration deleted, VPN off`,
      },
    ];
    return [
      ...steps,
      ...this.restartApp(app).map((s, i) =>
        i === 0 ? { ...s, step: `install ${app.label} again and launch it` } : s,
      ),
    ];
  }

  private allow(app: JobSpec): Step[] {
    const waiting = this.sysext.waitingForUser().filter((i) => i.job.bundledIn === app.label);
    if (waiting.length === 0) throw new Error(`no extension of ${app.label} is waiting for the user`);
    return waiting.map((i) => {
      this.launchd.emit({ kind: 'action', action: 'sysext-allow', target: i.job.label });
      this.sysext.allow(i.job.label);
      return {
        step: `Allow ${i.job.sysext?.name ?? i.job.label} in System Settings › Privacy & Security`,
        outcome: `${versionText(i.job)} [activated enabled]; ${this.namesOf(i.job.label) || 'its names'} bound to it`,
      };
    });
  }

  private reboot(): Step[] {
    this.upgrades.reboot();
    const stale = this.sysext.staleBindings().map((e) => e.name);
    return [
      {
        step: 'restart the Mac',
        outcome: stale.length
          ? `${stale.join(', ')} still bound to the uninstalled instance`
          : 'copies waiting to uninstall removed; every name answers for a live instance',
      },
    ];
  }

  private namesOf(label: string): string {
    const job = this.sysext.stagedCopy(label);
    return (job?.machServices ?? []).map((s) => s.name).join(', ');
  }

  private runningText(app: JobSpec): string {
    const proc = this.launchd.processes().find((p) => p.job.label === app.label && p.state !== 'exited');
    return proc ? `running as pid ${proc.displayPid}` : 'not running';
  }

  /** What still stands between the app and its extension, from the state the remedy left. */
  private needs(app: JobSpec): string[] {
    const needs: string[] = [];
    const running = this.launchd.processes().some((p) => p.job.label === app.label && p.state !== 'exited');
    for (const staged of this.sysext.stagedIn(app.label)) {
      const active = this.sysext.active(staged.label);
      const name = staged.sysext?.name ?? staged.label;
      if (!active)
        needs.push(
          `${staged.label} is not installed: the app has to submit an activation request (its launch does: restart the app)`,
        );
      else if (active.state === 'activated waiting for user')
        needs.push(`the user has to allow ${name} in System Settings (Allow)`);
    }
    for (const entry of this.sysext.staleBindings())
      if (this.appNames(app.label).includes(entry.name))
        needs.push(
          `${entry.name} is still bound to the replaced ${versionText(entry.job)}: deactivate and activate, delete the extension or the app, or ship a versioned NEMachServiceName (XPC-MODEL §5.4, §10.1)`,
        );
    if (!running) needs.push(`launch ${app.label}`);
    if (needs.length > 0 && !this.reconnects(app)) needs.push(NEW_CONNECTION);
    return needs;
  }

  /** Whether the app makes a new connection by itself after INVALID (its behaviours' reconnect policy). */
  private reconnects(app: JobSpec): boolean {
    return app.behaviours.some(
      (b) =>
        (b.kind === 'poll' && (b.reconnectAfterMs > 0 || b.reconnect?.onInvalid === 'reconnect')) ||
        (b.kind === 'subscribe' && b.reconnect?.onInvalid === 'reconnect'),
    );
  }
}

const NEW_CONNECTION =
  'the app has to create a new connection: one invalidated before stays invalid for good (XPC-MODEL §1.2, §10.1)';
/** Needs only the user can meet; an outcome is given at once when one stands. */
const BLOCKING = /not installed|allow .* \(Allow\)|still bound|^launch /;

function activationText(outcome: string, sysext: SystemExtensions): string {
  const waiting = sysext.waitingForUser().length > 0;
  switch (outcome) {
    case 'installed':
      return waiting
        ? '[activated waiting for user]: nothing answers the name until the user allows it'
        : 'installed';
    case 'kept':
      return 'kept: the installed copy has the same versions';
    case 'replaced':
      return 'replaced the installed copy';
    case 'cancelled':
      return 'the delegate cancelled the replacement';
    default:
      return outcome;
  }
}
