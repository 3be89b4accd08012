import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

describe.skipIf(!chromiumPresent)('the console in Chromium, on the demo world', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    host = await startHeadless();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.server.url);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('refuses a request without the token', async () => {
    const res = await fetch(`http://127.0.0.1:${host.server.port}/`);
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/needs the token/);
  });

  it('shows the world and its connections turning connected', async () => {
    await expect.poll(() => page.locator('.world').textContent()).toBe('Acme VPN');
    await page.waitForSelector('.status-live');
    await page.getByRole('tab', { name: 'Connections' }).click();
    await expect
      .poll(() => page.locator('table[aria-label="Connections"] tbody tr[data-state="connected"]').count(), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(5);
    const services = await page
      .locator('table[aria-label="Connections"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service')));
    expect(services).toEqual(
      expect.arrayContaining([
        'ABCDE12345.com.acme.vpn.tunnel',
        'com.acme.vpn.helper',
        'com.acme.vpn.logparser',
        'com.acme.vpn.agent',
      ]),
    );
    const domains = await page.locator('.processes h3').allTextContents();
    expect(domains).toEqual(expect.arrayContaining(['system', 'gui/501']));
    await page.screenshot({ path: join(SCREENSHOTS, 'console-live.png') });
  });

  it('streams messages as they pass', async () => {
    await page.getByRole('tab', { name: 'Messages' }).click();
    const rows = page.locator('[aria-label="Messages"] .msg-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(5);
    const count = async () =>
      Number(((await page.getByLabel('Message count').textContent()) ?? '0').replace(/[^0-9]/g, ''));
    const before = await count();
    await expect.poll(count, { timeout: 5000 }).toBeGreaterThan(before);
    expect(await page.locator('[aria-label="Messages"] .msg-row[data-dir="reply"]').count()).toBeGreaterThan(
      0,
    );
  });

  it('a crash clicked in the console shows the interruption and the relaunch', async () => {
    const helperRow = page.locator('.proc[data-label="com.acme.vpn.helper"]').first();
    const oldPid = await helperRow.getAttribute('data-pid');
    await page.getByRole('button', { name: 'Crash com.acme.vpn.helper' }).click();
    await page.getByRole('tab', { name: 'Connections' }).click();
    await page
      .locator('table[aria-label="Connections"] tbody tr[data-service="com.acme.vpn.helper"] td.col-since')
      .click();
    const history = page.locator('.inspector .history');
    await expect.poll(() => history.textContent(), { timeout: 10_000 }).toMatch(/interrupted/);
    expect(await history.textContent()).toMatch(/INTERRUPTED/);
    expect(await page.locator('.inspector').textContent()).toMatch(/crashed \(SIGSEGV\)/);
    await expect
      .poll(
        async () => page.locator('.proc.running[data-label="com.acme.vpn.helper"]').getAttribute('data-pid'),
        { timeout: 10_000 },
      )
      .not.toBe(oldPid);
    await page.getByRole('tab', { name: 'Events' }).click();
    await expect
      .poll(() => page.locator('[aria-label="Events"]').textContent())
      .toMatch(/com\.acme\.vpn\.helper\[\d+\] crashed \(SIGSEGV\)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'crash-events.png') });
    await page.getByRole('tab', { name: 'Connections' }).click();
  });

  it('a connection cancelled in the console goes to invalidated and stays there', async () => {
    const row = page.locator(
      'table[aria-label="Connections"] tbody tr[data-service="com.acme.vpn.logparser"]',
    );
    await row.getByRole('button', { name: /^Cancel/ }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('invalidated');
    await page.waitForTimeout(2500);
    expect(await row.getAttribute('data-state')).toBe('invalidated');
    await row.locator('td.col-since').click();
    expect(await page.locator('.inspector').textContent()).toMatch(
      /cancelled the connection by calling xpc_connection_cancel\(\)/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'cancelled.png') });
  });
});
