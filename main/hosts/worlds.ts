import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { WorldEntry } from '../../preload/contract';
import { readPlist } from '../world/plist-file';
import { packageRoot } from './paths';

/** A folder that is not a world, said in words that name the folder and what it lacks. */
export class NotAWorldError extends Error {}

/**
 * Checks that `dir` looks like a world before anything is stopped for it: a
 * folder laid out like a Mac's disk (Applications/ or Library/), holding a
 * world.plist, a built `.app`, or a folder holding built apps.
 */
export function checkWorldFolder(dir: string): void {
  if (!isAbsolute(dir)) throw new NotAWorldError(`${dir}: a world is opened by its absolute path`);
  if (!existsSync(dir)) throw new NotAWorldError(`${dir}: no such folder`);
  if (!statSync(dir).isDirectory())
    throw new NotAWorldError(`${dir}: not a folder (a world is a folder laid out like a Mac's disk)`);
  const has = (name: string) => existsSync(join(dir, name));
  // A built app, or a folder holding built apps, is a world without a world.plist (docs/worlds.md).
  const builtApp = dir.replace(/[\\/]+$/, '').endsWith('.app') && has(join('Contents', 'Info.plist'));
  const holdsApp = readdirSync(dir).some((name) => name.endsWith('.app'));
  if (!has('Applications') && !has('Library') && !has('world.plist') && !builtApp && !holdsApp)
    throw new NotAWorldError(
      `${dir} is not a world: it has no Applications/ folder, no Library/ folder and no world.plist`,
    );
}

/** world.plist's name, or the folder's; a world.plist that cannot be read only costs the name. */
export function worldName(dir: string): string {
  const manifest = join(dir, 'world.plist');
  if (existsSync(manifest)) {
    const name = readPlist(manifest, [], 'world.plist')?.name;
    if (typeof name === 'string' && name.trim()) return name;
  }
  return basename(dir.replace(/[\\/]+$/, ''), '.app');
}

export function demoWorldsDir(): string {
  return join(packageRoot(), 'assets', 'worlds');
}

/** The worlds shipped in assets/worlds, by name. */
export function demoWorlds(dir: string = demoWorldsDir()): WorldEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name))
    .filter((path) => {
      try {
        checkWorldFolder(path);
        return true;
      } catch {
        return false;
      }
    })
    .map((path) => ({ path, name: worldName(path) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
