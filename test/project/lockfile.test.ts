import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const DEP_KINDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

type Deps = Record<string, string>;
type Manifest = { name: string; version: string } & Partial<Record<(typeof DEP_KINDS)[number], Deps>>;
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
}
interface Lock {
  name: string;
  version: string;
  lockfileVersion: number;
  packages: Record<string, Manifest & LockEntry>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** What npm itself finds wrong between a folder's package.json and its lock, reading the lock only. */
function npmLockProblems(dir: string): string[] {
  let out: string;
  try {
    out = execFileSync('npm', ['ls', '--package-lock-only', '--all', '--json'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    // npm ls exits 1 when it finds problems; they are in its JSON all the same.
    out = String((error as { stdout?: unknown }).stdout ?? '');
  }
  return (JSON.parse(out) as { problems?: string[] }).problems ?? [];
}

describe('package.json and package-lock.json', () => {
  const pkg = readJson<Manifest>(join(ROOT, 'package.json'));
  const lock = readJson<Lock>(join(ROOT, 'package-lock.json'));

  it("the lock's root lists exactly package.json's name, version and dependencies", () => {
    const root = lock.packages[''];
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect({ name: lock.name, version: lock.version }).toEqual({ name: pkg.name, version: pkg.version });
    for (const kind of DEP_KINDS) expect(root?.[kind] ?? {}, kind).toEqual(pkg[kind] ?? {});
  });

  it('every dependency is resolved in the lock, at a version its range allows, with what npm ci needs', () => {
    for (const kind of DEP_KINDS) {
      for (const name of Object.keys(pkg[kind] ?? {})) {
        if (kind === 'optionalDependencies' || kind === 'peerDependencies') continue;
        expect(lock.packages[`node_modules/${name}`]?.version, `${name} in the lock`).toBeTruthy();
      }
    }
    // Every package npm ci will fetch has a version and a checksum (the registry supplies the tarball's address).
    const fetched = Object.entries(lock.packages).filter(([path, e]) => path !== '' && !e.link);
    const incomplete = fetched.filter(([, e]) => !e.version || !e.integrity).map(([p]) => p);
    expect(incomplete).toEqual([]);
    expect(npmLockProblems(ROOT)).toEqual([]);
  });

  it('a package.json that has moved on from its lock is caught', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-lock-'));
    copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    const moved: Manifest = {
      ...pkg,
      dependencies: { ...pkg.dependencies, 'left-pad': '^1.3.0', zod: '^3.0.0' },
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(moved, null, 2));
    const problems = npmLockProblems(dir);
    expect(problems).toContain(`missing: left-pad@^1.3.0, required by ${pkg.name}@${pkg.version}`);
    expect(problems.some((p) => p.startsWith('invalid: zod@'))).toBe(true);
  });
});
