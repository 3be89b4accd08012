import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplayHost, serveRecording } from '../../main/hosts/headless';
import { packageRoot } from '../../main/hosts/paths';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

/** A real Console copy (github/CopilotForXcode#35) opened as a recording: a world built from what the log shows. */
const LOG = join(packageRoot(), 'test/fixtures/real/logs/copilotforxcode-35-git.console.txt');

describe.skipIf(!chromiumPresent)('a real Mac log in Chromium', () => {
  let replay: ReplayHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    replay = await serveRecording(LOG, { kind: 'log' });
    await replay.loaded;
    ({ browser, page } = await openConsole(replay.server.url, errors));
  });

  afterAll(async () => {
    await browser?.close();
    await replay?.stop();
  });

  it('the topology shows the log’s processes and the connections between them', async () => {
    await page.getByRole('tab', { name: 'Topology' }).click();
    const xcode = page.locator('.topo-node[data-label="Xcode"]');
    const git = page.locator('.topo-node[data-label="com.apple.dt.Xcode.sourcecontrol.Git"]');
    await expect.poll(() => xcode.count()).toBe(1);
    expect(await git.count()).toBe(1);
    // Xcode's connections to the Git service end at the Git process's box, not at a stub.
    const toGit = page.locator('.edge[data-service="com.apple.dt.Xcode.sourcecontrol.Git"]');
    await expect.poll(() => toGit.count()).toBeGreaterThanOrEqual(3);
    expect(
      await page.locator('.edge-stub', { hasText: 'com.apple.dt.Xcode.sourcecontrol.Git' }).count(),
    ).toBe(0);
    expect(await page.locator('.topology').textContent()).not.toMatch(/No processes yet/);
    await shot('log-topology');
  });

  it('the connections view lists them by pointer, with their states and invalidation reasons', async () => {
    await page.getByRole('tab', { name: 'Connections' }).click();
    // One row per connection: the log cancels two connections the same way, which the view groups by default.
    await page.getByLabel('collapse repeats').uncheck();
    const cancelled = page.locator('table[aria-label="Connections"] tbody tr[data-conn="0x111319c60@Xcode"]');
    await expect.poll(() => cancelled.getAttribute('data-state')).toBe('invalidated');
  });

  it('each event carries its own line', async () => {
    await page.getByRole('tab', { name: 'Events' }).click();
    await page.getByLabel('collapse repeats').uncheck();
    const invalidated = page.locator('.event[data-kind="connection.state"]').first();
    await expect
      .poll(() => invalidated.locator('.event-log').allTextContents())
      .toEqual([
        '[0x111319c60] invalidated because the current process cancelled the connection by calling xpc_connection_cancel()',
      ]);
    expect(await invalidated.locator('.event-title').textContent()).toMatch(/^0x111319c60@Xcode /);
    await shot('log-events');
  });

  it('a recording has no live controls or live wording', async () => {
    await page.getByRole('tab', { name: 'Messages' }).click();
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Clear' }).count()).toBe(0);
    await expect
      .poll(() => page.locator('.messages .empty').textContent())
      .toMatch(/This recording holds no messages/);
    expect(await page.locator('body').textContent()).not.toMatch(/exchange messages once they connect/);
    expect(errors).toEqual([]);
  });
});
