import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

/** Lists are ARIA grids with one tab stop each; the filter never types by itself and never fails silently. */
describe.skipIf(!chromiumPresent)('keyboard and filter', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const input = () => page.getByLabel('Filter', { exact: true });
  const active = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { role: el?.getAttribute('role'), id: el?.dataset.id, conn: el?.dataset.conn, tag: el?.tagName };
    });

  beforeAll(async () => {
    host = await startHeadless();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.server.url);
    await page.waitForSelector('.status-live', { timeout: 60_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('[aria-label="Messages"] .msg-row').length > 10,
      null,
      { timeout: 30_000 },
    );
  }, 120_000);

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('tabbing through the empty filter types nothing and shows no error', async () => {
    await input().focus();
    await expect.poll(() => page.locator('.suggestions').count()).toBeGreaterThan(0);
    await page.keyboard.press('Tab');
    expect(await input().inputValue()).toBe('');
    expect(await page.locator('.filter-problem').count()).toBe(0);
  });

  it('the message list is a grid: rows take focus, one tab stop, arrows move it, row buttons are out of the tab order', async () => {
    const grid = page.getByRole('grid', { name: 'Messages' });
    expect(await grid.count()).toBe(1);
    await page.getByRole('button', { name: 'Pause' }).click();
    const stops = await grid.evaluate((g) => ({
      rows: [...g.querySelectorAll('[role="row"]')].filter((r) => r.getAttribute('tabindex') === '0').length,
      buttons: [...g.querySelectorAll('button')].filter((b) => b.tabIndex >= 0).length,
    }));
    expect(stops).toEqual({ rows: 1, buttons: 0 });
    const row = grid.locator('[role="row"]').nth(3);
    await row.locator('[role="gridcell"]').first().click();
    const first = await active();
    expect(first.role).toBe('row');
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await active()).id).not.toBe(first.id);
    expect((await active()).role).toBe('row');
    expect(await grid.locator('[role="row"][tabindex="0"]').count()).toBe(1);
    await page.getByRole('button', { name: /^Resume/ }).click();
  });

  it('the connection list is a grid too, and its Cancel buttons are not tab stops', async () => {
    await page.getByRole('tab', { name: 'Connections', exact: true }).click();
    const grid = page.getByRole('grid', { name: 'Connections' });
    await expect.poll(() => grid.locator('tbody tr').count()).toBeGreaterThan(2);
    expect(await grid.locator('tbody tr[tabindex="0"]').count()).toBe(1);
    expect(await grid.locator('button:not([tabindex="-1"])').count()).toBe(0);
    await grid.locator('tbody tr').first().focus();
    const first = (await active()).conn;
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await active()).conn).not.toBe(first);
    await page.getByRole('tab', { name: 'Messages', exact: true }).click();
  });

  it('an invalid filter says what the list still shows, blames the right token, and its dropdown leaves the error readable', async () => {
    await input().fill('dir == reply');
    await input().press('Enter');
    await input().fill('latency > 10 parsecs');
    const problem = page.locator('.filter-problem');
    await expect.poll(() => problem.count()).toBe(1);
    expect(await problem.locator('mark').textContent()).toBe('parsecs');
    expect(await problem.textContent()).toMatch(/'parsecs' is not a unit of latency/);
    await expect
      .poll(() => problem.textContent())
      .toMatch(/still show the last filter that worked: dir == reply/);
    const dirs = await page
      .locator('[aria-label="Messages"] .msg-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-dir')));
    expect(new Set(dirs)).toEqual(new Set(['reply']));

    await input().fill('service == ');
    await input().press('End');
    await expect.poll(() => page.locator('.suggestions').count()).toBe(1);
    await expect.poll(() => problem.count()).toBe(1);
    const [list, line] = await Promise.all([
      page.locator('.suggestions').boundingBox(),
      problem.boundingBox(),
    ]);
    expect(list && line).toBeTruthy();
    if (list && line) expect(list.y).toBeGreaterThanOrEqual(line.y + line.height - 1);
    await page.screenshot({ path: join(SCREENSHOTS, 'filter-invalid.png') });
    await input().fill('');
    await input().press('Enter');
  });
});
