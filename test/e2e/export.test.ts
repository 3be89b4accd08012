import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { MESSAGE_CSV_COLUMNS } from '../../main/trace/export/csv';
import { parseTraceText } from '../../main/trace/parse';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

/** Export from the console: what a user saves is what the list showed, or everything held. */
describe.skipIf(!chromiumPresent)('exporting from the console', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const dialog = () => page.getByRole('dialog', { name: 'Export' });
  const saved = async (download: Download) => readFileSync((await download.path()) ?? '', 'utf8');
  const exportAs = async (title: RegExp, redact = false): Promise<{ name: string; text: string }> => {
    await page.getByRole('button', { name: 'Export…' }).click();
    await dialog().getByRole('radio', { name: title }).check();
    if (redact)
      await dialog()
        .getByRole('checkbox', { name: /Redact payloads/ })
        .check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog().getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    return { name: download.suggestedFilename(), text: await saved(download) };
  };

  beforeAll(async () => {
    host = await startHeadless({ record: false });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.server.url);
    await page.waitForSelector('.status-live');
    await page.waitForFunction(
      () => document.querySelectorAll('[aria-label="Messages"] .msg-row[data-dir="reply"]').length > 3,
      null,
      { timeout: 10_000 },
    );
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('saves exactly the messages the filter shows as CSV', async () => {
    const input = page.getByLabel('Filter', { exact: true });
    await input.fill('dir == reply');
    await input.press('Enter');
    await page.getByRole('button', { name: 'Pause' }).click();
    const count = page.getByLabel('Message count');
    await expect.poll(() => count.textContent()).toMatch(/^[\d,]+ of [\d,]+ messages match/);
    const shown = Number((await count.textContent())?.split(' of ')[0]?.replace(/,/g, ''));
    expect(shown).toBeGreaterThan(0);

    await page.keyboard.press('e');
    await expect
      .poll(() => dialog().textContent())
      .toMatch(new RegExp(`The ${shown.toLocaleString('en-US')} messages the list shows for dir == reply`));
    await page.screenshot({ path: join(SCREENSHOTS, 'export.png') });
    await page.keyboard.press('Escape');
    expect(await dialog().count()).toBe(0);

    const { name, text } = await exportAs(/Messages as CSV/);
    expect(name).toMatch(/^acme-vpn-messages-\d{8}-\d{6}\.csv$/);
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(MESSAGE_CSV_COLUMNS.join(','));
    const rows = lines.slice(1);
    expect(rows).toHaveLength(shown);
    expect(new Set(rows.map((r) => r.split(',')[1]))).toEqual(new Set(['reply']));
    await expect
      .poll(() => page.locator('.notices').textContent())
      .toMatch(
        new RegExp(`Exported ${shown.toLocaleString('en-US')} messages matching dir == reply to ${name}`),
      );
    await page.getByRole('button', { name: /^Resume/ }).click();
    await input.fill('');
    await input.press('Enter');
  });

  it('saves what the console holds as a trace that reopens, with payloads redacted when asked', async () => {
    const plain = parseTraceText((await exportAs(/XPC Lab trace/)).text);
    expect(plain.problems).toEqual([]);
    expect(plain.header?.world).toBe('Acme VPN');
    const withPayload = plain.events.filter((e) => e.kind === 'message' && e.payload);
    expect(withPayload.length).toBeGreaterThan(0);
    const values = withPayload.flatMap((e) => (e.kind === 'message' ? Object.values(e.payload ?? {}) : []));
    expect(values.some((v) => typeof v === 'string' && !/^<\w+, \d+ bytes>$/.test(v))).toBe(true);

    const redacted = parseTraceText((await exportAs(/XPC Lab trace/, true)).text);
    expect(redacted.problems).toEqual([]);
    const leaves = redacted.events.flatMap((e) =>
      e.kind === 'message' && e.payload ? Object.values(e.payload).filter((v) => typeof v !== 'object') : [],
    );
    expect(leaves.length).toBeGreaterThan(0);
    for (const leaf of leaves) expect(leaf).toMatch(/^<[\w-]+, \d+ bytes>$/);
  });

  it('saves a Perfetto file whose flows pair from sender to receiver', async () => {
    const { name, text } = await exportAs(/Perfetto trace/);
    expect(name).toMatch(/\.json$/);
    const file = JSON.parse(text) as { traceEvents: { ph: string; id?: string | number }[] };
    const starts = file.traceEvents.filter((e) => e.ph === 's').map((e) => e.id);
    const ends = new Set(file.traceEvents.filter((e) => e.ph === 'f').map((e) => e.id));
    expect(starts.length).toBeGreaterThan(0);
    for (const id of starts) expect(ends.has(id)).toBe(true);
  });
});
