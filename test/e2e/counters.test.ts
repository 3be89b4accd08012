import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

/** The header's counts, Statistics' totals and the lines about exits and cancels say what they count. */
describe.skipIf(!chromiumPresent)('counters that agree and say what they count', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const connRows = 'table[aria-label="Connections"] tbody tr';
  const view = (name: string) => page.getByRole('tab', { name, exact: true }).click();
  const filter = async (text: string) => {
    const input = page.getByLabel('Filter', { exact: true });
    await input.fill(text);
    await input.press('Enter');
  };

  beforeAll(async () => {
    host = await startHeadless();
    ({ browser, page } = await openConsole(host.server.url, errors));
    await view('Connections');
    await page.waitForFunction(
      (sel) => document.querySelectorAll(`${sel}[data-state="connected"]`).length >= 4,
      connRows,
      { timeout: 10_000 },
    );
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('the header counts the state now, and Statistics says it counts since the start', async () => {
    const summary = page.getByRole('status', { name: 'Summary' }).or(page.locator('output.summary'));
    expect(await summary.first().textContent()).toMatch(/^now\s*\d+ running/i);
    expect(await summary.first().getAttribute('title')).toMatch(/now/i);
    await view('Statistics');
    expect(await page.getByRole('region', { name: 'Errors' }).textContent()).toMatch(/since the start/);
  });

  it("a cancelled connection's peer names the client's pid, never pid -1", async () => {
    await view('Connections');
    const client = page.locator(`${connRows}[data-side="client"][data-service="com.acme.vpn.logparser"]`);
    const appPid = await client.getAttribute('data-pid');
    await page.getByLabel('show peers and listeners').check();
    // The service's side exists once the on-demand service has taken the connection: wait for it first.
    const peers = page.locator(`${connRows}[data-service^="com.acme.vpn.logparser.peer[${appPid}]"]`);
    await expect.poll(() => peers.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await client.getByRole('button', { name: /^Cancel/ }).click();
    await expect.poll(() => client.getAttribute('data-state')).toBe('invalidated');
    const peer = page
      .locator(
        `${connRows}[data-service^="com.acme.vpn.logparser.peer[${appPid}]"][data-state="invalidated"]`,
      )
      .first();
    await expect.poll(() => peer.count()).toBe(1);
    await peer.locator('td.col-since').click();
    const inspector = page.locator('.inspector');
    await expect.poll(() => inspector.textContent()).toContain(`the client process (pid ${appPid})`);
    expect(await inspector.textContent()).not.toMatch(/pid -1/);
    await page.getByLabel('show peers and listeners').uncheck();
  });

  it('memory pressure is logged once', async () => {
    await page.getByRole('button', { name: 'Memory pressure' }).click();
    await view('Events');
    await filter('kind == action');
    const titles = () =>
      page
        .locator('[aria-label="Events"] .event-title')
        .evaluateAll((els) => els.map((e) => e.textContent ?? '').filter((t) => /you: pressure/.test(t)));
    await expect.poll(async () => (await titles()).length).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    expect(await titles()).toHaveLength(1);
    await filter('');
  });

  it('processes the installer quit are not red like a crash', async () => {
    const res = await host.session.handle({ type: 'upgrade', app: 'com.acme.vpn', mode: 'bump' });
    expect(res.ok).toBe(true);
    const exits = page.locator('.domain.exited .proc');
    await expect
      .poll(
        () =>
          exits.evaluateAll(
            (els) => els.filter((e) => /installer|with its app/.test(e.getAttribute('title') ?? '')).length,
          ),
        {
          timeout: 15_000,
        },
      )
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Crash com.acme.vpn.helper' }).click();
    await expect.poll(() => exits.first().getAttribute('title')).toMatch(/crashed/);
    const colours = await exits.evaluateAll((els) =>
      els.map((e) => ({
        title: e.getAttribute('title') ?? '',
        colour: getComputedStyle(e.querySelector('.exit-cause') as Element).color,
        dot: getComputedStyle(e.querySelector('.dot') as Element).backgroundColor,
      })),
    );
    const crash = colours.find((c) => /crashed/.test(c.title));
    const quit = colours.filter((c) => /installer|with its app/.test(c.title));
    expect(crash).toBeDefined();
    for (const q of quit) {
      expect(q.colour).not.toBe(crash?.colour);
      expect(q.dot).not.toBe(crash?.dot);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'counters-installer-quit.png') });
  });
});
