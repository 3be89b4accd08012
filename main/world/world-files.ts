import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the loader looks on disk: bundles inside bundles, apps in a world, entitlements files. */

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function list(dir: string, suffix: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

/** XPC services a framework inside the app carries (Sparkle's Downloader.xpc, Installer.xpc): `Contents/Frameworks/X.framework[/Versions/*]/XPCServices`. */
export function frameworkXpcServices(appPath: string): string[] {
  const out = new Map<string, string>();
  for (const framework of list(join(appPath, 'Contents', 'Frameworks'), '.framework')) {
    const versions = join(framework, 'Versions');
    const homes = [
      framework,
      ...(isDir(versions)
        ? readdirSync(versions)
            .sort()
            .map((v) => join(versions, v))
        : []),
    ];
    // Versions/Current and the framework's top-level XPCServices are symbolic links to one copy.
    for (const home of homes)
      for (const xpc of list(join(home, 'XPCServices'), '.xpc')) {
        const real = realpathSync(xpc);
        if (!out.has(real)) out.set(real, xpc);
      }
  }
  return [...out.values()];
}

/** Where a world keeps its apps: `Applications/*.app`, an `.app` at its top (a build folder), or the world is itself an `.app`. */
export function appsOf(root: string, top: string): string[] {
  if (root.endsWith('.app')) return [root];
  return [...list(join(top, 'Applications'), '.app'), ...list(top, '.app')];
}

const MAX_WALK = 8;

/** Every `.entitlements` file under the world, for the team the project names. */
export function entitlementFiles(dir: string, depth = 0, out: string[] = []): string[] {
  if (depth > MAX_WALK || !isDir(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.endsWith('.entitlements')) out.push(path);
    else if (isDir(path)) entitlementFiles(path, depth + 1, out);
  }
  return out;
}
