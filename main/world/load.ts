import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { identityOfProgram } from '../signing/world-identity';
import { cmakePlaceholders, isUnresolved, rederive, settingsFor } from './build-settings';
import {
  processIdentity,
  type SignatureIdentity,
  type SignatureReader,
  teamFromEntitlements,
  teamFromSettings,
} from './identity';
import { type BundleSettings, type Manifest, ManifestSchema } from './manifest';
import {
  type Behaviour,
  type JobSpec,
  type JobType,
  SESSION_TYPES,
  type SessionType,
  type World,
} from './model';
import { type Diagnostic, type PlistDict, readPlist, substitute } from './plist-file';
import { associated, keepAlive, machServices, str, unixSockets, versions } from './plist-job';
import { ProfileError, readProvisioningProfile, unsatisfied } from './provisioning-profile';
import { sysextInfo } from './sysext-info';
import { validateWorld } from './validate';
import { appsOf, entitlementFiles, frameworkXpcServices, list } from './world-files';
import { diskFs, type WorldFs } from './world-fs';
import { worldXcconfig } from './xcconfig';
import { derivedSettings, rfc1034Identifier } from './xcode-settings';

export type { Diagnostic } from './plist-file';

export interface LoadResult {
  world: World;
  diagnostics: Diagnostic[];
}

export class WorldLoadError extends Error {}

/** XPC-MODEL §10.7: the host that maps a UI mechanism's plug-in (forum 776111). */
const SECURITY_AGENT_HELPER =
  '/System/Library/Frameworks/Security.framework/Versions/A/MachServices/SecurityAgent.bundle/Contents/XPCServices/SecurityAgentHelper-arm64.xpc/Contents/MacOS/SecurityAgentHelper-arm64';
/** [I] The host's signing identifier; §10.7 says only that it is `com.apple.…`. */
const SECURITY_AGENT_HELPER_ID = 'com.apple.SecurityAgentHelper';

/** Keys whose value XPC Lab uses: unresolved, the simulation would be wrong. */
const USED_KEYS =
  /^(CFBundleIdentifier|NetworkExtension\.NEMachServiceName|NSEndpointSecurityMachServiceName|Label|Program|ProgramArguments(\[\d+\])?|BundleProgram|MachServices.*|bundles\..*)$/;
const VERSION_KEYS = /^(CFBundleVersion|CFBundleShortVersionString)$/;

interface BundleRead {
  raw: PlistDict;
  /** The Info.plist could be read. */
  readable: boolean;
}

class Loader {
  readonly diagnostics: Diagnostic[] = [];
  readonly jobs: JobSpec[] = [];
  manifest: Manifest = ManifestSchema.parse({});
  /** Where world.plist was read from: script paths are relative to it. */
  manifestRoot: string;
  /** The one team the project's files agree on, if any. */
  projectTeam: string | undefined;
  /** Unresolved `$(VAR)`s, once per file and key. */
  private readonly unresolved = new Map<string, { file: string; key: string; names: Set<string> }>();

  constructor(
    /** Paths are shown relative to this folder. */
    readonly root: string,
    /** Reads the code signature of an executable in the world, when there is a reader. */
    private readonly signatureOf?: SignatureReader,
    /** Where the world's files are read from. */
    readonly fs: WorldFs = diskFs,
  ) {
    this.manifestRoot = root;
  }

  /** The signature of a job's program, when the program is a file in this world and a reader is given. */
  signature(program: string): SignatureIdentity | undefined {
    if (!this.signatureOf || !program) return undefined;
    const executable = join(this.root, program);
    return this.fs.kind(executable) === 'file' ? this.signatureOf(executable) : undefined;
  }

  exists(path: string): boolean {
    return this.fs.kind(path) !== undefined;
  }

  list(dir: string, suffix: string): string[] {
    return list(dir, suffix, this.fs);
  }

  readPlist(path: string, diagnostics: Diagnostic[], relative: string): PlistDict | undefined {
    return readPlist(path, diagnostics, relative, this.fs);
  }

