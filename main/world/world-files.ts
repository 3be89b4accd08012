import { join } from 'node:path';
import { diskFs, type WorldFs } from './world-fs';

/** Where the loader looks on disk: bundles inside bundles, apps in a world, entitlements files. */

export function isDir(path: string, fs: WorldFs = diskFs): boolean {
  return fs.kind(path) === 'dir';
}

export function list(dir: string, suffix: string, fs: WorldFs = diskFs): string[] {
  if (!isDir(dir, fs)) return [];
  return fs
    .readdir(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

/** XPC services a framework inside the app carries (Sparkle's Downloader.xpc, Installer.xpc): `Contents/Frameworks/X.framework[/Versions/*]/XPCServices`. */
export function frameworkXpcServices(appPath: string, fs: WorldFs = diskFs): string[] {
  const out = new Map<string, string>();
  for (const framework of list(join(appPath, 'Contents', 'Frameworks'), '.framework', fs)) {
    const versions = join(framework, 'Versions');
    const homes = [
      framework,
      ...(isDir(versions, fs)
        ? fs
            .readdir(versions)
            .sort()
            .map((v) => join(versions, v))
        : []),
    ];
    // Versions/Current and the framework's top-level XPCServices are symbolic links to one copy.
    for (const home of homes)
      for (const xpc of list(join(home, 'XPCServices'), '.xpc', fs)) {
        const real = fs.realpath(xpc);
        if (!out.has(real)) out.set(real, xpc);
      }
  }
  return [...out.values()];
}

/** Where a world keeps its apps: `Applications/*.app`, an `.app` at its top (a build folder), or the world is itself an `.app`. */
export function appsOf(root: string, top: string, fs: WorldFs = diskFs): string[] {
  if (root.endsWith('.app')) return [root];
  return [...list(join(top, 'Applications'), '.app', fs), ...list(top, '.app', fs)];
}

const MAX_WALK = 8;

/** Every `.entitlements` file under the world, for the team the project names. */
export function entitlementFiles(dir: string, fs: WorldFs = diskFs, depth = 0, out: string[] = []): string[] {
  if (depth > MAX_WALK || !isDir(dir, fs)) return out;
  for (const name of fs.readdir(dir).sort()) {
    const path = join(dir, name);
    if (name.endsWith('.entitlements')) out.push(path);
    else if (isDir(path, fs)) entitlementFiles(path, fs, depth + 1, out);
  }
  return out;
}
