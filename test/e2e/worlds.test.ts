import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { demoWorldPath, packageRoot } from '../../main/hosts/paths';
import { RecentStore } from '../../main/hosts/recent';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

const PEBBLE = join(packageRoot(), 'assets', 'worlds', 'pebble-notes');

/** Opening worlds from the console: the picker, a swap to another demo world, a bad path, the recent list. */
describe.skipIf(!chromiumPresent)('opening worlds in Chromium', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const picker = () => page.getByRole('dialog', { name: 'Open a world, trace or log' });
  const worldName = () => page.locator('.world').textContent();
  /** Every text the header's helper progress showed, in order, across page loads. */
  const startupSeen = () =>
    page.evaluate(() => JSON.parse(sessionStorage.getItem('startup-seen') ?? '[]') as string[]);

  /** The steps shown since entry `since` end with "Started N helpers in T ms", and any before it count up to N. */
  const expectStartupShown = async (helpers: number, since = 0) => {
    const final = new RegExp(`^Started ${helpers} helpers? in \\d+ ms$`);
    const fresh = async () => (await startupSeen()).slice(since);
    await expect.poll(async () => (await fresh()).some((t) => final.test(t))).toBe(true);
    const seen = await fresh();
    const last = seen.findLastIndex((t) => final.test(t));
    const counts: number[] = [];
    for (let i = last - 1; i >= 0 && /^Starting helpers/.test(seen[i] ?? ''); i--)
      counts.unshift(Number(/^Starting helpers (\d+) of/.exec(seen[i] ?? '')?.[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.every((n) => n < helpers)).toBe(true);
    return seen;
  };

  beforeAll(async () => {
    const recent = new RecentStore(join(mkdtempSync(join(tmpdir(), 'xpc-lab-e2e-home-')), 'recent.json'));
    host = await startHeadless({ recent, record: false });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    // Each page load records what the helper progress shows, so a swap's whole sequence survives the reload.
    await page.addInitScript(() => {
      const key = 'startup-seen';
      const note = () => {
        const text = document.querySelector('.startup-progress')?.textContent?.trim();
        const seen = JSON.parse(sessionStorage.getItem(key) ?? '[]') as string[];
        if (text && seen.at(-1) !== text) sessionStorage.setItem(key, JSON.stringify([...seen, text]));
      };
      new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(host.server.url);
    await page.waitForSelector('.status-live');
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('shows the first world starting its helpers, then how long they took', async () => {
    expect(await worldName()).toBe('Acme VPN');
    await expectStartupShown(3);
  });

  it('opens the picker from the header button and with Ctrl+O; Escape closes it', async () => {
    await page.getByRole('button', { name: 'Acme VPN: open another world' }).click();
    await expect.poll(() => picker().isVisible()).toBe(true);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('world-path');
    await page.keyboard.press('Escape');
    await expect.poll(() => picker().count()).toBe(0);

    await page.keyboard.press('Control+o');
    await expect.poll(() => picker().isVisible()).toBe(true);
    const recent = picker().getByRole('region', { name: 'Recent worlds' });
    await expect.poll(() => recent.getByRole('button').count()).toBe(1);
    expect(await recent.getByRole('button').textContent()).toContain(demoWorldPath());
    expect(await recent.getByRole('button').getAttribute('aria-current')).toBe('true');
    const demos = picker().getByRole('region', { name: 'Demo worlds' });
    const names = await demos.locator('.world-choice-name').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['Acme VPN', 'Pebble Notes', 'Orbit Backup']));
    expect(await demos.getByRole('button', { name: /Pebble Notes/ }).textContent()).toContain(PEBBLE);
    await shot('world-picker');
  });

  it('switches to another demo world: its name, its helpers starting, its connections connected', async () => {
    const since = (await startupSeen()).length;
    await picker()
      .getByRole('region', { name: 'Demo worlds' })
      .getByRole('button', { name: /Pebble Notes/ })
      .click();
    await expect.poll(worldName, { timeout: 10_000 }).toBe('Pebble Notes');
    await page.waitForSelector('.status-live');
    expect(await picker().count()).toBe(0);
    await expectStartupShown(1, since);
    await expect
      .poll(() => page.locator('.startup-progress').textContent())
      .toMatch(/Started 1 helper in \d+ ms/);
    await page.getByRole('tab', { name: 'Connections' }).click();
    const rows = page.locator('table[aria-label="Connections"] tbody tr[data-state="connected"]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const services = await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-service')));
    expect(services).toContain('group.com.pebble.notes.sync');
    // Nothing of the old world is left in the console: no Acme process in the processes pane.
    expect(await page.locator('.proc[data-label^="com.acme"]').count()).toBe(0);
    await shot('world-switched');
  });

  it('a folder that is not a world is refused inline, naming it, and the world shown keeps running', async () => {
    await page.keyboard.press('Control+o');
    const bad = mkdtempSync(join(tmpdir(), 'xpc-lab-not-a-world-'));
    await picker().getByLabel('Folder or file').fill(bad);
    await picker().getByRole('button', { name: 'Open', exact: true }).click();
    const alert = picker().getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe(`${bad} is not a world: it has no Applications/ folder, no Library/ folder and no world.plist`);
    await picker().getByLabel('Folder or file').fill('relative/world');
    await picker().getByLabel('Folder or file').press('Enter');
    await expect.poll(() => alert.textContent()).toMatch(/^relative\/world: not an absolute path/);
    await shot('world-picker-error');
    expect(await worldName()).toBe('Pebble Notes');
    expect(await page.locator('.status-live').count()).toBe(1);
  });

  it('reopens the first world from the recent list', async () => {
    const recent = picker().getByRole('region', { name: 'Recent worlds' });
    await expect
      .poll(() => recent.locator('.world-choice-name').allTextContents())
      .toEqual(['Pebble Notes', 'Acme VPN']);
    const since = (await startupSeen()).length;
    await recent.getByRole('button', { name: /Acme VPN/ }).click();
    await expect.poll(worldName, { timeout: 10_000 }).toBe('Acme VPN');
    await page.waitForSelector('.status-live');
    await expectStartupShown(3, since);
    await page.getByRole('tab', { name: 'Connections' }).click();
    await expect
      .poll(() => page.locator('table[aria-label="Connections"] tbody tr[data-state="connected"]').count(), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(5);
    expect(host.session.broker.world.name).toBe('Acme VPN');
  });

  it('opens a Mac log by its path and lists it with the recent files; a file that is neither is refused', async () => {
    await page.keyboard.press('Control+o');
    const notes = join(mkdtempSync(join(tmpdir(), 'xpc-lab-notes-')), 'notes.txt');
    writeFileSync(notes, 'shopping list\nmilk\neggs\n');
    await picker().getByLabel('Folder or file').fill(notes);
    await picker().getByLabel('Folder or file').press('Enter');
    await expect
      .poll(() => picker().getByRole('alert').textContent())
      .toMatch(
        new RegExp(
          `^${notes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: none of its 3 lines is a libxpc or launchd line`,
        ),
      );
    expect(await worldName()).toBe('Acme VPN');

    const log = join(packageRoot(), 'test/fixtures/logs/written/nextcloud-10479.default.log');
    await picker().getByLabel('Folder or file').fill(log);
    await picker().getByLabel('Folder or file').press('Enter');
    await expect.poll(worldName, { timeout: 10_000 }).toBe('nextcloud-10479.default.log');
    await page.waitForSelector('.status-live');
    expect(await page.locator('.trace-badge').textContent()).toBe('recorded trace');
    // The processes are the ones the log shows, by name and pid.
    await expect
      .poll(() => page.getByRole('complementary', { name: 'Processes pane' }).textContent())
      .toMatch(/FinderSyncExt\s*51184/);
    // The log's one connection is a listener that failed to activate: shown with peers and listeners.
    await page.getByRole('tab', { name: 'Connections' }).click();
    await page.getByLabel('show peers and listeners').check();
    await expect
      .poll(
        () => page.locator('table[aria-label="Connections"] tbody tr[data-state="invalidated"]').count(),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThan(0);

    await page.keyboard.press('Control+o');
    const files = picker().getByRole('region', { name: 'Recent traces and logs' });
    await expect
      .poll(() => files.locator('.world-choice-name').allTextContents())
      .toEqual(['nextcloud-10479.default.logmacOS log']);
    expect(await files.getByRole('button').getAttribute('aria-current')).toBe('true');
    await shot('open-recent-files');
    await page.keyboard.press('Escape');
  });

  it("asks before opening a user's world that runs scripts, listing them; declining leaves what is shown", async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'xpc-lab-e2e-scripts-')), 'pebble-notes');
    cpSync(PEBBLE, copy, { recursive: true });
    const before = await worldName();
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.keyboard.press('Control+o');
    await picker().getByLabel('Folder or file').fill(copy);
    await picker().getByLabel('Folder or file').press('Enter');
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toBe(
      `${copy}: this world runs a script as you, with your files and network, when its helpers start:\n  scripts/pebble-sync.mjs (com.pebble.notes.sync)\nOpen it only if you trust these scripts.`,
    );
    await expect.poll(() => picker().getByRole('alert').textContent()).toContain('scripts/pebble-sync.mjs');
    expect(await worldName()).toBe(before);

    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await picker().getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(worldName, { timeout: 10_000 }).toBe('Pebble Notes');
    expect(asked.length).toBe(2);
    expect(host.session.broker.world.root).toBe(copy);
  });
});
