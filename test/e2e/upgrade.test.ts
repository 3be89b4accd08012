import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

const NE = 'ABCDE12345.com.acme.vpn.tunnel';

/** The Upgrade and Scenarios panels, driven in Chromium against the demo world (its VPN is connected). */
describe.skipIf(!chromiumPresent)('the upgrade and scenarios panels', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const view = (name: string) => page.getByRole('tab', { name }).click();
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const neRows = (state: string) =>
    page.locator(`table[aria-label="Connections"] tbody tr[data-service="${NE}"][data-state="${state}"]`);

  beforeAll(async () => {
    host = await startHeadless();
    ({ browser, page } = await openConsole(host.server.url, errors));
  }, 60_000);

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('the header says where the session is recorded', async () => {
    const hello = await host.session.handle({ type: 'hello' });
    const recording = hello.ok ? (hello.value as { recording: { path: string } | null }).recording : null;
    if (recording)
      await expect.poll(() => page.locator('header .recording').textContent()).toContain(recording.path);
  });

  it('a bump upgrade with the VPN connected leaves the extension name bound to the old instance', async () => {
    await view('Upgrade');
    const form = page.getByRole('form', { name: 'Upgrade' });
    await expect
      .poll(() => form.getByLabel('VPN connected', { exact: true }).textContent())
      .toMatch(/as the world has it \(yes\)/);
    await expect.poll(() => form.getByLabel('App', { exact: true }).inputValue()).toBe('com.acme.vpn');
    await form.getByRole('button', { name: 'Run upgrade' }).click();

    const report = page.getByRole('article', { name: 'Upgrade report' });
    await expect
      .poll(() => report.getByRole('region', { name: 'Replaced' }).textContent(), { timeout: 15_000 })
      .toMatch(/com\.acme\.vpn\.tunnel.*→/);
    expect(await report.getByRole('region', { name: 'Why' }).textContent()).toMatch(/§5\.4/);
    const list = page.getByRole('region', { name: 'System extensions' });
    await expect.poll(() => list.textContent()).toMatch(/\[terminated waiting to uninstall on reboot\]/);
    await expect.poll(() => list.locator('.stale-binding').textContent()).toContain(NE);
    expect(await list.locator('.stale-line').count()).toBeGreaterThan(0);
    await shot('upgrade');
    await report.getByRole('region', { name: 'Remedies' }).scrollIntoViewIfNeeded();
    await shot('upgrade-remedies');
  });

  it('the app reconnects by itself, and each new connection to the stale name is invalidated', async () => {
    await view('Connections');
    // One row per connection here: repeats are collapsed by default (test/e2e/repeats.test.ts covers that).
    await page.getByLabel('collapse repeats').uncheck();
    await expect.poll(() => neRows('invalidated').count(), { timeout: 15_000 }).toBeGreaterThan(1);
    const before = await neRows('invalidated').count();
    await expect.poll(() => neRows('invalidated').count(), { timeout: 15_000 }).toBeGreaterThan(before);
    await page.getByLabel('collapse repeats').check();
  });

  it('deactivating and activating the extension rebinds its name', async () => {
    await view('Upgrade');
    await page.getByRole('button', { name: 'Deactivate then activate' }).click();
    const list = page.getByRole('region', { name: 'System extensions' });
    await expect.poll(() => list.locator('.no-stale').count(), { timeout: 15_000 }).toBe(1);
    expect(await list.locator('.stale-binding').count()).toBe(0);
  });

  it('a scenario run shows each step and its verdict', async () => {
    await view('Scenarios');
    await page.getByRole('button', { name: 'Run on-demand-launch.yaml' }).click();
    const progress = page.getByRole('region', { name: 'Scenario progress' });
    await expect
      .poll(() => progress.locator('.verdict').textContent(), { timeout: 60_000 })
      .toMatch(/^Passed: (\d+) of \1 steps/);
    expect(await progress.locator('.step-bad').count()).toBe(0);
    expect(await progress.locator('.step-ok').count()).toBeGreaterThan(0);
    expect(await progress.locator('.trace-path').textContent()).toMatch(/\.ndjson$|\.trace|\//);
    await shot('scenarios');
  });
});
