import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../main/hosts/paths';
import { parseStamp } from '../../main/trace/import/time';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

/**
 * `log stream … | xpc-lab serve --log -`: a real recorded default-style stream
 * (FuzzyIdeas/YellowDot#19, verbatim) written into the command's standard
 * input at the pace its timestamps give, while Chromium watches.
 */
const STREAM = join(packageRoot(), 'test/fixtures/real/logs/yellowdot-19.default.log');
const CLI = join(packageRoot(), 'bin', 'xpc-lab.mjs');
/** Longer gaps than this are shortened, so a long recording replays in test time. */
const MAX_GAP_MS = 500;

describe.skipIf(!chromiumPresent)('a live log piped into serve --log -', () => {
  let child: ChildProcess;
  let browser: Browser;
  let page: Page;
  let stdout = '';
  const errors: string[] = [];
  const lines = readFileSync(STREAM, 'utf8').split(/(?<=\n)/);
  const rows = () => page.locator('table[aria-label="Connections"] tbody tr[data-conn]');

  /** Writes lines [from, to) at their original pace. */
  async function play(from: number, to: number): Promise<void> {
    let last: number | undefined;
    for (const line of lines.slice(from, to)) {
      const t = parseStamp(line.slice(0, 31))?.t;
      if (t !== undefined && last !== undefined) {
        await new Promise((r) => setTimeout(r, Math.min(MAX_GAP_MS, Math.max(0, t - last!))));
      }
      if (t !== undefined) last = t;
      child.stdin?.write(line);
    }
  }

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, XPC_LAB_HOME: mkdtempSync(join(tmpdir(), 'xpc-lab-home-')) },
    });
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!/showing a live log/.test(stdout) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const url = /XPC Lab console: (http\S+)/.exec(stdout)![1]!;
    ({ browser, page } = await openConsole(url, errors));
    await page.getByRole('tab', { name: 'Connections' }).click();
  });

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGKILL');
  });

  it('the command says where the console is and that it shows a live log from standard input', () => {
    expect(stdout).toMatch(/XPC Lab console: http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toContain('XPC Lab: showing a live log from standard input');
  });

  it('the header says it is a live log and where it comes from', async () => {
    await expect.poll(() => page.locator('.trace-badge').textContent()).toBe('live log from standard input');
    expect(await page.locator('.world').textContent()).toBe('live log · standard input');
  });

  it('events appear as the lines arrive', async () => {
    expect(await rows().count()).toBe(0);
    await play(0, 1);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    expect(await rows().first().getAttribute('data-conn')).toBe('0x6000002402d0@17381');
    await play(1, lines.length);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'live-log-stdin.png') });
  });

  it('when the stream ends the console keeps showing it, and the command says how much it read', async () => {
    child.stdin?.end();
    await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/XPC Lab: standard input ended: \d+ events/);
    expect(await rows().count()).toBe(3);
    expect(errors).toEqual([]);
  });
});
