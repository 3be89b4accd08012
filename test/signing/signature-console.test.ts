import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessHost, startHeadless } from '../../main/hosts/headless';
import { chromiumPresent, openConsole, SCREENSHOTS } from '../support/browser';
import { materializeSparse } from './materialize';

const BINARIES = join(__dirname, '..', 'fixtures', 'real', 'binaries');

/** A world whose app's executable is the real, Developer ID-signed sentry-cli 3.8.0 (cut fixture written back). */
function signedWorld(): string {
  const root = mkdtempSync(join(tmpdir(), 'xpc-lab-signed-world-'));
  const contents = join(root, 'Applications', 'Sentry.app', 'Contents');
  mkdirSync(join(contents, 'MacOS'), { recursive: true });
  writeFileSync(
    join(contents, 'Info.plist'),
    build({
      CFBundleIdentifier: 'io.sentry.cli',
      CFBundleExecutable: 'sentry-cli',
      CFBundleVersion: '3.8.0',
    }),
  );
  materializeSparse(join(BINARIES, 'sentry-cli-darwin-3.8.0.sparse'), join(contents, 'MacOS', 'sentry-cli'));
  return root;
}

describe.skipIf(!chromiumPresent)('the process inspector shows the signature (Chromium)', () => {
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;
  let world: string;
  const errors: string[] = [];

  beforeAll(async () => {
    world = signedWorld();
    host = await startHeadless({ worldDir: world, record: false });
    ({ browser, page } = await openConsole(host.server.url, errors));
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await host?.stop();
    rmSync(world, { recursive: true, force: true });
  });

  it('selecting the app shows identifier, team, flags, CDHash, requirement and the certificate chain', async () => {
    const row = page.locator('.proc[data-label="io.sentry.cli"]').first();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    const section = page.getByRole('region', { name: 'Signature' });
    await expect.poll(() => section.count()).toBe(1);
    const text = (await section.textContent()) ?? '';
    expect(text).toContain('sentry_cli-ed605fe0983d3ac0');
    expect(text).toContain('Mach-O universal (x86_64 arm64)');
    expect(text).toContain('97JCY7859U');
    expect(text).toContain('0x10000(runtime)');
    expect(text).toContain('0b061c70be64938c3cefa26bb236f2ef5d6c9425');
    expect(text).toContain(
      'designated => identifier "sentry_cli-ed605fe0983d3ac0" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */',
    );
    expect(text).toContain('Developer ID Application: GetSentry LLC (97JCY7859U)');
    expect(text).toContain('Apple OIDs: 1.2.840.113635.100.6.2.6');
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'process-signature.png') });
  });
});