  rel(path: string): string {
    return relative(this.root, path).split(sep).join('/') || basename(path);
  }

  /** Records an unresolved variable; reported once per file and key by `reportUnresolved`. */
  note(file: string, key: string, name: string): void {
    const id = `${file}\u0000${key}`;
    const entry = this.unresolved.get(id) ?? { file, key, names: new Set<string>() };
    entry.names.add(name);
    this.unresolved.set(id, entry);
  }

  fill<T>(value: T, file: string, settings: Record<string, string>): T {
    return substitute(value, settings, (name, key) => this.note(file, key, name)) as T;
  }

  /** The job's templated values from its final versions; what stays unresolved is noted once per file and key. */
  derive(job: JobSpec): JobSpec {
    const plistFile = job.type === 'App' ? `${job.path}/Contents/Info.plist` : job.path;
    return rederive(job, (where, name, key) =>
      where === 'plist'
        ? this.note(plistFile, key, name)
        : this.note(
            'world.plist',
            `bundles.${job.label}.behaviours${key.startsWith('[') ? '' : '.'}${key}`,
            name,
          ),
    );
  }

  reportUnresolved(): void {
    for (const { file, key, names } of this.unresolved.values()) {
      const vars = [...names].map((n) => `$(${n})`).join(', ');
      const used = USED_KEYS.test(key);
      const version = VERSION_KEYS.test(key);
      this.diagnostics.push({
        severity: used ? 'warning' : 'info',
        file,
        key,
        message: `${vars} ${names.size > 1 ? 'are' : 'is'} not resolved: add ${[...names].join(', ')} to buildSettings in world.plist`,
        consequence: used
          ? 'Xcode fills this in at build time; XPC Lab keeps the text as written, so this name will not match what a Mac uses'
          : version
            ? 'the version is unknown: an upgrade cannot compare it (XPC-MODEL §5.1)'
            : 'Xcode fills this in at build time; XPC Lab does not use this key',
      });
    }
  }

  /** CMake's configure_file placeholders (`@lokinet_VERSION@`): filled before Xcode or launchd ever see the file. */
  notePlaceholders(raw: PlistDict, file: string): void {
    for (const [key, value] of Object.entries(cmakePlaceholders(raw))) {
      this.diagnostics.push({
        severity: 'info',
        file,
        key,
        message: `${value.join(', ')} ${value.length > 1 ? 'are' : 'is a'} CMake configure_file placeholder${value.length > 1 ? 's' : ''}: this is a template CMake fills in; XPC Lab leaves the text as written`,
        ...(VERSION_KEYS.test(key)
          ? { consequence: 'the version is unknown: an upgrade cannot compare it (XPC-MODEL §5.1)' }
          : {}),
      });
    }
  }

