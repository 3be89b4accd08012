import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplayHost, serveRecording, startHeadless } from '../../main/hosts/headless';
import type { ConnectionView } from '../../main/trace/model';
import { readTrace } from '../../main/trace/reader';
import type { TraceEvent } from '../../main/trace/schema';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';

const HELPER = 'com.acme.vpn.helper';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 50) {
    const v = probe();
    if (v !== undefined) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Records a real session on the demo world in which the console cancels the
 * app's connection to the helper, and returns the trace with that connection.
 */
async function recordCancel(): Promise<{ path: string; conn: string }> {
  const host = await startHeadless({ record: mkdtempSync(join(tmpdir(), 'xpc-lab-scrub-e2e-')) });
  try {
    const clientOf = (): ConnectionView | undefined =>
      Object.values(host.session.hub.model.state.connections).find(
        (c) => c.side === 'client' && c.name === HELPER && c.state === 'connected',
      );
    const client = await until('the app connected to the helper', clientOf);
    await sleep(1200);
    expect(await host.session.handle({ type: 'cancel', conn: client.conn })).toMatchObject({ ok: true });
    await until('the cancel recorded', () =>
      host.session.hub.model.state.connections[client.conn]?.state === 'invalidated' ? true : undefined,
    );
    await sleep(800);
    const path = host.recorder?.path;
    if (!path) throw new Error('the session was not recorded');
    return { path, conn: client.conn };
  } finally {
    await host.stop();
  }
}

describe.skipIf(!chromiumPresent)('the time scrubber of a reopened trace, in Chromium', () => {
  let replay: ReplayHost;
  let browser: Browser;
  let page: Page;
  let conn: string;
  let invalidatedAt: number;
  let connectedAt: number;
  const errors: string[] = [];

  beforeAll(async () => {
    const recorded = await recordCancel();
    conn = recorded.conn;
    const { events } = await readTrace(recorded.path);
    const states = events.filter(
      (e): e is Extract<TraceEvent, { kind: 'connection.state' }> =>
        e.kind === 'connection.state' && e.conn === conn,
    );
    connectedAt = states.find((e) => e.to === 'connected')!.t;
    invalidatedAt = states.find((e) => e.to === 'invalidated')!.t;
    replay = await serveRecording(recorded.path, { kind: 'trace' });
    await replay.loaded;
    ({ browser, page } = await openConsole(replay.server.url, errors));
    await page.getByRole('tab', { name: 'Connections' }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await replay?.stop();
  });

  const slider = () => page.getByRole('slider', { name: 'Time in the trace' });
  const row = (): Locator => page.locator(`table[aria-label="Connections"] tbody tr[data-conn="${conn}"]`);
  const banner = () => page.locator('.scrub-banner');

  /** Drags the handle from the end of the track to time t. */
  async function dragTo(t: number): Promise<void> {
    const box = await slider().boundingBox();
    if (!box) throw new Error('the scrubber is not on screen');
    const tl = replay.session.timelineSummary();
    const x = box.x + ((t - tl.start) / (tl.end - tl.start)) * box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 2, y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++)
      await page.mouse.move(box.x + box.width - 2 + ((x - box.x - box.width + 2) * i) / 8, y);
    await page.mouse.up();
  }

  it('starts at the latest: the cancelled connection invalidated, no banner', async () => {
    await expect.poll(() => slider().getAttribute('aria-valuetext')).toMatch(/the latest$/);
    await expect.poll(() => row().getAttribute('data-state')).toBe('invalidated');
    expect(await banner().count()).toBe(0);
    const marks = await page.locator('.scrub-marks .mark-invalidated').count();
    expect(marks).toBeGreaterThanOrEqual(1);
  });

  it('dragged to before the cancel, the connection shows connected and the banner says when', async () => {
    const before = Math.max(connectedAt + 100, invalidatedAt - 600);
    await dragTo(before);
    await expect.poll(() => row().getAttribute('data-state')).toBe('connected');
    await expect.poll(() => banner().textContent()).toMatch(/^Showing the state at \d\d:\d\d:\d\d\.\d{3}/);
    expect(await slider().getAttribute('aria-valuetext')).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    const now = Number(await slider().getAttribute('aria-valuenow'));
    expect(Math.abs(now - before)).toBeLessThan(100);
    await page.screenshot({ path: join(SCREENSHOTS, 'scrubber-before-cancel.png') });
  });

  it('keyed to the invalidation mark, the connection shows invalidated there', async () => {
    const tl = replay.session.timelineSummary();
    const index = tl.markers.findIndex((m) => m.kind === 'invalidated' && m.t === invalidatedAt);
    expect(index).toBeGreaterThanOrEqual(0);
    await slider().focus();
    await page.keyboard.press('Home');
    await expect.poll(() => slider().getAttribute('aria-valuenow')).toBe(String(tl.start));
    for (let i = 0; i <= index; i++) await page.keyboard.press('PageDown');
    await expect.poll(() => slider().getAttribute('aria-valuenow')).toBe(String(invalidatedAt));
    await expect.poll(() => row().getAttribute('data-state')).toBe('invalidated');
    await expect.poll(() => banner().textContent()).toMatch(/\b[1-9]\d* connections? invalidated/);
    await page.screenshot({ path: join(SCREENSHOTS, 'scrubber-at-cancel.png') });
    // One step back with the arrow key is before the cancel again.
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => row().getAttribute('data-state')).toBe('connected');
  });

  it('Latest goes back to the end; the views follow the whole trace again', async () => {
    await page.getByRole('button', { name: 'Latest' }).click();
    await expect.poll(() => banner().count()).toBe(0);
    await expect.poll(() => row().getAttribute('data-state')).toBe('invalidated');
    expect(await slider().getAttribute('aria-valuetext')).toMatch(/the latest$/);
    await page.getByRole('tab', { name: 'Topology' }).click();
    await dragTo(Math.max(connectedAt + 100, invalidatedAt - 600));
    await expect
      .poll(() => page.locator(`.topology .edge[data-conn="${conn}"]`).getAttribute('data-state'))
      .toBe('connected');
    await page.screenshot({ path: join(SCREENSHOTS, 'scrubber-topology.png') });
    expect(errors).toEqual([]);
  });
});
