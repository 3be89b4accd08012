import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.XPC_LAB_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumPresent = existsSync(CHROMIUM);
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

if (!chromiumPresent) {
  const banner = '!'.repeat(78);
  process.stderr.write(
    `\n${banner}\n!! E2E TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n!! Install it with: apt-get install -y chromium   (.ci/run does this)\n${banner}\n\n`,
  );
}

/** Debian's Chromium, as root, headless, with its background networking off (this machine has no network). */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/**
 * A console page in a fresh Chromium at a URL, with its page errors collected
 * into `errors`, once the page says it is live (or shows its recording).
 */
export async function openConsole(
  url: string,
  errors: string[],
  viewport = { width: 1440, height: 900 },
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('.status-live');
  return { browser, page };
}
