import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { mergeSandbox, sandboxFromEntitlements } from './entitlements';
import { type BundleSettings, type Manifest, ManifestSchema } from './manifest';
import {
  type Behaviour,
  type JobSpec,
  type JobType,
  type KeepAliveSpec,
  type MachServiceSpec,
  SESSION_TYPES,
  type SessionType,
  type World,
} from './model';
import { type Diagnostic, type PlistDict, readPlist, substitute } from './plist-file';
import { ProfileError, readProvisioningProfile, unsatisfied } from './provisioning-profile';
import { sysextInfo } from './sysext-info';
import { validateWorld } from './validate';
import { derivedSettings } from './xcode-settings';

export type { Diagnostic } from './plist-file';

export interface LoadResult {
  world: World;
  diagnostics: Diagnostic[];
}

export class WorldLoadError extends Error {}

function list(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

/** XPC-MODEL §10.7: the host that maps a UI mechanism's plug-in (forum 776111). */
const SECURITY_AGENT_HELPER =
  '/System/Library/Frameworks/Security.framework/Versions/A/MachServices/SecurityAgent.bundle/Contents/XPCServices/SecurityAgentHelper-arm64.xpc/Contents/MacOS/SecurityAgentHelper-arm64';
/** [I] The host's signing identifier; §10.7 says only that it is `com.apple.…`. */
const SECURITY_AGENT_HELPER_ID = 'com.apple.SecurityAgentHelper';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

class Loader {
  readonly diagnostics: Diagnostic[] = [];
  readonly jobs: JobSpec[] = [];
  manifest: Manifest = ManifestSchema.parse({});
  /** Where world.plist was read from: script paths are relative to it. */
  manifestRoot: string;
  hasManifest = false;

  constructor(readonly root: string) {
    this.manifestRoot = root;
  }

  rel(path: string): string {
    return relative(this.root, path) || basename(path);
  }

  read(path: string, settings: Record<string, string> = this.manifest.buildSettings): PlistDict | undefined {
    const rel = this.rel(path);
    const raw = readPlist(path, this.diagnostics, rel);
    if (!raw) return undefined;
    return this.fill(raw, rel, settings);
  }

  /** A bundle's Info.plist, with its own, the world's and Xcode's derived build settings (main/world/xcode-settings.ts). */
  readBundle(bundlePath: string): PlistDict | undefined {
    const infoPath = join(bundlePath, 'Contents', 'Info.plist');
    const rel = this.rel(infoPath);
    const raw = readPlist(infoPath, this.diagnostics, rel);
    if (!raw) return undefined;
    const literal = str(raw.CFBundleIdentifier);
    const byId = literal && !literal.includes('$') ? literal : undefined;
    const entry = Object.entries(this.manifest.bundles).find(
      ([id, b]) => b.path === this.rel(bundlePath) || id === byId,
    );
    const settings = {
      ...derivedSettings(bundlePath, entry?.[0]),
      ...this.manifest.buildSettings,
      ...entry?.[1].buildSettings,
    };
    return this.fill(raw, rel, settings);
  }

  fill(raw: PlistDict, rel: string, settings: Record<string, string>): PlistDict {
    return substitute(raw, settings, (name, key) =>
      this.diagnostics.push({
        severity: 'error',
        file: rel,
        key,
        message: `$(${name}) is not resolved: add ${name} to buildSettings in world.plist`,
        consequence: 'Xcode fills this in at build time; without it the value would be wrong on a Mac',
      }),
    ) as PlistDict;
  }

  loadManifest(fallbackRoot?: string): void {
    const own = join(this.root, 'world.plist');
    const path = existsSync(own) || !fallbackRoot ? own : join(fallbackRoot, 'world.plist');
    if (!existsSync(path)) return;
    this.hasManifest = true;
    this.manifestRoot = dirname(path);
    const raw = readPlist(path, this.diagnostics, 'world.plist');
    if (!raw) return;
    const parsed = ManifestSchema.safeParse(raw);
    if (parsed.success) {
      this.manifest = parsed.data;
      return;
    }
    for (const issue of parsed.error.issues) {
      this.diagnostics.push({
        severity: 'error',
        file: 'world.plist',
        key: issue.path.join('.'),
        message: issue.message,
      });
    }
  }

  settings(id: string): BundleSettings {
    return this.manifest.bundles[id] ?? {};
  }

  job(
    partial: Omit<
      JobSpec,
      | 'signing'
      | 'entitlements'
      | 'sandbox'
      | 'behaviours'
      | 'runAtLoad'
      | 'keepAlive'
      | 'throttleIntervalS'
      | 'exitTimeOutS'
    > &
      Partial<JobSpec>,
    id: string,
    /** The bundle folder or plist file whose `<name>.entitlements` sits beside it. */
    beside?: string,
  ): JobSpec {
    const s = this.settings(id);
    const entitlements = this.entitlements(id, beside);
    const job: JobSpec = {
      runAtLoad: false,
      keepAlive: { always: false },
      throttleIntervalS: 10,
      exitTimeOutS: 20,
      ...partial,
      signing: this.signing(id),
      entitlements,
      sandbox: mergeSandbox(sandboxFromEntitlements(entitlements), s.sandbox),
      behaviours: (s.behaviours ?? this.defaultBehaviours(partial)).map((b) => this.resolveScript(b, id)),
    };
    this.jobs.push(job);
    return job;
  }

  /** [I] A folder with no world.plist runs: every job with Mach services answers on them. */
  defaultBehaviours(job: Pick<JobSpec, 'machServices'>): Behaviour[] {
    return this.hasManifest || job.machServices.length === 0 ? [] : [{ kind: 'reply', delayMs: 0 }];
  }

  /** [I] Without a signing entry, a bundle is signed by the team of the world's TeamIdentifierPrefix, if it has one. */
  signing(id: string): JobSpec['signing'] {
    const prefix = this.manifest.buildSettings.TeamIdentifierPrefix?.replace(/\.$/, '');
    const signing = this.settings(id).signing;
    return { anchor: 'developer-id', notarized: false, ...(prefix ? { teamId: prefix } : {}), ...signing };
  }

  /** A `<name>.entitlements` plist beside the bundle or plist, under world.plist's entitlements. */
  entitlements(id: string, beside: string | undefined): Record<string, unknown> {
    const file = beside
      ? `${beside.replace(/\.(app|xpc|systemextension|plist)$/, '')}.entitlements`
      : undefined;
    const fromFile = file && existsSync(file) ? (this.read(file) ?? {}) : {};
    return { ...fromFile, ...this.settings(id).entitlements };
  }

  /** A script behaviour's path is relative to the world; the helper needs it absolute. */
  resolveScript(behaviour: Behaviour, id: string): Behaviour {
    if (behaviour.kind !== 'script') return behaviour;
    const path = resolve(this.manifestRoot, behaviour.path);
    if (!existsSync(path)) {
      this.diagnostics.push({
        severity: 'error',
        file: 'world.plist',
        key: `bundles.${id}.behaviours`,
        message: `the script ${behaviour.path} does not exist`,
        consequence: 'the helper would exit at launch, as a program that cannot load its code does',
      });
    }
    return { ...behaviour, path };
  }

  loadApp(appPath: string): void {
    const info = this.readBundle(appPath);
    if (!info) return;
    const id = str(info.CFBundleIdentifier);
    if (!id) {
      this.diagnostics.push({
        severity: 'error',
        file: this.rel(join(appPath, 'Contents', 'Info.plist')),
        key: 'CFBundleIdentifier',
        message: 'missing: every bundle needs an identifier',
      });
      return;
    }
    const exe = str(info.CFBundleExecutable) ?? basename(appPath, '.app');
    const program = `/${this.rel(join(appPath, 'Contents', 'MacOS', exe))}`;
    this.job(
      {
        label: id,
        type: 'App',
        domainKind: 'gui',
        program,
        path: this.rel(appPath),
        machServices: [],
        ...versions(info),
        bundleId: id,
      },
      id,
      appPath,
    );
    for (const xpc of list(join(appPath, 'Contents', 'XPCServices'), '.xpc')) this.loadXpcService(xpc, id);
    for (const ext of list(join(appPath, 'Contents', 'Library', 'SystemExtensions'), '.systemextension'))
      this.loadSystemExtension(ext, id);
    for (const plist of list(join(appPath, 'Contents', 'Library', 'LaunchDaemons'), '.plist'))
      this.loadJob(plist, 'SMAppServiceDaemon', appPath, id);
    for (const plist of list(join(appPath, 'Contents', 'Library', 'LaunchAgents'), '.plist'))
      this.loadJob(plist, 'SMAppServiceAgent', appPath, id);
  }

  /**
   * An authorization plug-in, `Library/Security/SecurityAgentPlugins/X.bundle` (XPC-MODEL §10.7): the
   * authorization engine loads it into SecurityAgentHelper, an Apple platform binary, so the process that talks
   * to the plug-in's daemon is the host, and the daemon sees the host's signature.
   */
  loadAuthorizationPlugin(path: string): void {
    const info = this.readBundle(path);
    const id = str(info?.CFBundleIdentifier);
    if (!info || !id) return;
    const team = this.signing(id).teamId;
    this.job(
      {
        label: id,
        type: 'App',
        domainKind: 'gui',
        program: SECURITY_AGENT_HELPER,
        path: this.rel(path),
        machServices: [],
        bundleId: id,
        host: { program: SECURITY_AGENT_HELPER, identifier: SECURITY_AGENT_HELPER_ID },
        ...versions(info),
      },
      id,
      path,
    );
    this.diagnostics.push({
      severity: 'info',
      file: this.rel(path),
      message: `${id}${team ? ` (team ${team})` : ''} runs inside SecurityAgentHelper, an Apple platform binary: a daemon checking its peer sees ${SECURITY_AGENT_HELPER_ID} (anchor apple, no team), never ${id}`,
      consequence: `a peer requirement naming ${id}${team ? ` or team ${team}` : ''} fails with -67050; one for Apple's host (anchor apple and a com.apple. identifier) passes`,
    });
  }

  loadXpcService(path: string, ownerLabel: string): void {
    const infoPath = join(path, 'Contents', 'Info.plist');
    const info = this.readBundle(path);
    const id = str(info?.CFBundleIdentifier);
    if (!info || !id) return;
    const exe = str(info.CFBundleExecutable) ?? basename(path, '.xpc');
    this.job(
      {
        label: id,
        type: 'XPCService',
        domainKind: 'pid',
        ownerLabel,
        program: `/${this.rel(join(path, 'Contents', 'MacOS', exe))}`,
        path: this.rel(infoPath),
        machServices: [{ name: id, hideUntilCheckIn: false, origin: 'XPCService' }],
        bundleId: id,
        bundledIn: ownerLabel,
        ...versions(info),
      },
      id,
      path,
    );
  }

  loadSystemExtension(path: string, appLabel: string): void {
    const infoPath = join(path, 'Contents', 'Info.plist');
    const info = this.readBundle(path);
    const id = str(info?.CFBundleIdentifier);
    if (!info || !id) return;
    const { spec, machServices: services } = sysextInfo(
      info,
      this.entitlements(id, path),
      id,
      this.signing(id).teamId,
    );
    const exe = str(info.CFBundleExecutable) ?? id;
    this.job(
      {
        label: id,
        type: 'SystemExtension',
        domainKind: 'system',
        program: `/${this.rel(join(path, 'Contents', 'MacOS', exe))}`,
        path: this.rel(infoPath),
        machServices: services,
        bundleId: id,
        runAtLoad: true,
        bundledIn: appLabel,
        sysext: spec,
        ...versions(info),
      },
      id,
      path,
    );
  }

  /**
   * XPC-MODEL §10.7: a daemon inside a bundle (an SMAppService daemon, or a program under `X.app/Contents/MacOS`)
   * is checked by AMFI against the bundle's `Contents/embedded.provisionprofile`.
   */
  profileFor(program: string, appPath: string | undefined) {
    const inBundle = /^(.*?\.(?:app|bundle|systemextension))\/Contents\//.exec(program)?.[1];
    const bundle = appPath ?? (inBundle ? join(this.root, inBundle) : undefined);
    const file = bundle ? join(bundle, 'Contents', 'embedded.provisionprofile') : undefined;
    if (!file || !existsSync(file)) return undefined;
    try {
      return readProvisioningProfile(readFileSync(file));
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      this.diagnostics.push({
        severity: 'error',
        file: this.rel(file),
        message: `not a provisioning profile: ${error.message}`,
        consequence: 'AMFI finds no matching profile (-413)',
      });
      return undefined;
    }
  }

  /** XPC-MODEL §10.7: a daemon whose restricted entitlements no embedded profile grants is warned of in advance. */
  warnUnsatisfiedEntitlements(): void {
    for (const job of this.jobs) {
      if (job.type !== 'LaunchDaemon' && job.type !== 'SMAppServiceDaemon') continue;
      const { keys, why } = unsatisfied(
        job.provisioningProfile,
        job.entitlements,
        job.signing.teamId,
        Date.now(),
      );
      if (keys.length === 0) continue;
      this.diagnostics.push({
        severity: 'warning',
        file: job.path,
        key: keys[0],
        message: `${job.label} claims ${keys.join(', ')} but ${why}`,
        consequence:
          'AMFI logs "Unsatisfied entitlements" and -413 "No matching profile found", and the daemon\'s listener fails with [1: Operation not permitted]',
      });
    }
  }

  /** LimitLoadToSessionType: a string or an array of launchd's session types (XPC-MODEL §4.1). */
  sessionTypes(value: unknown, rel: string): SessionType[] | undefined {
    if (value === undefined) return undefined;
    const raw = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [value];
    const known = raw.filter((v): v is SessionType => SESSION_TYPES.includes(v as SessionType));
    for (const v of raw.filter((x) => !known.includes(x as SessionType))) {
      this.diagnostics.push({
        severity: 'warning',
        file: rel,
        key: 'LimitLoadToSessionType',
        message: `${JSON.stringify(v)} is not a session type; expected ${SESSION_TYPES.join(', ')}`,
        consequence: 'launchd ignores the entry',
      });
    }
    return known;
  }

  loadJob(path: string, type: JobType, appPath?: string, appLabel?: string): void {
    const plist = this.read(path);
    if (!plist) return;
    const rel = this.rel(path);
    const label = str(plist.Label);
    if (!label) {
      this.diagnostics.push({
        severity: 'error',
        file: rel,
        key: 'Label',
        message: 'missing: launchd requires a Label',
        consequence: 'launchctl bootstrap fails with 5: Input/output error',
      });
      return;
    }
    const args = Array.isArray(plist.ProgramArguments)
      ? plist.ProgramArguments.filter((a): a is string => typeof a === 'string')
      : [];
    const bundleProgram = str(plist.BundleProgram);
    const program =
      bundleProgram && appPath
        ? `/${this.rel(join(appPath, bundleProgram))}`
        : (str(plist.Program) ?? args[0]);
    if (!program) {
      this.diagnostics.push({
        severity: 'error',
        file: rel,
        key: 'Program',
        message: 'no Program, ProgramArguments or BundleProgram',
        consequence: 'launchd exits the job with 78: EX_CONFIG',
      });
      return;
    }
    const daemon = type === 'LaunchDaemon' || type === 'SMAppServiceDaemon';
    const profile = daemon ? this.profileFor(program, appPath) : undefined;
    const sessions = this.sessionTypes(plist.LimitLoadToSessionType, rel);
    // XPC-MODEL §3.1, §10.3: an agent limited to Background sessions loads into the per-user domain, not gui/<uid>.
    const background = !daemon && sessions && !sessions.includes('Aqua') && sessions.includes('Background');
    this.job(
      {
        label,
        type,
        domainKind: daemon ? 'system' : background ? 'user' : 'gui',
        ...(sessions ? { limitLoadToSessionType: sessions } : {}),
        ...(profile ? { provisioningProfile: profile } : {}),
        ...unixSockets(plist.Sockets, rel, this.diagnostics),
        program,
        path: rel,
        machServices: machServices(plist.MachServices),
        runAtLoad: plist.RunAtLoad === true,
        keepAlive: keepAlive(plist.KeepAlive, (key, message) =>
          this.diagnostics.push({ severity: 'warning', file: rel, key: `KeepAlive.${key}`, message }),
        ),
        throttleIntervalS: typeof plist.ThrottleInterval === 'number' ? plist.ThrottleInterval : 10,
        exitTimeOutS: typeof plist.ExitTimeOut === 'number' ? plist.ExitTimeOut : 20,
        ...(plist.EnablePressuredExit === true ? { enablePressuredExit: true } : {}),
        ...(typeof plist.Disabled === 'boolean' ? { disabled: plist.Disabled } : {}),
        ...(appLabel ? { bundledIn: appLabel } : {}),
        ...associated(plist.AssociatedBundleIdentifiers),
      },
      label,
      path,
    );
  }
}

/** macOS's sun_path: 104 bytes with the terminating NUL (sys/un.h; XPC-MODEL §10.7). */
const SUN_PATH_MAX = 104;

/**
 * launchd.plist Sockets: name → a socket dictionary or an array of them; those with SockPathName are Unix domain
 * sockets, SockPathMode their mode (decimal in the plist, default 0666 here [I]). A path over 104 bytes is warned
 * of in advance: bind() and connect() will fail with ENAMETOOLONG.
 */
function unixSockets(
  value: unknown,
  rel: string,
  diagnostics: Diagnostic[],
): { sockets?: { path: string; mode: number }[] } {
  if (typeof value !== 'object' || value === null) return {};
  const out: { path: string; mode: number }[] = [];
  for (const [name, entry] of Object.entries(value as PlistDict)) {
    for (const sock of Array.isArray(entry) ? entry : [entry]) {
      if (typeof sock !== 'object' || sock === null) continue;
      const d = sock as PlistDict;
      if (typeof d.SockPathName !== 'string') continue;
      const path = d.SockPathName;
      const bytes = Buffer.byteLength(path, 'utf8') + 1;
      if (bytes > SUN_PATH_MAX) {
        diagnostics.push({
          severity: 'warning',
          file: rel,
          key: `Sockets.${name}.SockPathName`,
          message: `${path} is ${bytes} bytes with its terminating NUL; macOS's sun_path holds ${SUN_PATH_MAX}`,
          consequence: 'bind() and connect() fail with ENAMETOOLONG (63, "File name too long")',
        });
      }
      out.push({ path, mode: typeof d.SockPathMode === 'number' ? d.SockPathMode : 0o666 });
    }
  }
  return out.length ? { sockets: out } : {};
}

/** AssociatedBundleIdentifiers: a string or an array of app bundle IDs (XPC-MODEL §4.1). */
function associated(value: unknown): { associatedBundleIds?: string[] } {
  const ids =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : [];
  return ids.length > 0 ? { associatedBundleIds: ids } : {};
}

function versions(info: PlistDict): { bundleVersion?: string; shortVersion?: string } {
  const out: { bundleVersion?: string; shortVersion?: string } = {};
  const v = info.CFBundleVersion;
  const s = info.CFBundleShortVersionString;
  if (typeof v === 'string' || typeof v === 'number') out.bundleVersion = String(v);
  if (typeof s === 'string' || typeof s === 'number') out.shortVersion = String(s);
  return out;
}

/** MachServices: name → true | { ResetAtClose, HideUntilCheckIn } (XPC-MODEL §4.1). */
function machServices(value: unknown): MachServiceSpec[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as PlistDict).map(([name, v]) => ({
    name,
    hideUntilCheckIn: typeof v === 'object' && v !== null && (v as PlistDict).HideUntilCheckIn === true,
    origin: 'MachServices' as const,
  }));
}

