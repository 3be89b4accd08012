import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

const VIEWS = [
  'Messages',
  'Connections',
  'Topology',
  'Events',
  'Sequence',
  'Statistics',
  'Upgrade',
  'Scenarios',
];
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
];

/** The console works from 1024×700 up: nothing off-screen, every control reachable by pointer. */
describe.skipIf(!chromiumPresent)('the layout from 1024×700 up', () => {
  let host: HeadlessHost;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    host = await startHeadless();
    browser = await launchChromium();
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  /** Where an element lies against the viewport; a control is usable only if all of it is inside. */
  const inside = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return {
          what: (e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40),
          ok: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight,
        };
      }),
    );

  for (const size of SIZES) {
    it(`at ${size.width}×${size.height} nothing overflows and every tab and header control is on screen`, {
      timeout: 60_000,
    }, async () => {
      const page = await browser.newPage({ viewport: size });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(host.server.url);
      await page.waitForSelector('.status-live');
      await page.waitForFunction(() => document.querySelectorAll('.proc.running').length >= 5, null, {
        timeout: 10_000,
      });
      for (const name of VIEWS) {
        await page.getByRole('tab', { name, exact: true }).click();
        await page.waitForTimeout(150);
        const width = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
        }));
        expect(width.scroll, `${name} at ${size.width}`).toBeLessThanOrEqual(width.inner);
        const off = [
          ...(await inside(page, '[role="tablist"] [role="tab"]')),
          ...(await inside(page, 'header.top button, header.top select')),
          ...(await inside(page, '[aria-label="Filter"]')),
        ].filter((c) => !c.ok);
        expect(off, `${name} at ${size.width}`).toEqual([]);
        await page.screenshot({ path: join(SCREENSHOTS, `layout-${size.width}-${name.toLowerCase()}.png`) });
      }
      await page.close();
    });

    it(`at ${size.width}×${size.height} Connections shows every column, Cancel included, by scrolling the table`, {
      timeout: 30_000,
    }, async () => {
      const page = await browser.newPage({ viewport: size });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(host.server.url);
      await page.waitForSelector('.status-live');
      await page.getByRole('tab', { name: 'Connections', exact: true }).click();
      await page.waitForFunction(
        () =>
          document.querySelectorAll('table[aria-label="Connections"] tbody tr[data-state="connected"]')
            .length >= 4,
        null,
        { timeout: 10_000 },
      );
      const headers = await page.locator('table[aria-label="Connections"] thead th').allTextContents();
      expect(headers.join(' ')).toMatch(/State.*Sent.*Received.*Last error/);
      const cancel = page.getByRole('button', { name: /^Cancel 0x/ }).first();
      await cancel.scrollIntoViewIfNeeded();
      const box = await cancel.boundingBox();
      const pane = await page.locator('.table-scroll').boundingBox();
      expect(box && pane).toBeTruthy();
      if (box && pane) {
        expect(box.x).toBeGreaterThanOrEqual(pane.x);
        // Whole pixels: layout boxes carry sub-pixel fractions.
        expect(Math.floor(box.x + box.width)).toBeLessThanOrEqual(Math.ceil(pane.x + pane.width));
        expect(box.x + box.width).toBeLessThanOrEqual(size.width);
      }
      await page.screenshot({ path: join(SCREENSHOTS, `layout-${size.width}-connections-cancel.png`) });
      await page.close();
    });
  }
});
