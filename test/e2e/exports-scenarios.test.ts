import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { parseTraceText } from '../../main/trace/parse';
import { chromiumPresent, launchChromium, SCREENSHOTS } from '../support/browser';

/** Exports name what they hold and hide what is asked; the Scenarios tab records where the session does. */
describe.skipIf(!chromiumPresent)('exports and the Scenarios tab', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const sessions = mkdtempSync(join(tmpdir(), 'xpc-lab-sessions-'));
  const dialog = () => page.getByRole('dialog', { name: 'Export' });
  const saved = async (download: Download) => readFileSync((await download.path()) ?? '', 'utf8');
  const exportAs = async (title: RegExp, redact: string[] = []): Promise<string> => {
    await page.getByRole('button', { name: 'Export…' }).click();
    await dialog().getByRole('radio', { name: title }).check();
    for (const name of redact) await dialog().getByRole('checkbox', { name }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog().getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    return saved(download);
  };

  beforeAll(async () => {
    host = await startHeadless({ record: sessions });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.server.url);
    await page.waitForSelector('.status-live', { timeout: 60_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('[aria-label="Messages"] .msg-row[data-dir="reply"]').length > 3,
      null,
      { timeout: 30_000 },
    );
  }, 120_000);

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('CSV names each end by label and service, and rounds latency', async () => {
    const text = await exportAs(/Messages as CSV/);
    const [head = '', ...rows] = text.split('\r\n').filter(Boolean);
    const columns = head.split(',');
    expect(columns).toEqual(expect.arrayContaining(['fromLabel', 'toLabel', 'service', 'latencyMs']));
    const at = (name: string) => columns.indexOf(name);
    // Payloads hold commas; these columns come before the payload or after it, so read them from the ends.
    const cells = rows.map((r) => r.split(','));
    const tail = (c: string[], name: string) => c[c.length - (columns.length - at(name))];
    expect(cells.some((c) => /^com\.acme\.vpn/.test(tail(c, 'fromLabel') ?? ''))).toBe(true);
    expect(cells.some((c) => (tail(c, 'service') ?? '') === 'ABCDE12345.com.acme.vpn.tunnel')).toBe(true);
    const latencies = cells.map((c) => c[at('latencyMs')] ?? '').filter(Boolean);
    expect(latencies.length).toBeGreaterThan(0);
    for (const l of latencies) expect(l).toMatch(/^\d+(\.\d{1,3})?$/);
  });

  it('a redacted trace can also hide message keys and absolute paths', async () => {
    const plain = parseTraceText(await exportAs(/XPC Lab trace/)).events;
    expect(plain.some((e) => e.kind === 'message' && e.key === 'tunnelStatus')).toBe(true);
    expect(JSON.stringify(plain)).toMatch(/"\/Applications\/Acme VPN\.app/);
    const redacted = parseTraceText(
      await exportAs(/XPC Lab trace/, ['Redact payloads', 'message keys', 'absolute paths']),
    );
    expect(redacted.problems).toEqual([]);
    const text = JSON.stringify(redacted.events);
    expect(text).not.toMatch(/tunnelStatus|menuState|routeTable/);
    expect(redacted.events.some((e) => e.kind === 'message' && /^<key \d+>$/.test(e.key ?? ''))).toBe(true);
    expect(text).not.toMatch(/"\/Applications\//);
    expect(text).toMatch(/<path>\/AcmeTunnel|<path>\//);
  });

  it('the Scenarios tab records its runs where --sessions says, and offers to open the trace', async () => {
    await page.getByRole('tab', { name: 'Scenarios', exact: true }).click();
    await page.getByRole('button', { name: 'Run on-demand-launch.yaml' }).click();
    const progress = page.getByRole('region', { name: 'Scenario progress' });
    await expect.poll(() => progress.locator('.verdict').count(), { timeout: 60_000 }).toBe(1);
    const path = (await progress.locator('.trace-path').textContent()) ?? '';
    expect(path.startsWith(sessions)).toBe(true);
    expect(await progress.textContent()).not.toMatch(/File › Open Trace/);
    expect(await progress.getByRole('button', { name: 'Open this trace' }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'scenarios-sessions.png') });
  }, 90_000);
});
