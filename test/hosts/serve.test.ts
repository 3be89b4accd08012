import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeCodeOf, frame, rawWebSocket } from '../support/raw-ws';

const CLI = join(process.cwd(), 'bin', 'xpc-lab.mjs');
let child: ChildProcess | undefined;
afterEach(() => child?.kill('SIGKILL'));

function serve(args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'xpc-lab-home-'));
  child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-record', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XPC_LAB_HOME: home },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => {
    out.stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out.stderr += c.toString();
  });
  const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
  return { out, exited };
}

describe('xpc-lab serve', () => {
  it('prints each helper as it comes up, then how long they all took', async () => {
    const { out } = serve([]);
    await expect.poll(() => out.stdout, { timeout: 10_000 }).toMatch(/started 3 helpers in \d+ ms/);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(/^XPC Lab: world "Acme VPN" \(\d+ jobs\) from .*acme-vpn$/);
    expect(lines).toContain('XPC Lab: starting 3 helpers');
    const up = lines.filter((l) => / up \(\d of 3\)$/.test(l));
    expect(up.map((l) => /\((\d) of 3\)/.exec(l)?.[1])).toEqual(['1', '2', '3']);
    expect(up.join('\n')).toMatch(/com\.acme\.vpn \[\d+\] up/);
    expect(out.stdout).toMatch(/XPC Lab console: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });

  it('refuses a folder that is not a world, naming it and what is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'xpc-lab-not-a-world-'));
    const { out, exited } = serve([empty]);
    expect(await exited).toBe(2);
    expect(out.stderr).toBe(
      `xpc-lab serve: ${empty} is not a world: it has no Applications/ folder, no Library/ folder and no world.plist\n`,
    );
  });

  it('refuses a file that is not a Mac log before serving anything, and exits', async () => {
    const notes = join(mkdtempSync(join(tmpdir(), 'xpc-lab-notes-')), 'notes.txt');
    writeFileSync(notes, 'shopping list\nmilk\n');
    const { out, exited } = serve(['--log', notes]);
    expect(await exited).toBe(2);
    expect(out.stdout).not.toMatch(/console: http/);
    expect(out.stderr).toMatch(
      new RegExp(`^xpc-lab serve: ${notes}: none of its 2 lines is a libxpc or launchd line`),
    );
  });

  it('keeps serving after requests and frames that used to end it', async () => {
    const { out } = serve([]);
    await expect.poll(() => out.stdout, { timeout: 10_000 }).toMatch(/XPC Lab console: (http:\S+)/);
    const url = new URL(/XPC Lab console: (http:\S+)/.exec(out.stdout)?.[1] ?? '');
    const base = `http://127.0.0.1:${url.port}`;
    const token = url.searchParams.get('token');
    expect((await fetch(`${base}/`, { headers: { cookie: 'xpclab_token=%' } })).status).toBe(401);
    expect((await fetch(`${base}/%E0%A4%A?token=${token}`)).status).toBe(400);
    const raw = await rawWebSocket(Number(url.port), `/ws?token=${token}`);
    raw.send(frame(Buffer.alloc(0), { declaredLength: 50 * 1024 * 1024 }));
    await raw.closed;
    expect(closeCodeOf(raw.received())).toBe(1009);
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(child?.exitCode).toBeNull();
    expect(out.stderr).toMatch(/a console socket was closed: Max payload size exceeded/);
  });
});
