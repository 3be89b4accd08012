import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { mergeSandbox, sandboxFromEntitlements } from './entitlements';
import { type BundleSettings, type Manifest, ManifestSchema } from './manifest';
import type { Behaviour, JobSpec, JobType, KeepAliveSpec, MachServiceSpec, World } from './model';
import { type Diagnostic, type PlistDict, readPlist, substitute } from './plist-file';
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
      behaviours: (s.behaviours ?? this.defaultBehaviours(partial)).flatMap((b) => this.resolveScript(b, id)),
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

  /**
   * A script behaviour's path is relative to the world; the helper needs it
   * absolute. A script must lie inside the world folder (links followed): one
   * outside it is left out, with a diagnostic, and never runs.
   */
  resolveScript(behaviour: Behaviour, id: string): Behaviour[] {
    if (behaviour.kind !== 'script') return [behaviour];
    const path = resolve(this.manifestRoot, behaviour.path);
    const where = { severity: 'error' as const, file: 'world.plist', key: `bundles.${id}.behaviours` };
    if (!existsSync(path)) {
      this.diagnostics.push({
        ...where,
        message: `the script ${behaviour.path} does not exist`,
        consequence: 'the helper would exit at launch, as a program that cannot load its code does',
      });
      return [{ ...behaviour, path }];
    }
    const rel = relative(realpathSync(this.manifestRoot), realpathSync(path));
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
    this.job(
      {
        label,
        type,
        domainKind: daemon ? 'system' : 'gui',
        program,
        path: rel,
        machServices: machServices(plist.MachServices),
        runAtLoad: plist.RunAtLoad === true,
        keepAlive: keepAlive(plist.KeepAlive),
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

function keepAlive(value: unknown): KeepAliveSpec {
  if (value === true) return { always: true };
  if (typeof value !== 'object' || value === null) return { always: false };
  const d = value as PlistDict;
  return {
    always: false,
    ...(typeof d.SuccessfulExit === 'boolean' ? { successfulExit: d.SuccessfulExit } : {}),
    ...(typeof d.Crashed === 'boolean' ? { crashed: d.Crashed } : {}),
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
  inheritVersions(loader.jobs);
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
