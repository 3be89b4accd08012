import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessServer, startHeadlessServer } from '../../main/hosts/headless/server';
import { rendererDir } from '../../main/hosts/paths';
import type { Reply } from '../../preload/contract';
import { chromiumPresent, launchChromium } from '../support/browser';

/** A console server whose every command is remembered, so a test can tell whether anyone reached it. */
async function consoleServer(): Promise<{ server: HeadlessServer; commands: unknown[] }> {
  const commands: unknown[] = [];
  const server = await startHeadlessServer({
    rendererDir: rendererDir(),
    sources: {
      handle: async (raw): Promise<Reply> => {
        commands.push(raw);
        return { ok: false, error: 'this test server runs no world' };
      },
      attach: () => () => {},
    },
  });
  return { server, commands };
}

describe.skipIf(!chromiumPresent)('the token stays with its own server', () => {
  let a: Awaited<ReturnType<typeof consoleServer>>;
  let b: Awaited<ReturnType<typeof consoleServer>>;
  let other: Server;
  let otherPort: number;
  const cookiesAtOther: string[] = [];
  let browser: Browser;

  beforeAll(async () => {
    a = await consoleServer();
    b = await consoleServer();
    // Another local service on another port of 127.0.0.1, serving a page of its own choosing.
    other = createServer((req, res) => {
      cookiesAtOther.push(req.headers.cookie ?? '');
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>another service</title>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    otherPort = (other.address() as AddressInfo).port;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await a?.server.close();
    await b?.server.close();
    other?.close();
  });

  it('sends no token to the other ports of 127.0.0.1 after both consoles were opened', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const { server } of [a, b]) {
      await page.goto(server.url);
      await expect.poll(() => page.title()).toBe('XPC Lab');
    }
    await page.goto(`http://127.0.0.1:${otherPort}/`);
    expect(cookiesAtOther.length).toBeGreaterThan(0);
    for (const cookie of cookiesAtOther) {
      expect(cookie).not.toContain(a.server.token);
      expect(cookie).not.toContain(b.server.token);
    }
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it("a page on B's port can neither command A, crash it, nor read its token", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The user has A's console open in the same browser.
    await page.goto(a.server.url);
    await page.goto(b.server.url);
    const before = a.commands.length;
    const tried = await page.evaluate(async (port) => {
      const out: string[] = [];
      // A cookie that once ended the server, set from this page for every port of 127.0.0.1.
      // biome-ignore lint/suspicious/noDocumentCookie: this is the hostile page's own cookie write under test
      document.cookie = 'xpclab_token=%; path=/';
      for (const path of ['/', '/%E0%A4%A', '/app.js']) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, { credentials: 'include' });
          out.push(`read ${path}: ${res.status} ${await res.text()}`);
        } catch {
          out.push(`read ${path}: refused`);
        }
        await fetch(`http://127.0.0.1:${port}${path}`, { mode: 'no-cors', credentials: 'include' }).catch(
          () => undefined,
        );
      }
      const opened = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        ws.onopen = () => {
          ws.send(JSON.stringify({ id: 1, command: { type: 'kill', pid: 1 } }));
          resolve('opened');
        };
        ws.onerror = () => resolve('refused');
      });
      out.push(`socket: ${opened}`);
      return out;
    }, a.server.port);
    expect(tried).toEqual([
      'read /: refused',
      'read /%E0%A4%A: refused',
      'read /app.js: refused',
      'socket: refused',
    ]);
    expect(tried.join('\n')).not.toContain(a.server.token);
    expect(a.commands.length).toBe(before);
    // A is still up, and still answers its own console.
    const res = await fetch(a.server.url);
    expect(res.status).toBe(200);
    await context.close();
  });
});