  loadManifest(fallbackRoot?: string): void {
    const own = join(this.manifestRoot, 'world.plist');
    const path = this.exists(own) || !fallbackRoot ? own : join(fallbackRoot, 'world.plist');
    if (!this.exists(path)) return;
    this.manifestRoot = dirname(path);
    const raw = this.readPlist(path, this.diagnostics, 'world.plist');
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

  /** `*.xcconfig` files in the world give build settings under world.plist's (main/world/xcconfig.ts). */
  readXcconfigs(dir: string): void {
    const fromFiles = worldXcconfig(dir, this.diagnostics, this.fs);
    this.manifest = { ...this.manifest, buildSettings: { ...fromFiles, ...this.manifest.buildSettings } };
  }

  /** The team the project names, when its entitlements files and build settings agree on one. */
  findProjectTeam(top: string): void {
    const teams = new Set<string>();
    const fromSettings = teamFromSettings(this.manifest.buildSettings);
    if (fromSettings) teams.add(fromSettings);
    for (const entry of Object.values(this.manifest.bundles)) {
      const team =
        entry.signing?.teamId ??
        teamFromSettings(entry.buildSettings ?? {}) ??
        teamFromEntitlements(entry.entitlements ?? {});
      if (team) teams.add(team);
    }
    for (const file of entitlementFiles(top, this.fs)) {
      const raw = this.readPlist(file, [], this.rel(file));
      const team = raw && teamFromEntitlements(raw);
      if (team) teams.add(team);
    }
    if (teams.size === 1) this.projectTeam = [...teams][0];
  }

  settings(id: string): BundleSettings {
    return this.manifest.bundles[id] ?? {};
  }

  /** A `<name>.entitlements` plist beside the bundle or plist, as written. */
  entitlementsFile(beside: string | undefined): { raw: PlistDict; file?: string } {
    if (!beside) return { raw: {} };
    const file = `${beside.replace(/\.(app|xpc|systemextension|plist)$/, '')}.entitlements`;
    if (!this.exists(file)) return { raw: {} };
    return { raw: this.readPlist(file, this.diagnostics, this.rel(file)) ?? {}, file };
  }

  /**
   * A script behaviour's path is relative to the world; the helper needs it
   * absolute. A script must lie inside the world folder (links followed): one
   * outside it is left out, with a diagnostic, and never runs.
   */
  resolveScript(behaviour: Behaviour, id: string): Behaviour[] {
    if (behaviour.kind !== 'script') return [behaviour];
    const path = resolve(this.manifestRoot, behaviour.path);
    const where = { severity: 'error' as const, file: 'world.plist', key: `bundles.${id}.behaviours` };
    if (!this.exists(path)) {
      this.diagnostics.push({
        ...where,
        message: `the script ${behaviour.path} does not exist`,
        consequence: 'the helper would exit at launch, as a program that cannot load its code does',
      });
      return [{ ...behaviour, path }];
    }
    const rel = relative(this.fs.realpath(this.manifestRoot), this.fs.realpath(path));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      this.diagnostics.push({
        ...where,
        message: `the script ${behaviour.path} lies outside the world folder; a world runs only scripts inside it`,
        consequence: 'the script is left out: the helper runs without it',
      });
      return [];
    }
    return [{ ...behaviour, path }];
  }

