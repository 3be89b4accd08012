import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';

/**
 * What the world loader reads a world through: every file and folder it
 * looks at goes through one of these, so the same loader reads a world on
 * disk (`diskFs`, the default) or one held in memory (`memoryFs`).
 */
export interface WorldFs {
  /** What is at `path`, links followed: a file, a folder, or nothing (missing or unreadable). */
  kind(path: string): 'file' | 'dir' | undefined;
  /** The names in a folder; throws (with an errno `code`) when `path` is not a readable folder. */
  readdir(path: string): string[];
  /** A file's bytes; throws (with an errno `code`) when `path` is not a readable file. */
  readFile(path: string): Buffer;
  /** The path with its links resolved; throws when nothing is there. */
  realpath(path: string): string;
  /**
   * Whether executables' code signatures can be read (main/signing reads them
   * from disk): only a world on disk has them.
   */
  readonly signatures: boolean;
}

export const diskFs: WorldFs = {
  kind(path) {
    try {
      const stat = statSync(path);
      return stat.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  readdir: (path) => readdirSync(path),
  readFile: (path) => readFileSync(path),
  realpath: (path) => realpathSync(path),
  signatures: true,
};

function fsError(code: 'ENOENT' | 'ENOTDIR' | 'EISDIR', path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}

/**
 * A world held in memory: `files` maps paths relative to `root` ('/'-separated)
 * to their contents; the folders holding them exist. There are no links, and
 * no executable's signature is read. Used to load a world that never touches
 * the disk (fuzzing the loader, tests).
 */
export function memoryFs(root: string, files: Readonly<Record<string, string | Uint8Array>>): WorldFs {
  const top = resolve(root);
  const contents = new Map<string, Buffer>();
  const folders = new Map<string, Set<string>>([[top, new Set()]]);
  for (const [rel, data] of Object.entries(files)) {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    let dir = top;
    for (const [i, part] of parts.entries()) {
      const path = posix.join(dir, part);
      folders.get(dir)?.add(part);
      if (i === parts.length - 1) contents.set(path, Buffer.from(data));
      else if (!folders.has(path)) folders.set(path, new Set());
      dir = path;
    }
  }
  const at = (path: string) => resolve(path);
  return {
    kind(path) {
      const p = at(path);
      return folders.has(p) ? 'dir' : contents.has(p) ? 'file' : undefined;
    },
    readdir(path) {
      const names = folders.get(at(path));
      if (!names) throw fsError(contents.has(at(path)) ? 'ENOTDIR' : 'ENOENT', path);
      return [...names];
    },
    readFile(path) {
      const data = contents.get(at(path));
      if (!data) throw fsError(folders.has(at(path)) ? 'EISDIR' : 'ENOENT', path);
      return Buffer.from(data);
    },
    realpath(path) {
      const p = at(path);
      if (!folders.has(p) && !contents.has(p)) throw fsError('ENOENT', path);
      return p;
    },
    signatures: false,
  };
}

/** Every file under a folder on disk, by its '/'-separated path inside it: a world to hold in memory. */
export function filesUnder(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out[path] = readFileSync(join(dir, path));
    }
  };
  walk('');
  return out;
}
