import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { type BundleSettings, type Manifest, ManifestSchema } from './manifest';
import type { JobSpec, JobType, KeepAliveSpec, MachServiceSpec, World } from './model';
import { type Diagnostic, type PlistDict, readPlist, substitute } from './plist-file';

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

  constructor(readonly root: string) {}

  rel(path: string): string {
    return relative(this.root, path) || basename(path);
  }

  read(path: string): PlistDict | undefined {
    const rel = this.rel(path);
    const raw = readPlist(path, this.diagnostics, rel);
    if (!raw) return undefined;
    return substitute(raw, this.manifest.buildSettings, (name, key) =>
      this.diagnostics.push({
        severity: 'error',
        file: rel,
        key,
        message: `$(${name}) is not resolved: add ${name} to buildSettings in world.plist`,
        consequence: 'Xcode fills this in at build time; without it the value would be wrong on a Mac',
      }),
    ) as PlistDict;
  }

  loadManifest(): void {
    const path = join(this.root, 'world.plist');
    if (!existsSync(path)) return;
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
  ): JobSpec {
    const s = this.settings(id);
    const job: JobSpec = {
      runAtLoad: false,
      keepAlive: { always: false },
      throttleIntervalS: 10,
      exitTimeOutS: 20,
      ...partial,
      signing: { anchor: 'developer-id', notarized: false, ...s.signing },
      entitlements: s.entitlements ?? {},
      sandbox: { enabled: false, machLookup: [], machRegister: [], appGroups: [], ...s.sandbox },
      behaviours: s.behaviours ?? [],
    };
    this.jobs.push(job);
    return job;
  }

  loadApp(appPath: string): void {
    const info = this.read(join(appPath, 'Contents', 'Info.plist'));
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
    );
    for (const xpc of list(join(appPath, 'Contents', 'XPCServices'), '.xpc')) this.loadXpcService(xpc, id);
    for (const ext of list(join(appPath, 'Contents', 'Library', 'SystemExtensions'), '.systemextension'))
      this.loadSystemExtension(ext);
    for (const plist of list(join(appPath, 'Contents', 'Library', 'LaunchDaemons'), '.plist'))
      this.loadJob(plist, 'SMAppServiceDaemon', appPath);
    for (const plist of list(join(appPath, 'Contents', 'Library', 'LaunchAgents'), '.plist'))
      this.loadJob(plist, 'SMAppServiceAgent', appPath);
  }

  loadXpcService(path: string, ownerLabel: string): void {
    const infoPath = join(path, 'Contents', 'Info.plist');
    const info = this.read(infoPath);
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
        ...versions(info),
      },
      id,
    );
  }

  loadSystemExtension(path: string): void {
    const infoPath = join(path, 'Contents', 'Info.plist');
    const info = this.read(infoPath);
    const id = str(info?.CFBundleIdentifier);
    if (!info || !id) return;
    const services: MachServiceSpec[] = [];
    const ne = info.NetworkExtension as PlistDict | undefined;
    const neName = str(ne?.NEMachServiceName);
    if (neName) services.push({ name: neName, hideUntilCheckIn: false, origin: 'NEMachServiceName' });
    const esName = str(info.NSEndpointSecurityMachServiceName);
    if (esName) services.push({ name: esName, hideUntilCheckIn: false, origin: 'MachServices' });
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
        ...versions(info),
      },
      id,
    );
  }

  loadJob(path: string, type: JobType, appPath?: string): void {
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
      },
      label,
    );
  }
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

/** Reads a world folder laid out like a Mac's disk. Only a missing folder throws; everything else is a diagnostic. */
export function loadWorld(root: string): LoadResult {
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new WorldLoadError(`${root}: not a world folder (it does not exist or is not a directory)`);
  const loader = new Loader(root);
  loader.loadManifest();
  for (const app of list(join(root, 'Applications'), '.app')) loader.loadApp(app);
  for (const plist of list(join(root, 'Library', 'LaunchDaemons'), '.plist'))
    loader.loadJob(plist, 'LaunchDaemon');
  for (const plist of list(join(root, 'Library', 'LaunchAgents'), '.plist'))
    loader.loadJob(plist, 'LaunchAgent');
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
  };
  return { world, diagnostics: loader.diagnostics };
}