/** A dictionary of booleans (PathState, OtherJobEnabled); entries that are not booleans are reported. */
function booleans(value: unknown, key: string, warn: (key: string, message: string) => void) {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    warn(key, `must be a dictionary of booleans; launchd ignores it`);
    return undefined;
  }
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(value as PlistDict)) {
    if (typeof v === 'boolean') out[k] = v;
    else warn(`${key}.${k}`, 'must be <true/> or <false/>; launchd ignores it');
  }
  return out;
}

/** KeepAlive: true, or a dictionary of conditions (XPC-MODEL §4.1, §10.3). */
function keepAlive(value: unknown, warn: (key: string, message: string) => void = () => {}): KeepAliveSpec {
  if (value === true) return { always: true };
  if (typeof value !== 'object' || value === null) return { always: false };
  const d = value as PlistDict;
  const pathState = booleans(d.PathState, 'PathState', warn);
  const otherJobEnabled = booleans(d.OtherJobEnabled, 'OtherJobEnabled', warn);
  // [I] AfterInitialDemand is seen as a boolean and as a dictionary of labels; either form holds the job until it
  // has been launched on demand once.
  const afterInitialDemand =
    d.AfterInitialDemand === true ||
    (typeof d.AfterInitialDemand === 'object' &&
      d.AfterInitialDemand !== null &&
      !Array.isArray(d.AfterInitialDemand));
  return {
    always: false,
    ...(typeof d.SuccessfulExit === 'boolean' ? { successfulExit: d.SuccessfulExit } : {}),
    ...(typeof d.Crashed === 'boolean' ? { crashed: d.Crashed } : {}),
    ...(pathState ? { pathState } : {}),
    ...(otherJobEnabled ? { otherJobEnabled } : {}),
    ...(typeof d.NetworkState === 'boolean' ? { networkState: d.NetworkState } : {}),
    ...(afterInitialDemand ? { afterInitialDemand: true } : {}),
  };
}

