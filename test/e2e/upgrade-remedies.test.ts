import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, type ReplayHost, serveRecording, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

const NE = 'ABCDE12345.com.acme.vpn.tunnel';
const APP = 'com.acme.vpn';
/** The brief's bound: each remedy's outcome is in the report within 10 s. */
const OUTCOME_MS = 10_000;

/**
 * The upgrade story in Chromium, on the demo world with its VPN connected: the
 * report leads with the app's failing tunnel connection, survives a reload, a
 * second window and a reopened trace, and each remedy says whether the app
 * recovered (XPC-MODEL §5.4, §10.1).
 */
describe.skipIf(!chromiumPresent)('the upgrade report and its remedies', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const shot = (p: Page, name: string) =>
    p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const report = (p: Page) => p.getByRole('article', { name: 'Upgrade report' });
  const firstBroken = (p: Page) => report(p).locator('.broken-groups > li').first();
  const tried = (p: Page, remedy: string) =>
    report(p).locator(`.remedies-tried > li[data-remedy="${remedy}"]`).last();

  async function open(p: Page, url: string): Promise<void> {
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(url);
    await p.waitForSelector('.status-live');
    await p.getByRole('tab', { name: 'Upgrade' }).click();
  }

  beforeAll(async () => {
    host = await startHeadless({ record: mkdtempSync(join(tmpdir(), 'xpc-lab-upgrade-e2e-')) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, host.server.url);
  }, 60_000);

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  }, 60_000);

  it('lists the app’s failing connection to the tunnel first, grouped with its count', async () => {
    const form = page.getByRole('form', { name: 'Upgrade' });
    await expect.poll(() => form.getByLabel('App', { exact: true }).inputValue()).toBe(APP);
    await form.getByRole('button', { name: 'Run upgrade' }).click();
    await expect.poll(() => firstBroken(page).getAttribute('data-app'), { timeout: 15_000 }).toBe('true');
    const first = firstBroken(page);
    expect(await first.textContent()).toContain(`${APP} → ${NE}`);
    expect(await first.textContent()).toContain('invalidated after a failed init');
    // The app makes a new connection every 2 s; each one is counted in the same row.
    await expect
      .poll(async () => Number(await firstBroken(page).getAttribute('data-count')), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    expect(await firstBroken(page).textContent()).toMatch(/×\d+ since \d\d:\d\d:\d\d/);
    const why = await report(page).getByRole('region', { name: 'Why' }).textContent();
    expect(why).toMatch(/§5\.4/);
    expect(why).not.toMatch(/its clients got INTERRUPTED/);
    await shot(page, 'upgrade-report');
  }, 60_000);

  it('survives a reload and shows in a second window', async () => {
    await page.reload();
    await page.waitForSelector('.status-live');
    await page.getByRole('tab', { name: 'Upgrade' }).click();
    await expect.poll(() => firstBroken(page).getAttribute('data-app')).toBe('true');
    expect(await firstBroken(page).textContent()).toContain(`${APP} → ${NE}`);
    const second = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    await open(second, host.server.url);
    await expect.poll(() => firstBroken(second).textContent()).toContain(`${APP} → ${NE}`);
    expect(await report(second).getByRole('button', { name: 'Deactivate then activate' }).count()).toBe(1);
    await shot(second, 'upgrade-report-1024');
    await second.close();
  }, 60_000);

  it('`kind == upgrade` finds the report in Events', async () => {
    await page.getByRole('tab', { name: 'Events' }).click();
    await page.getByLabel('Filter', { exact: true }).fill('kind == upgrade');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    const events = page.getByRole('log', { name: 'Events' });
    await expect.poll(() => events.locator('.event[data-kind="upgrade"]').count()).toBe(1);
    expect(await events.locator('.event:not([data-kind="upgrade"])').count()).toBe(0);
    await page.getByLabel('Filter', { exact: true }).fill('');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await page.getByRole('tab', { name: 'Upgrade' }).click();
  }, 60_000);

  it('restarting the app reports within 10 s that the app did not recover, and why', async () => {
    await report(page).getByRole('button', { name: 'Restart the app' }).click();
    await expect
      .poll(() => tried(page, 'restart-app').getAttribute('data-recovered'), { timeout: OUTCOME_MS })
      .toBe('false');
    const text = await tried(page, 'restart-app').textContent();
    expect(text).toMatch(/has not recovered/);
    expect(text).toContain(`${NE} is still bound to the replaced`);
  }, 60_000);

  it('deactivate + activate turns the VPN off and waits for the user’s Allow; Allow brings the app back', async () => {
    await report(page).getByRole('button', { name: 'Deactivate then activate' }).click();
    await expect
      .poll(() => tried(page, 'deactivate-activate').getAttribute('data-recovered'), { timeout: OUTCOME_MS })
      .toBe('false');
    const text = await tried(page, 'deactivate-activate').textContent();
    expect(text).toMatch(/VPN configuration is deleted/);
    expect(text).toMatch(/\[activated waiting for user\]/);
    expect(text).toMatch(/allow AcmeTunnel in System Settings \(Allow\)/);
    const approval = report(page).getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toMatch(/would like to add a network extension/);
    await report(page)
      .getByRole('region', { name: 'Approval' })
      .screenshot({
        path: join(SCREENSHOTS, 'upgrade-approval.png'),
      });
    await report(page)
      .getByRole('region', { name: 'Remedies tried' })
      .screenshot({ path: join(SCREENSHOTS, 'upgrade-remedies-tried.png') });

    const clicked = Date.now();
    await approval.getByRole('button', { name: 'Allow' }).click();
    await expect
      .poll(() => tried(page, 'allow').getAttribute('data-recovered'), { timeout: OUTCOME_MS })
      .toBe('true');
    expect(Date.now() - clicked).toBeLessThan(OUTCOME_MS);
    expect(await tried(page, 'allow').textContent()).toMatch(/recovered after \d/);
    expect(await report(page).getByRole('region', { name: 'Approval' }).count()).toBe(0);
    await report(page)
      .getByRole('region', { name: 'Remedies tried' })
      .screenshot({ path: join(SCREENSHOTS, 'upgrade-allowed.png') });
    const latest = report(page).locator('.remedies li[data-remedy="deactivate-activate"] .latest-outcome');
    expect(await latest.textContent()).toMatch(/has not recovered; still needed: the user has to allow/);
  }, 60_000);

  it('a reopened trace shows the same report and remedy outcomes', async () => {
    const path = host.recorder?.path;
    if (!path) throw new Error('the session was not recorded');
    await host.recorder?.flush();
    let replay: ReplayHost | undefined;
    const reopened = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      replay = await serveRecording(path, { kind: 'trace' });
      await replay.loaded;
      await open(reopened, replay.server.url);
      await expect.poll(() => firstBroken(reopened).textContent()).toContain(`${APP} → ${NE}`);
      expect(await firstBroken(reopened).getAttribute('data-app')).toBe('true');
      await expect.poll(() => tried(reopened, 'allow').getAttribute('data-recovered')).toBe('true');
      expect(await reopened.locator('.panel.upgrade').textContent()).not.toMatch(/upgrades run only live\.$/);
      await shot(reopened, 'upgrade-reopened');
    } finally {
      await reopened.close();
      await replay?.stop();
    }
  }, 60_000);
});
