import { dirname, join, relative, sep } from 'node:path';
import type { Diagnostic } from './plist-file';
import { diskFs, type WorldFs } from './world-fs';

const MAX_DEPTH = 8;

/** Where each kind of bundle may live inside a world (XPC-MODEL §3.1, §5.1). */
const HOMES: Readonly<Record<string, RegExp>> = {
  '.xpc':
    /(^|\/)[^/]+\.app\/Contents\/(XPCServices|Frameworks\/[^/]+\.framework\/(Versions\/[^/]+\/)?XPCServices)\/[^/]+\.xpc$/,
  '.systemextension': /(^|\/)[^/]+\.app\/Contents\/Library\/SystemExtensions\/[^/]+\.systemextension$/,
};

function walk(fs: WorldFs, dir: string, depth: number, found: string[]): void {
  if (depth > MAX_DEPTH) return;
  let names: string[];
  try {
    names = fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (fs.kind(path) !== 'dir') continue;
    if (name.endsWith('.xpc') || name.endsWith('.systemextension')) found.push(path);
    else walk(fs, path, depth + 1, found);
  }
}

function diagnosticFor(rel: string): Diagnostic {
  if (rel.endsWith('.xpc')) {
    return {
      severity: 'error',
      file: rel,
      message:
        'an XPC service outside its app: XPC services live in an app bundle\u2019s Contents/XPCServices, and this one is not loaded',
      consequence:
        'launchd refuses it: "Path not allowed in target domain: type = pid, … error = 147: The specified service did not ship in the requestor\u2019s bundle" (XPC-MODEL §3.4, §3.5)',
    };
  }
  return {
    severity: 'error',
    file: rel,
    message:
      'a system extension outside its app: sysextd only activates extensions in an app\u2019s Contents/Library/SystemExtensions, and this one is not loaded',
    consequence: 'the activation request fails; the app must also be in /Applications (XPC-MODEL §5.1)',
  };
}

/** Bundles that sit where macOS would never look for them. */
export function strayBundles(root: string, fs: WorldFs = diskFs): Diagnostic[] {
  if (fs.kind(root) === undefined) return [];
  const found: string[] = [];
  walk(fs, root, 0, found);
  // A world that is itself an .app names its paths from the folder holding it.
  const base = root.replace(/[\\/]+$/, '').endsWith('.app') ? dirname(root) : root;
  return found
    .map((path) => relative(base, path).split(sep).join('/'))
    .filter((rel) => {
      const home = HOMES[rel.endsWith('.xpc') ? '.xpc' : '.systemextension'];
      return !home?.test(rel);
    })
    .map(diagnosticFor);
}