/**
 * [I] A program inside an app bundle carries the app's version: a launchd job
 * without versions of its own (an SMAppService plist, a /Library job running a
 * binary inside the app) reports the app's CFBundleVersion.
 */
function inheritVersions(jobs: JobSpec[]): void {
  for (const app of jobs.filter((j) => j.type === 'App')) {
    const inside = `/${app.path}/`;
    for (const job of jobs) {
      if (job.bundleVersion !== undefined || (job.bundledIn !== app.label && !job.program.startsWith(inside)))
        continue;
      if (app.bundleVersion !== undefined) job.bundleVersion = app.bundleVersion;
      if (app.shortVersion !== undefined) job.shortVersion = app.shortVersion;
    }
  }
}

export interface LoadOptions {
  /** Read world.plist from this folder when the world has none: version N+1 of a world's bundles (XPC-MODEL §5). */
  manifestFrom?: string;
  /** Run the rules of main/world/validate.ts too (default true). */
  validate?: boolean;
}

/** Reads a world folder laid out like a Mac's disk. Only a missing folder throws; everything else is a diagnostic. */
export function loadWorld(root: string, options: LoadOptions = {}): LoadResult {
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new WorldLoadError(`${root}: not a world folder (it does not exist or is not a directory)`);
  const loader = new Loader(root);
  loader.loadManifest(options.manifestFrom);
  // [I] /Library jobs load first: launchd bootstraps them at boot, before any app registers an SMAppService job (XPC-MODEL §4.6).
  for (const plist of list(join(root, 'Library', 'LaunchDaemons'), '.plist'))
    loader.loadJob(plist, 'LaunchDaemon');
  for (const plist of list(join(root, 'Library', 'LaunchAgents'), '.plist'))
    loader.loadJob(plist, 'LaunchAgent');
  for (const app of list(join(root, 'Applications'), '.app')) loader.loadApp(app);
  for (const plugin of list(join(root, 'Library', 'Security', 'SecurityAgentPlugins'), '.bundle'))
    loader.loadAuthorizationPlugin(plugin);
  inheritVersions(loader.jobs);
  loader.warnUnsatisfiedEntitlements();
  if (loader.jobs.length === 0) {
    loader.diagnostics.push({
      severity: 'warning',
      message:
        'no bundles or launchd jobs found: expected Applications/*.app, Library/LaunchDaemons or Library/LaunchAgents',
    });
  }
  const world: World = {
    name: loader.manifest.name ?? basename(root),
    root,
    uid: loader.manifest.uid,
    jobs: loader.jobs,
    ...(loader.manifest.state ? { state: loader.manifest.state } : {}),
  };
  const rules = options.validate === false ? [] : validateWorld(world);
  return { world, diagnostics: [...loader.diagnostics, ...rules] };
}