  /**
   * Makes a job from its plist: identity first (main/world/identity.ts), then
   * every `$(VAR)` filled from its versions, team and world.plist
   * (main/world/build-settings.ts), keeping the templates for upgrades.
   */
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
      | 'machServices'
    > &
      Partial<JobSpec>,
    raw: PlistDict,
    base: Record<string, string>,
    beside: string | undefined,
  ): JobSpec {
    const id = partial.label;
    const s = this.settings(id);
    const ent = this.entitlementsFile(beside);
    // XPC-MODEL §10.5: a signed executable's identity sits under world.plist's overrides.
    const signed = this.fs.signatures ? identityOfProgram(this.root, partial.program, s) : {};
    if (signed.diagnostic) this.diagnostics.push(signed.diagnostic);
    const signature: SignatureIdentity | undefined =
      this.signature(partial.program) ??
      (signed.signing
        ? {
            ...(signed.signing.teamId ? { teamId: signed.signing.teamId } : {}),
            anchor: signed.signing.anchor,
            ...(signed.entitlements ? { entitlements: signed.entitlements } : {}),
          }
        : undefined);
    const first = processIdentity({
      id,
      manifest: s,
      ...(signature ? { signature } : {}),
      entitlementsFile: ent.raw,
      buildSettings: base,
      ...(this.projectTeam ? { projectTeam: this.projectTeam } : {}),
    });
    const team = first.signing.teamId;
    const settings = settingsFor(base, team, partial);
    const entitlementsFile = ent.file ? this.fill(ent.raw, this.rel(ent.file), settings) : {};
    const identity = processIdentity({
      id,
      manifest: s,
      ...(signature ? { signature } : {}),
      entitlementsFile,
      buildSettings: base,
      ...(this.projectTeam ? { projectTeam: this.projectTeam } : {}),
    });
    this.notePlaceholders(raw, partial.type === 'App' ? `${partial.path}/Contents/Info.plist` : partial.path);
    const filled = substitute(raw, settings, () => {}) as PlistDict;
    const job: JobSpec = {
      runAtLoad: false,
      keepAlive: { always: false },
      throttleIntervalS: 10,
      exitTimeOutS: 20,
      machServices: [],
      ...partial,
      // The team is found before the entitlements are filled, so a team they only repeat from the build settings is credited to those.
      signing: { ...identity.signing, ...(team ? { teamId: team } : {}) },
      ...(first.teamSource ? { teamSource: first.teamSource } : {}),
      ...(signed.signature ? { signature: signed.signature } : {}),
      entitlements: identity.entitlements,
      sandbox: identity.sandbox,
      behaviours: [],
    };
    Object.assign(job, this.fromPlist(job, filled));
    const rawBehaviours = (s.behaviours ?? this.defaultBehaviours(job)).flatMap((b) =>
      this.resolveScript(b, id),
    );
    job.behaviours = substitute(rawBehaviours, settings, () => {}) as Behaviour[];
    job.build = { raw, base, behaviours: rawBehaviours };
    this.jobs.push(job);
    return job;
  }

  /** What a job takes from its filled plist beyond its identity. */
  fromPlist(job: JobSpec, filled: PlistDict): Partial<JobSpec> {
    switch (job.type) {
      case 'App':
        return {};
      case 'XPCService':
        return { machServices: [{ name: job.label, hideUntilCheckIn: false, origin: 'XPCService' }] };
      case 'SystemExtension': {
        const { spec, machServices: services } = sysextInfo(
          filled,
          job.entitlements,
          job.label,
          job.signing.teamId,
        );
        return { machServices: services, sysext: spec };
      }
      default:
        return {
          machServices: machServices(filled.MachServices),
          runAtLoad: filled.RunAtLoad === true,
          keepAlive: keepAlive(filled.KeepAlive, (key, message) =>
            this.diagnostics.push({ severity: 'warning', file: job.path, key: `KeepAlive.${key}`, message }),
          ),
          throttleIntervalS: typeof filled.ThrottleInterval === 'number' ? filled.ThrottleInterval : 10,
          exitTimeOutS: typeof filled.ExitTimeOut === 'number' ? filled.ExitTimeOut : 20,
          ...(filled.EnablePressuredExit === true ? { enablePressuredExit: true } : {}),
          ...(typeof filled.Disabled === 'boolean' ? { disabled: filled.Disabled } : {}),
          ...associated(filled.AssociatedBundleIdentifiers),
        };
    }
  }

  /**
   * [I] A job that world.plist gives no behaviours answers on its Mach services,
   * so a folder of bare plists (or a world.plist that only sets build settings) runs as it is.
   */
  defaultBehaviours(job: Pick<JobSpec, 'machServices'>): Behaviour[] {
    return job.machServices.length === 0 ? [] : [{ kind: 'reply', delayMs: 0 }];
  }

  /** A bundle's Info.plist as written; a bundle whose Info.plist cannot be read is still loaded, with what its folder says. */
  readInfo(bundlePath: string): BundleRead {
    const infoPath = join(bundlePath, 'Contents', 'Info.plist');
    const rel = this.rel(infoPath);
    if (!this.exists(infoPath)) {
      this.diagnostics.push({
        severity: 'error',
        file: this.rel(bundlePath),
        key: 'Contents/Info.plist',
        message: 'missing: a bundle needs an Info.plist; XPC Lab names it after its folder',
        consequence: 'macOS does not recognise a folder without Contents/Info.plist as a bundle',
      });
      return { raw: {}, readable: false };
    }
    const raw = this.readPlist(infoPath, this.diagnostics, rel);
    return raw ? { raw, readable: true } : { raw: {}, readable: false };
  }

  /**
   * The bundle's identifier: CFBundleIdentifier as written or filled; failing
   * that, PRODUCT_BUNDLE_IDENTIFIER or the folder's name, with a note on
   * Xcode's generated Info.plist (GENERATE_INFOPLIST_FILE).
   */
  bundleIdentity(bundlePath: string, read: BundleRead): { id: string; base: Record<string, string> } {
    const infoRel = this.rel(join(bundlePath, 'Contents', 'Info.plist'));
    const literal = str(read.raw.CFBundleIdentifier);
    const byLiteral = literal && !isUnresolved(literal) ? literal : undefined;
    const entry = Object.entries(this.manifest.bundles).find(
      ([id, b]) => b.path === this.rel(bundlePath) || id === byLiteral,
    );
    const base = {
      ...derivedSettings(bundlePath, entry?.[0]),
      ...this.manifest.buildSettings,
      ...entry?.[1].buildSettings,
    };
    if (byLiteral) return { id: byLiteral, base };
    if (literal) {
      const filled = substitute(literal, base, () => {}) as string;
      if (!isUnresolved(filled)) return { id: filled, base };
    }
    const product = basename(bundlePath, extname(bundlePath));
    const stated = { ...this.manifest.buildSettings, ...entry?.[1].buildSettings }.PRODUCT_BUNDLE_IDENTIFIER;
    const id = base.PRODUCT_BUNDLE_IDENTIFIER ?? rfc1034Identifier(product);
    const from = entry
      ? `world.plist names this bundle ${id}`
      : stated !== undefined
        ? `PRODUCT_BUNDLE_IDENTIFIER is ${id}`
        : `named after its folder: ${id}`;
    if (read.readable) {
      this.diagnostics.push({
        severity: 'info',
        file: infoRel,
        key: 'CFBundleIdentifier',
        message: literal
          ? `${literal} is not resolved; ${from}`
          : `missing; ${from}. Xcode projects with GENERATE_INFOPLIST_FILE = YES keep CFBundleIdentifier out of the source Info.plist and write $(PRODUCT_BUNDLE_IDENTIFIER) into the built one`,
        consequence: `set PRODUCT_BUNDLE_IDENTIFIER in this bundle's buildSettings, or bundles.<id>.path, in world.plist to name it as its target does`,
      });
    }
    return { id, base: { ...base, PRODUCT_BUNDLE_IDENTIFIER: id } };
  }

  /** The versions a bundle's Info.plist states, filled from world.plist; an unresolved one is unknown. */
  bundleVersions(read: BundleRead, base: Record<string, string>, id: string): ReturnType<typeof versions> {
    // Xcode's generated Info.plist (GENERATE_INFOPLIST_FILE) writes these two from the build settings when the source has none.
    const filled = substitute(
      {
        CFBundleVersion: read.raw.CFBundleVersion ?? '$(CURRENT_PROJECT_VERSION)',
        CFBundleShortVersionString: read.raw.CFBundleShortVersionString ?? '$(MARKETING_VERSION)',
      },
      settingsFor(base, undefined, { bundleId: id }),
      () => {},
    ) as PlistDict;
    const out = versions(filled);
    const unknown = (v: string) => isUnresolved(v) || /@[A-Za-z_][A-Za-z0-9_]*@/.test(v);
    if (out.bundleVersion !== undefined && unknown(out.bundleVersion)) delete out.bundleVersion;
    if (out.shortVersion !== undefined && unknown(out.shortVersion)) delete out.shortVersion;
    return out;
  }

  loadBundle(bundlePath: string, type: 'App' | 'XPCService' | 'SystemExtension', parent?: JobSpec): JobSpec {
    const read = this.readInfo(bundlePath);
    const { id, base } = this.bundleIdentity(bundlePath, read);
    const infoRel = this.rel(join(bundlePath, 'Contents', 'Info.plist'));
    const exe = str(read.raw.CFBundleExecutable);
    const exeName =
      exe && !isUnresolved(exe)
        ? exe
        : type === 'SystemExtension'
          ? id
          : basename(bundlePath, extname(bundlePath));
    const program = `/${this.rel(join(bundlePath, 'Contents', 'MacOS', exeName))}`;
    const common = {
      label: id,
      program,
      bundleId: id,
      ...this.bundleVersions(read, base, id),
    };
    switch (type) {
      case 'App':
        return this.job(
          {
            ...common,
            type: 'App',
            domainKind: 'gui',
            path: this.rel(bundlePath),
            ...(parent ? { bundledIn: parent.label } : {}),
          },
          read.raw,
          base,
          bundlePath,
        );
      case 'XPCService':
        return this.job(
          {
            ...common,
            type: 'XPCService',
            domainKind: 'pid',
            ownerLabel: parent?.label ?? id,
            path: infoRel,
            bundledIn: parent?.label ?? id,
          },
          read.raw,
          base,
          bundlePath,
        );
      case 'SystemExtension':
        return this.job(
          {
            ...common,
            type: 'SystemExtension',
            domainKind: 'system',
            path: infoRel,
            runAtLoad: true,
            ...(parent ? { bundledIn: parent.label } : {}),
          },
          read.raw,
          base,
          bundlePath,
        );
    }
  }

  loadApp(appPath: string, parent?: JobSpec): void {
    const app = this.loadBundle(appPath, 'App', parent);
    const contents = join(appPath, 'Contents');
    for (const xpc of [
      ...this.list(join(contents, 'XPCServices'), '.xpc'),
      ...frameworkXpcServices(appPath, this.fs),
    ])
      this.loadBundle(xpc, 'XPCService', app);
    for (const ext of this.list(join(contents, 'Library', 'SystemExtensions'), '.systemextension'))
      this.loadBundle(ext, 'SystemExtension', app);
    for (const plist of this.list(join(contents, 'Library', 'LaunchDaemons'), '.plist'))
      this.loadJob(plist, 'SMAppServiceDaemon', appPath, app.label);
    for (const plist of this.list(join(contents, 'Library', 'LaunchAgents'), '.plist'))
      this.loadJob(plist, 'SMAppServiceAgent', appPath, app.label);
    for (const appex of this.list(join(contents, 'PlugIns'), '.appex')) this.noteAppExtension(appex);
    // A login item whose executable an SMAppService plist runs is that job's program, not a second process.
    for (const login of this.list(join(contents, 'Library', 'LoginItems'), '.app')) {
      const inside = `/${this.rel(login)}/`;
      if (!this.jobs.some((j) => j.program.startsWith(inside))) this.loadApp(login, app);
    }
  }

  /** App extensions (`Contents/PlugIns/*.appex`) are named, not run: ExtensionKit and pluginkit are not modelled. */
  noteAppExtension(path: string): void {
    const infoPath = join(path, 'Contents', 'Info.plist');
    const raw = this.exists(infoPath)
      ? this.readPlist(infoPath, this.diagnostics, this.rel(infoPath))
      : undefined;
    const ext = raw?.NSExtension as PlistDict | undefined;
    const point = str(ext?.NSExtensionPointIdentifier);
    this.diagnostics.push({
      severity: 'info',
      file: this.rel(path),
      message: `an app extension${point ? ` (${point})` : ''}: XPC Lab does not run app extensions, so it is listed here and not loaded`,
      consequence: point?.startsWith('com.apple.networkextension')
        ? 'a Network Extension provider packaged as an app extension is started by NE, not sysextd; XPC-MODEL §5 covers system extensions only'
        : 'pluginkit launches app extensions on demand; nothing in this world can reach it',
    });
  }

  /**
   * An authorization plug-in, `Library/Security/SecurityAgentPlugins/X.bundle` (XPC-MODEL §10.7): the
   * authorization engine loads it into SecurityAgentHelper, an Apple platform binary, so the process that talks
   * to the plug-in's daemon is the host, and the daemon sees the host's signature.
   */
  loadAuthorizationPlugin(path: string): void {
    const read = this.readInfo(path);
    const { id, base } = this.bundleIdentity(path, read);
    const job = this.job(
      {
        label: id,
        type: 'App',
        domainKind: 'gui',
        program: SECURITY_AGENT_HELPER,
        path: this.rel(path),
        bundleId: id,
        host: { program: SECURITY_AGENT_HELPER, identifier: SECURITY_AGENT_HELPER_ID },
        ...this.bundleVersions(read, base, id),
      },
      read.raw,
      base,
      path,
    );
    const team = job.signing.teamId;
    this.diagnostics.push({
      severity: 'info',
      file: this.rel(path),
      message: `${id}${team ? ` (team ${team})` : ''} runs inside SecurityAgentHelper, an Apple platform binary: a daemon checking its peer sees ${SECURITY_AGENT_HELPER_ID} (anchor apple, no team), never ${id}`,
      consequence: `a peer requirement naming ${id}${team ? ` or team ${team}` : ''} fails with -67050; one for Apple's host (anchor apple and a com.apple. identifier) passes`,
    });
  }

  /**
   * XPC-MODEL §10.7: a daemon inside a bundle (an SMAppService daemon, or a program under `X.app/Contents/MacOS`)
   * is checked by AMFI against the bundle's `Contents/embedded.provisionprofile`.
   */
  profileFor(program: string, appPath: string | undefined) {
    const inBundle = /^(.*?\.(?:app|bundle|systemextension))\/Contents\//.exec(program)?.[1];
    const bundle = appPath ?? (inBundle ? join(this.root, inBundle) : undefined);
    const file = bundle ? join(bundle, 'Contents', 'embedded.provisionprofile') : undefined;
    if (!file || !this.exists(file)) return undefined;
    try {
      return readProvisioningProfile(this.fs.readFile(file));
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
    const rel = this.rel(path);
    // A plist launchd cannot parse is refused ("Bootstrap failed: 5"): the diagnostic says so, and there is no job.
    const raw = this.readPlist(path, this.diagnostics, rel);
    if (!raw) return;
    const literalLabel = str(raw.Label);
    const entry = literalLabel ? this.manifest.bundles[literalLabel] : undefined;
    const base = { ...this.manifest.buildSettings, ...entry?.buildSettings };
    const filledLabel = literalLabel ? (substitute(literalLabel, base, () => {}) as string) : undefined;
    const label = filledLabel ?? basename(path, '.plist');
    if (!literalLabel) {
      this.diagnostics.push({
        severity: 'error',
        file: rel,
        key: 'Label',
        message: `missing: launchd requires a Label; XPC Lab names the job ${label} after its file`,
        consequence: 'launchctl bootstrap fails with 5: Input/output error',
      });
    }
    const filled = substitute(raw, base, () => {}) as PlistDict;
    const args = Array.isArray(filled.ProgramArguments)
      ? filled.ProgramArguments.filter((a): a is string => typeof a === 'string')
      : [];
    const bundleProgram = str(filled.BundleProgram);
    const stated =
      bundleProgram && appPath
        ? `/${this.rel(join(appPath, bundleProgram))}`
        : (str(filled.Program) ?? args[0]);
    if (!stated) {
      this.diagnostics.push({
        severity: 'error',
        file: rel,
        key: 'Program',
        message: 'no Program, ProgramArguments or BundleProgram',
        consequence: 'launchd exits the job with 78: EX_CONFIG',
      });
    }
    const daemon = type === 'LaunchDaemon' || type === 'SMAppServiceDaemon';
    const program = stated ?? `/${rel}`;
    const profile = daemon ? this.profileFor(program, appPath) : undefined;
    const sessions = this.sessionTypes(filled.LimitLoadToSessionType, rel);
    // XPC-MODEL §3.1, §10.3: an agent limited to Background sessions loads into the per-user domain, not gui/<uid>.
    const background = !daemon && sessions && !sessions.includes('Aqua') && sessions.includes('Background');
    this.job(
      {
        label,
        type,
        domainKind: daemon ? 'system' : background ? 'user' : 'gui',
        ...(sessions ? { limitLoadToSessionType: sessions } : {}),
        ...(profile ? { provisioningProfile: profile } : {}),
        ...unixSockets(filled.Sockets, rel, this.diagnostics),
        program,
        path: rel,
        ...(appLabel ? { bundledIn: appLabel } : {}),
      },
      raw,
      base,
      path,
    );
  }
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
      if (job === app || job.type === 'App') continue;
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
  /**
   * Reads the code signature of each bundle's executable and each job's program
   * found in the world: its team and entitlements become the process's identity,
   * under world.plist's (main/world/identity.ts). Without one, identity comes from
   * world.plist, the entitlements files and the build settings.
   */
  signatureOf?: SignatureReader;
  /** Where the world's files are read from: the disk (default), or a world held in memory (main/world/world-fs.ts). */
  fs?: WorldFs;
}

