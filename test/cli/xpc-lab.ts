import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
/**
 * Each test starts xpc-lab one or more times, each a fresh Node process that
 * loads the whole bundle: seconds apiece on a loaded CI machine.
 */
export const SPAWNS_TIMEOUT = 180_000;
const BIN = join(ROOT, 'bin', 'xpc-lab.mjs');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `xpc-lab` as a user would, in its own process, with stdout and stderr piped (not a terminal). */
export function xpcLab(args: string[], cwd = ROOT): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, XPC_LAB_HOME: scratch() },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `xpc-lab` under a pseudo-terminal (util-linux `script`), so stdout and
 * stderr are TTYs; both arrive in one stream, as on a terminal.
 */
export function xpcLabOnTerminal(args: string[]): Ran {
  const line = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  // A wide terminal, so a progress line with a long path is not cut short.
  const r = spawnSync('script', ['-qefc', `stty cols 250; ${line}`, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const scratch = (): string => mkdtempSync(join(tmpdir(), 'xpc-lab-cli-'));
export const fixture = (...parts: string[]): string => join(ROOT, 'test', 'fixtures', ...parts);
export const asset = (...parts: string[]): string => join(ROOT, 'assets', ...parts);

/** What a progress line starts with: back to the line's start, and clear it. */
export const REDRAW = '\r\u001b[K';
