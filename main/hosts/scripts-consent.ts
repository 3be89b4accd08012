import { relative, sep } from 'node:path';
import type { World } from '../world/model';
import { demoWorldsDir } from './worlds';

/** One script a world's helper runs as the user, by the job that runs it. */
export interface WorldScript {
  label: string;
  /** Relative to the world folder. */
  path: string;
}

/** Every script behaviour of a loaded world, in job order. */
export function worldScripts(world: World): WorldScript[] {
  return world.jobs.flatMap((job) =>
    job.behaviours.flatMap((b) =>
      b.kind === 'script' ? [{ label: job.label, path: relative(world.root, b.path) || b.path }] : [],
    ),
  );
}

/** A demo world shipped with XPC Lab runs the app's own scripts; any other world's scripts are the user's call. */
export function isShippedWorld(dir: string): boolean {
  const rel = relative(demoWorldsDir(), dir);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/** What the user is asked before a world's scripts run: which scripts, by which job, and as whom. */
export function describeScripts(dir: string, scripts: readonly WorldScript[]): string {
  const list = scripts.map((s) => `  ${s.path} (${s.label})`).join('\n');
  return `${dir}: this world runs ${scripts.length === 1 ? 'a script' : `${scripts.length} scripts`} as you, with your files and network, when its helpers start:\n${list}\nOpen it only if you trust these scripts.`;
}

/** Refused until the user allows the world's scripts; the message lists them. */
export class ScriptsNeedConsentError extends Error {
  constructor(
    readonly dir: string,
    readonly scripts: readonly WorldScript[],
  ) {
    super(describeScripts(dir, scripts));
  }
}
