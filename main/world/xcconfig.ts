import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from './plist-file';
import { diskFs, type WorldFs } from './world-fs';

/**
 * Xcode build configuration files (`*.xcconfig`): `KEY = value` lines, `//`
 * comments and `#include "other.xcconfig"` (`#include?` when optional). A
 * conditional assignment `KEY[sdk=macosx*] = value` applies on macOS; one for
 * another SDK or architecture is left out. `$(inherited)` is dropped: there is
 * nothing below a world's settings to inherit.
 */
const LINE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[([^\]]*)\])?\s*=\s*(.*?)\s*;?\s*$/;
const INCLUDE = /^\s*#include(\?)?\s+"([^"]+)"/;

function macOSCondition(condition: string | undefined): boolean {
  if (!condition) return true;
  return condition
    .split(',')
    .map((c) => c.trim())
    .every((c) => !c.startsWith('sdk=') || /^sdk=macosx/.test(c));
}

function stripComment(line: string): string {
  // `//` starts a comment unless it is part of a URL value (`https://…`).
  const at = line.search(/(^|[^:])\/\//);
  return at < 0 ? line : line.slice(0, at + (line[at] === '/' ? 0 : 1));
}

export function readXcconfig(
  path: string,
  root: string,
  diagnostics: Diagnostic[],
  fs: WorldFs = diskFs,
  seen: Set<string> = new Set(),
): Record<string, string> {
  const rel = relative(root, path).split(sep).join('/');
  if (seen.has(path)) return {};
  seen.add(path);
  let text: string;
  try {
    text = fs.readFile(path).toString('utf8');
  } catch (error) {
    diagnostics.push({
      severity: 'warning',
      file: rel,
      message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
    return {};
  }
  const out: Record<string, string> = {};
  const forMac: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const include = INCLUDE.exec(raw);
    if (include) {
      const target = resolve(dirname(path), include[2] as string);
      if (fs.kind(target) !== undefined)
        Object.assign(out, readXcconfig(target, root, diagnostics, fs, seen));
      else if (!include[1])
        diagnostics.push({
          severity: 'info',
          file: rel,
          line: i + 1,
          message: `#include "${include[2]}" is not in this world: the settings it would give stay unresolved`,
          consequence:
            'Xcode fails the build on a missing #include; a developer usually creates this file from a template',
        });
      return;
    }
    const match = LINE.exec(stripComment(raw));
    if (!match) return;
    const [, key, condition, value] = match as unknown as [string, string, string | undefined, string];
    if (!macOSCondition(condition)) return;
    const clean = value.replace(/\$\(inherited\)\s*/g, '').trim();
    // A conditional assignment for macOS wins over the plain one.
    (condition ? forMac : out)[key] = clean;
  });
  return { ...out, ...forMac };
}

const MAX_DEPTH = 6;

function xcconfigFiles(fs: WorldFs, dir: string, depth: number, found: string[]): string[] {
  if (depth > MAX_DEPTH) return found;
  let names: string[];
  try {
    names = fs.readdir(dir).sort();
  } catch {
    return found;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (name.endsWith('.xcconfig')) found.push(path);
    else if (!name.startsWith('.') && !/\.(app|xpc|systemextension|appex|framework)$/.test(name)) {
      if (fs.kind(path) === 'dir') xcconfigFiles(fs, path, depth + 1, found);
    }
  }
  return found;
}

/** Every `.xcconfig` in a world, each read with its includes; files that another includes are read through it. */
export function worldXcconfig(
  root: string,
  diagnostics: Diagnostic[],
  fs: WorldFs = diskFs,
): Record<string, string> {
  const files = xcconfigFiles(fs, root, 0, []);
  const included = new Set<string>();
  for (const file of files) {
    for (const line of fs.readFile(file).toString('utf8').split(/\r?\n/)) {
      const include = INCLUDE.exec(line);
      if (include) included.add(resolve(dirname(file), include[2] as string));
    }
  }
  const out: Record<string, string> = {};
  for (const file of files.filter((f) => !included.has(f)))
    Object.assign(out, readXcconfig(file, root, diagnostics, fs));
  return out;
}
