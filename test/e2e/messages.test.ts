import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

/** Messages get what Connections has, and what DevTools' Network panel and Console.app users expect. */
describe.skipIf(!chromiumPresent)('the message list as an inspector', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const rows = () => page.locator('[aria-label="Messages"] .msg-row');
  const filterInput = () => page.getByLabel('Filter', { exact: true });
  const filter = async (text: string) => {
    await filterInput().fill(text);
    await filterInput().press('Enter');
  };
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    host = await startHeadless();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(host.server.url).origin,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.server.url);
    await page.waitForSelector('.status-live');
    await page.waitForFunction(
      () => document.querySelectorAll('[aria-label="Messages"] .msg-row').length > 20,
      null,
      {
        timeout: 20_000,
      },
    );
  }, 120_000);

  beforeEach(async () => {
    if (await filterInput().inputValue()) await filter('');
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('sorts by a column, and hides columns chosen in the column chooser', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('.list-head').getByRole('button', { name: /^Key/ }).click();
    const keys = await rows().evaluateAll((els) =>
      els.map((e) => e.querySelector('.key')?.textContent?.trim() ?? ''),
    );
    expect(keys.length).toBeGreaterThan(5);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    await page.locator('.list-head').getByRole('button', { name: /^Key/ }).click();
    const desc = await rows().evaluateAll((els) =>
      els.map((e) => e.querySelector('.key')?.textContent?.trim() ?? ''),
    );
    expect(desc).toEqual([...desc].sort((a, b) => b.localeCompare(a)));
    await page.locator('.list-head').getByRole('button', { name: /^Key/ }).click();

    await page.locator('.messages .chooser summary').click();
    await page.locator('.messages .chooser-menu').getByLabel('Payload').uncheck();
    await expect.poll(() => page.locator('[aria-label="Messages"] .msg-row .preview').count()).toBe(0);
    expect(await page.locator('.list-head').textContent()).not.toMatch(/Payload/);
    await page.locator('.messages .chooser-menu').getByLabel('Payload').check();
    await page.locator('.messages .chooser summary').click();
    await page.getByRole('button', { name: /^Resume/ }).click();
  });

  it('shows time since the start or since the previous message', async () => {
    const time = page.getByLabel('Time column');
    await time.selectOption('start');
    await expect
      .poll(() => rows().first().locator('[role="gridcell"]').first().textContent())
      .toMatch(/^\+[\d.]+ (ms|s)/);
    await time.selectOption('previous');
    await expect
      .poll(() => rows().nth(3).locator('[role="gridcell"]').first().textContent())
      .toMatch(/^\+[\d.]+ (ms|s)/);
    await time.selectOption('clock');
    expect(await rows().first().locator('[role="gridcell"]').first().textContent()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3}$/,
    );
  });

  it('a bare word searches every text field; the field language still works', async () => {
    await filter('tunnel');
    expect(await page.locator('.filter-problem').count()).toBe(0);
    await expect.poll(() => rows().count()).toBeGreaterThan(0);
    const texts = await rows().evaluateAll((els) => els.map((e) => e.textContent?.toLowerCase() ?? ''));
    expect(texts.every((t) => t.includes('tunnel'))).toBe(true);
    expect(await page.getByLabel('Message count').textContent()).toMatch(/of [\d,]+ messages match/);
    await filter('"menuState"');
    await expect.poll(async () => (await rows().first().textContent()) ?? '').toMatch(/menuState/);
    await filter('tunnel && dir == reply');
    const dirs = await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-dir')));
    expect(dirs.length).toBeGreaterThan(0);
    expect(new Set(dirs)).toEqual(new Set(['reply']));
  });

  it('copies a row, a filter and CSV from a context menu, and follows one connection as a conversation', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    const id = await rows().nth(2).getAttribute('data-id');
    const row = page.locator(`[aria-label="Messages"] .msg-row[data-id="${id}"]`).first();
    const conn = (await row.getAttribute('data-conn')) ?? '';
    await row.click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Message' });
    await expect
      .poll(() => menu.getByRole('menuitem').allTextContents())
      .toEqual(
        expect.arrayContaining(['Copy row', 'Copy as filter', 'Copy as CSV', 'Follow this connection']),
      );
    await shot('messages-context-menu');
    await menu.getByRole('menuitem', { name: 'Copy as filter' }).click();
    await expect.poll(clipboard).toContain(`conn == "${conn}"`);
    await row.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Copy as CSV' }).click();
    await expect.poll(clipboard).toMatch(/fromLabel,toLabel,service/);
    expect((await clipboard()).split('\r\n')[1]).toMatch(/com\.acme\.vpn/);
    await row.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Copy row' }).click();
    await expect.poll(clipboard).toMatch(/\t/);
    await row.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Follow this connection' }).click();
    await page.getByRole('button', { name: /^Resume/ }).click();
    await expect
      .poll(() => filterInput().inputValue())
      .toMatch(/^conn in \{"0x[0-9a-f]+"(, "0x[0-9a-f]+")?\}$/);
    expect(await filterInput().inputValue()).toContain(`"${conn}"`);
    const conns = new Set(await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-conn'))));
    expect(conns.has(conn)).toBe(true);
    expect(conns.size).toBeLessThanOrEqual(2);
    const dirs = new Set(await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-dir'))));
    expect(dirs.size).toBeGreaterThan(1);
  });

  it('collapses repeats into counted rows, and hides exited processes', async () => {
    const before = await page.getByLabel('Message count').textContent();
    await page.getByLabel('collapse repeats').check();
    await expect.poll(() => rows().locator('xpath=self::*[@data-repeats]').count()).toBeGreaterThan(0);
    const keys = await rows().evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-conn')}|${e.getAttribute('data-dir')}|${e.querySelector('.key')?.firstChild?.textContent ?? ''}`,
      ),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(await page.getByLabel('Message count').textContent()).not.toBe(before);
    await shot('messages-collapsed');
    await page.getByLabel('collapse repeats').uncheck();

    const agent =
      (await page.locator('.proc.running[data-label="com.acme.vpn.agent"]').getAttribute('data-pid')) ?? '';
    await expect
      .poll(() => page.locator(`[aria-label="Messages"] .msg-row[data-from="${agent}"]`).count())
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Kill com.acme.vpn.agent' }).click();
    await expect.poll(() => page.locator(`.proc.exited[data-pid="${agent}"]`).count()).toBe(1);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByLabel('hide exited processes').first().check();
    await expect
      .poll(() =>
        page
          .locator(
            `[aria-label="Messages"] .msg-row[data-from="${agent}"], [aria-label="Messages"] .msg-row[data-to="${agent}"]`,
          )
          .count(),
      )
      .toBe(0);
    expect(await rows().count()).toBeGreaterThan(0);
    await page.getByLabel('hide exited processes').first().uncheck();
    await page.getByRole('button', { name: /^Resume/ }).click();
  });
});
