import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

/** Each view of the console, driven in Chromium against the demo world. */
describe.skipIf(!chromiumPresent)('the console views', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const view = (name: string) => page.getByRole('tab', { name }).click();
  const filter = async (text: string) => {
    const input = page.getByLabel('Filter', { exact: true });
    await input.fill(text);
    await input.press('Enter');
  };
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const messageRows = () => page.locator('[aria-label="Messages"] .msg-row');

  beforeAll(async () => {
    host = await startHeadless();
    ({ browser, page } = await openConsole(host.server.url, errors));
    await page.waitForFunction(
      () => document.querySelectorAll('[aria-label="Messages"] .msg-row').length > 20,
      null,
      {
        timeout: 10_000,
      },
    );
  });

  /** Each test starts from a live, unfiltered stream, so one failure does not leave the next one paused or filtered. */
  beforeEach(async () => {
    const resume = page.getByRole('button', { name: /^Resume/ });
    if (await resume.count()) await resume.click();
    if (await page.getByLabel('Filter', { exact: true }).inputValue()) await filter('');
    await expect.poll(() => page.getByLabel('Filter', { exact: true }).inputValue()).toBe('');
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('a filter narrows the message list, and says where it does not parse', async () => {
    await view('Messages');
    await filter('dir == reply && latency > 0ms');
    await expect
      .poll(() => page.getByLabel('Message count').textContent())
      .toMatch(/of [\d,]+ messages match/);
    const dirs = await messageRows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dir')));
    expect(dirs.length).toBeGreaterThan(0);
    expect(new Set(dirs)).toEqual(new Set(['reply']));
    await shot('filter');
    await page.getByLabel('Filter', { exact: true }).fill('size >');
    await expect
      .poll(() => page.locator('#filter-problem').textContent())
      .toMatch(/expected a value after '>'.*column 7/);
    await shot('filter-error');
    await filter('');
  });

  it('autocompletes field names and known values', async () => {
    const input = page.getByLabel('Filter', { exact: true });
    await input.fill('');
    await input.pressSequentially('serv');
    await expect
      .poll(() => page.getByRole('listbox', { name: 'Suggestions' }).textContent())
      .toMatch(/service/);
    await input.press('Tab');
    await input.pressSequentially('== com.acme.vpn.hel');
    await expect
      .poll(() => page.getByRole('option').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/com\.acme\.vpn\.helper/)]));
    await input.press('Tab');
    expect(await input.inputValue()).toBe('service == com.acme.vpn.helper ');
    await input.press('Enter');
    await expect.poll(() => messageRows().count()).toBeGreaterThan(0);
    await filter('');
  });

  it('clicking a value in a row filters by it', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    const button = messageRows().locator('button.fv[data-field="key"]').first();
    const key = (await button.textContent()) ?? '';
    expect(key).toMatch(/^\w+$/);
    await button.click();
    await expect.poll(() => page.getByLabel('Filter', { exact: true }).inputValue()).toBe(`key == ${key}`);
    await expect
      .poll(async () => new Set(await messageRows().locator('.key').allTextContents()))
      .toEqual(new Set([key]));
  });

  it('a request jumps to its reply and back, with its payload as a typed tree and a plist', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    const request = messageRows().filter({ hasText: 'expects reply' }).first();
    const id = await request.getAttribute('data-id');
    await request.locator('span').first().click();
    const inspector = page.locator('.inspector');
    await expect.poll(() => inspector.locator('h2').textContent()).toMatch(new RegExp(`#${id} send`));
    expect(await inspector.locator('.payload-tree .xpc-type').first().textContent()).toBe('dictionary');
    await inspector.locator('[data-jump="reply"]').click();
    await expect.poll(() => inspector.locator('h2').textContent()).toMatch(/ reply/);
    expect(await page.locator('[aria-label="Messages"] .msg-row.selected').getAttribute('data-dir')).toBe(
      'reply',
    );
    await inspector.getByRole('tab', { name: 'Plist XML' }).click();
    expect(await inspector.locator('pre.code').textContent()).toMatch(/<plist version="1.0">[\s\S]*<key>/);
    await shot('message-detail');
    await page.keyboard.press('r');
    await expect.poll(() => inspector.locator('h2').textContent()).toMatch(new RegExp(`#${id} send`));
    await page.getByRole('button', { name: /^Resume/ }).click();
  });

  it('a captured request can be edited and sent again as its sender', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    const request = messageRows()
      .filter({ hasText: 'tunnelStatus' })
      .filter({ hasText: 'expects reply' })
      .last();
    await request.locator('span').first().click();
    await page.getByRole('button', { name: 'Edit and send again…' }).click();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => page.locator('.inline-ok').textContent()).toMatch(/^Sent on 0x[0-9a-f]+/);
    await page.getByRole('button', { name: /^Resume/ }).click();
  });

  it('connections show domain, traffic each way and a chosen set of columns', async () => {
    await page.keyboard.press('2');
    const table = page.locator('table[aria-label="Connections"]');
    await expect
      .poll(() => table.locator('th').allTextContents())
      .toEqual(
        expect.arrayContaining(['Domain', 'In state', '↑ Sent', '↓ Received', 'Pending', 'Last error']),
      );
    await page.getByText('Columns').click();
    await page.getByLabel('Cause').check();
    await expect.poll(() => table.locator('th').allTextContents()).toContain('Cause');
    await page.getByLabel('Cause').uncheck();
    await page.getByText('Columns').click();
    await shot('connections');
  });

  it('the sequence diagram marks an invalidation after a cancel', async () => {
    await view('Connections');
    const row = page.locator(
      'table[aria-label="Connections"] tbody tr[data-service="com.acme.vpn.logparser"]',
    );
    await row.getByRole('button', { name: /^Cancel/ }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('invalidated');
    await view('Sequence');
    const mark = page.locator('svg.seq [data-mark="invalidated"]');
    await expect.poll(() => mark.count(), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await mark.first().textContent()).toMatch(/com\.acme\.vpn\.logparser invalidated/);
    expect(await page.locator('svg.seq .seq-msg[data-dir="reply"] text').first().textContent()).toMatch(
      /ms$/,
    );
    await shot('sequence');
  });

  it('a crash clicked in topology shows its cause in events', async () => {
    await view('Topology');
    const node = page.locator('.topo-node[data-label="com.acme.vpn.helper"]').first();
    await node.locator('.topo-name').click();
    await page.getByRole('button', { name: 'com.acme.vpn.helper: crash' }).click();
    await expect
      .poll(
        () => page.locator('.edge[data-service="com.acme.vpn.helper"]').first().getAttribute('data-state'),
        {
          timeout: 5000,
        },
      )
      .toMatch(/interrupted|connected/);
    await shot('topology');
    await view('Events');
    const events = page.locator('[aria-label="Events"]');
    await expect
      .poll(() => events.textContent(), { timeout: 5000 })
      .toMatch(/com\.acme\.vpn\.helper\[\d+\] crashed \(SIGSEGV\)/);
    expect(await events.textContent()).toMatch(/exited due to SIGSEGV/);
    expect(await events.textContent()).toMatch(/What to do/);
    await shot('events');
  });

  it('statistics draw throughput and latency from aggregates', async () => {
    await view('Statistics');
    await expect
      .poll(() => page.locator('table[aria-label="Per service"] tbody tr').count())
      .toBeGreaterThan(2);
    expect(await page.locator('svg.chart[aria-label^="Messages per second"] .area').count()).toBe(1);
    expect(await page.locator('.big-numbers').textContent()).toMatch(/ms p50/);
    expect(await page.getByLabel('Errors').textContent()).toMatch(/INVALID/);
    await shot('statistics');
  });

  it('memory pressure reports what launchd reclaimed', async () => {
    await page.getByRole('button', { name: 'Memory pressure' }).click();
    await expect.poll(() => page.locator('.notices').textContent()).toMatch(/Memory pressure: /);
  });

  it('has keys, a dark theme and pane widths it remembers', async () => {
    await page.keyboard.press('?');
    await expect.poll(() => page.getByRole('dialog').textContent()).toMatch(/focus the filter/);
    await page.keyboard.press('Escape');
    await page.keyboard.press('1');
    expect(await page.getByRole('tab', { name: 'Messages' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter');
    await page.locator('body').click({ position: { x: 700, y: 5 } });
    await page.getByLabel('Theme').selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const splitter = page.getByRole('separator', { name: 'Resize the inspector' });
    await splitter.focus();
    await splitter.press('ArrowLeft');
    const width = await splitter.getAttribute('aria-valuenow');
    await page.reload();
    await page.waitForSelector('.status-live');
    expect(
      await page.getByRole('separator', { name: 'Resize the inspector' }).getAttribute('aria-valuenow'),
    ).toBe(width);
    await page.keyboard.press('3');
    await page.waitForTimeout(500);
    await shot('topology-dark');
    await page.keyboard.press('1');
    await page.waitForTimeout(500);
    await shot('messages-dark');
    await page.getByLabel('Theme').selectOption('system');
  });
});
