import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

/** XPC-MODEL §10.2: a process's own connections end with it, everywhere the console shows them. */
describe.skipIf(!chromiumPresent)('connection lifetimes follow their processes', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const connRows = 'table[aria-label="Connections"] tbody tr';

  beforeAll(async () => {
    host = await startHeadless();
    ({ browser, page } = await openConsole(host.server.url, errors));
    await page.getByRole('tab', { name: 'Connections' }).click();
    await page.getByLabel('show peers and listeners').check();
    await page.waitForFunction(
      (sel) => document.querySelectorAll(`${sel}[data-state="connected"]`).length >= 10,
      connRows,
      { timeout: 10_000 },
    );
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
  });

  const connectedOf = (pid: string) =>
    page.locator(`${connRows}[data-pid="${pid}"]:not([data-state="invalidated"])`).count();

  it('killing the agent leaves none of its connections connected: table, inspector, topology, header', async () => {
    const agent = page.locator('.proc.running[data-label="com.acme.vpn.agent"]').first();
    const pid = (await agent.getAttribute('data-pid')) ?? '';
    expect(Number(pid)).toBeGreaterThan(0);
    // Its client connection to the tunnel, its listener and its peer of the app's connection.
    expect(await connectedOf(pid)).toBeGreaterThanOrEqual(3);
    const tunnel = page.locator(
      `${connRows}[data-pid="${pid}"][data-service="ABCDE12345.com.acme.vpn.tunnel"]`,
    );
    const tunnelConn = (await tunnel.getAttribute('data-conn')) ?? '';

    await page.getByRole('button', { name: 'Kill com.acme.vpn.agent' }).click();
    await expect.poll(() => connectedOf(pid), { timeout: 10_000 }).toBe(0);
    expect(await tunnel.getAttribute('data-state')).toBe('invalidated');
    expect(await tunnel.textContent()).toMatch(/exited/);

    // The tunnel's service-side peer of the agent got INVALID (XPC-MODEL §1.2 rule 2).
    const peer = page.locator(
      `${connRows}[data-side="peer"][data-service^="ABCDE12345.com.acme.vpn.tunnel.peer[${pid}]"]`,
    );
    expect(await peer.getAttribute('data-state')).toBe('invalidated');

    await page.locator(`${connRows}[data-conn="${tunnelConn}"] td.col-since`).click();
    const inspector = page.locator('.inspector');
    await expect.poll(() => inspector.textContent()).toMatch(/ended with its process/);
    expect(await inspector.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'lifetimes-connections.png') });

    // The header counts the client connections running processes hold now.
    const running = new Set(
      await page.locator('.proc.running').evaluateAll((els) => els.map((e) => e.getAttribute('data-pid'))),
    );
    await page.getByLabel('show peers and listeners').uncheck();
    const liveConnected = async () =>
      (
        await page
          .locator(`${connRows}[data-state="connected"]`)
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pid')))
      ).filter((p) => running.has(p)).length;
    const header = async () => Number((await page.locator('.summary .s-connected b').textContent()) ?? 'NaN');
    await expect.poll(async () => (await header()) - (await liveConnected())).toBe(0);
    expect(await page.locator('.summary').textContent()).toMatch(/now/i);

    await page.getByRole('tab', { name: 'Topology' }).click();
    await expect.poll(() => page.locator('.topo-node').count()).toBeGreaterThan(3);
    expect(await page.locator(`.edge[data-pid="${pid}"][data-state="connected"]`).count()).toBe(0);
    expect(await page.locator(`.edge[data-conn="${tunnelConn}"]`).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'lifetimes-topology.png') });
  });
});