/**
 * Reads a world folder laid out like a Mac's disk, a folder holding built
 * `.app`s, or an `.app` itself. Only a missing folder throws; everything on
 * disk is loaded, and every problem is a diagnostic on its item.
 */
export function loadWorld(root: string, options: LoadOptions = {}): LoadResult {
  const fs = options.fs ?? diskFs;
  if (fs.kind(root) !== 'dir')
    throw new WorldLoadError(`${root}: not a world folder (it does not exist or is not a directory)`);
  const bundleRoot = root.replace(/[\\/]+$/, '').endsWith('.app');
  const top = bundleRoot ? dirname(root) : root;
  const loader = new Loader(top, options.signatureOf, fs);
  if (!bundleRoot) loader.loadManifest(options.manifestFrom);
  loader.readXcconfigs(bundleRoot ? root : top);
  loader.findProjectTeam(bundleRoot ? root : top);
  // [I] /Library jobs load first: launchd bootstraps them at boot, before any app registers an SMAppService job (XPC-MODEL §4.6).
  if (!bundleRoot) {
    for (const plist of loader.list(join(top, 'Library', 'LaunchDaemons'), '.plist'))
      loader.loadJob(plist, 'LaunchDaemon');
    for (const plist of loader.list(join(top, 'Library', 'LaunchAgents'), '.plist'))
      loader.loadJob(plist, 'LaunchAgent');
  }
  for (const app of appsOf(root.replace(/[\\/]+$/, ''), top, fs)) loader.loadApp(app);
  if (!bundleRoot)
    for (const plugin of loader.list(join(top, 'Library', 'Security', 'SecurityAgentPlugins'), '.bundle'))
      loader.loadAuthorizationPlugin(plugin);
  inheritVersions(loader.jobs);
  // Versions inherited from the app feed the templates too.
  loader.jobs.splice(0, loader.jobs.length, ...loader.jobs.map((job) => loader.derive(job)));
  loader.reportUnresolved();
  loader.warnUnsatisfiedEntitlements();
  if (loader.jobs.length === 0) {
    loader.diagnostics.push({
      severity: 'warning',
      message:
        'no bundles or launchd jobs found: expected Applications/*.app, *.app, Library/LaunchDaemons or Library/LaunchAgents',
    });
  }
  const world: World = {
    name: loader.manifest.name ?? basename(bundleRoot ? root.replace(/[\\/]+$/, '') : root, '.app'),
    root: bundleRoot ? root : top,
    uid: loader.manifest.uid,
    jobs: loader.jobs,
    ...(loader.manifest.state ? { state: loader.manifest.state } : {}),
    ...(loader.manifest.quota ? { quota: loader.manifest.quota } : {}),
  };
  const rules = options.validate === false ? [] : validateWorld(world, fs);
  return { world, diagnostics: [...loader.diagnostics, ...rules] };
}
