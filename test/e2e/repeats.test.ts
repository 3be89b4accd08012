import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

const NE = 'ABCDE12345.com.acme.vpn.tunnel';
const REPEAT = /×(\d+) since \d\d:\d\d:\d\d, last \d+ s ago/;

/** XPC-MODEL §5.4: after an upgrade with the VPN connected the app retries a stale name every 2 s; each retry is not a new story. */
describe.skipIf(!chromiumPresent)('repeated failures are grouped, with advice for their cause', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const view = (name: string) => page.getByRole('tab', { name, exact: true }).click();
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    host = await startHeadless();
    ({ browser, page } = await openConsole(host.server.url, errors));
    await page.waitForFunction(() => document.querySelectorAll('.proc.running').length >= 5, null, {
      timeout: 10_000,
    });
    const res = await host.session.handle({ type: 'upgrade', app: 'com.acme.vpn', mode: 'bump' });
    expect(res.ok).toBe(true);
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  it('Connections: one row for the retries, counted, with since and last', async () => {
    await view('Connections');
    const grouped = page.locator(
      `table[aria-label="Connections"] tbody tr[data-service="${NE}"][data-repeats]`,
    );
    await expect
      .poll(async () => Number((await grouped.first().getAttribute('data-repeats')) ?? 0), {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(3);
    expect(await grouped.count()).toBe(1);
    expect(await grouped.textContent()).toMatch(REPEAT);
    const app =
      (await page.locator('.proc.running[data-label="com.acme.vpn"]').getAttribute('data-pid')) ?? '';
    const failed = page.locator(
      `table[aria-label="Connections"] tbody tr[data-service="${NE}"][data-pid="${app}"][data-state="invalidated"]`,
    );
    expect(await failed.count()).toBe(1);
    await grouped.locator('td.col-since').click();
    const advice = await page.locator('.inspector .advice').textContent();
    expect(advice).toMatch(/still bound to the replaced system extension/);
    expect(advice).not.toMatch(/fix the name, the domain or the sandbox/);
    await page.getByLabel('collapse repeats').uncheck();
    await expect.poll(() => failed.count()).toBeGreaterThanOrEqual(3);
    await page.getByLabel('collapse repeats').check();
    await shot('repeats-connections');
  });

  it('Events: one entry for the repeated invalidation, its whole cause and advice for a stale binding', async () => {
    await view('Events');
    const entry = page
      .locator(`[aria-label="Events"] .event[data-repeats][data-kind="connection.state"]`)
      .filter({
        hasText: NE,
      });
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const first = entry.first();
    expect(await first.textContent()).toMatch(REPEAT);
    const text = (await first.textContent()) ?? '';
    expect(text).toMatch(/still bound to the replaced system extension/);
    expect(text).not.toMatch(/fix the name, the domain or the sandbox/);
    // One entry per process that keeps failing (the new app, and the agent launched again), not one per retry.
    const stale = page
      .locator('[aria-label="Events"] .event')
      .filter({ hasText: `${NE}: invalidated` })
      .filter({ hasText: /still bound/ });
    expect(await stale.count()).toBeLessThanOrEqual(2);
    const counts = await stale.evaluateAll((els) =>
      els.map((e) => Number(e.getAttribute('data-repeats') ?? 1)),
    );
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(3);
    // The cause line is whole, not cut off with an ellipsis.
    const cut = await first
      .locator('.event-detail')
      .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).length);
    expect(cut).toBe(0);
    expect(await first.textContent()).toMatch(/\[terminated waiting to uninstall on reboot\]/);
    await shot('repeats-events');
  });

  it('Topology: one link for the retries, counted, and no label on another', async () => {
    await view('Topology');
    const edge = page.locator(`.edge[data-service="${NE}"][data-repeats]`);
    await expect.poll(() => edge.count(), { timeout: 10_000 }).toBe(1);
    expect(Number(await edge.getAttribute('data-repeats'))).toBeGreaterThanOrEqual(3);
    expect(await edge.textContent()).toMatch(/×\d+/);
    const app = page.locator('.topo-node[data-label="com.acme.vpn"]').first();
    expect(await app.locator('.topo-repeat').textContent()).toMatch(REPEAT);
    const boxes = await page
      .locator('.edge-stub, .topo-repeat, .topo-name')
      .evaluateAll((els) =>
        els
          .map((e) => e.getBoundingClientRect())
          .map((r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom })),
      );
    const overlaps = boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .filter((b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b)
        .map((b) => [a, b]),
    );
    expect(overlaps).toEqual([]);
    await shot('repeats-topology');
  });
});
