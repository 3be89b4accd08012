import { mkdtempSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type HeadlessServer, type ServerFault, startHeadlessServer } from '../../main/hosts/headless/server';
import type { Reply } from '../../preload/contract';
import { closeCodeOf, frame, rawWebSocket } from '../support/raw-ws';

/** A request written byte for byte, so its target can be one fetch would never send. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c) => {
      out += c.toString();
    });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

/** A GET with a Host header of the test's choosing (fetch always sends the real one). */
function getWithHost(
  url: string,
  host: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    }).on('error', reject);
  });
}

describe('the headless server survives what a request or a frame sends', () => {
  let server: HeadlessServer;
  let base: string;
  const faults: ServerFault[] = [];
  const handled: unknown[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-renderer-'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><link rel="stylesheet" href="./app.css" /><script type="module" src="./app.js"></script>',
    );
    writeFileSync(join(dir, 'app.js'), 'console.log(1);');
    writeFileSync(join(dir, 'app.css'), 'body{}');
    server = await startHeadlessServer({
      rendererDir: dir,
      onFault: (f) => faults.push(f),
      sources: {
        handle: async (raw): Promise<Reply> => {
          handled.push(raw);
          const size = JSON.stringify(raw).length;
          return { ok: true, value: { size } as never };
        },
        attach: () => () => {},
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server?.close());

  const alive = async () => {
    const res = await fetch(`${base}/app.js?token=${server.token}`);
    expect(res.status).toBe(200);
  };

  it('answers a cookie that is not percent-encoding with 401, and keeps serving', async () => {
    const res = await fetch(`${base}/`, { headers: { cookie: 'xpclab_token=%' } });
    expect(res.status).toBe(401);
    await alive();
  });

  it('does not take the token from a cookie, and sets none', async () => {
    const cookie = await fetch(`${base}/`, { headers: { cookie: `xpclab_token=${server.token}` } });
    expect(cookie.status).toBe(401);
    const page = await fetch(server.url);
    expect(page.headers.get('set-cookie')).toBeNull();
    // The page's assets carry the token in their URLs instead.
    const html = await page.text();
    expect(html).toContain(`src="./app.js?token=${server.token}"`);
    expect(html).toContain(`href="./app.css?token=${server.token}"`);
  });

  it('answers a request target that is not a URL with 400', async () => {
    const answer = await rawRequest(
      server.port,
      `GET //[/ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await alive();
  });

  it('answers a path that is not valid percent-encoding with 400, never an escape', async () => {
    const res = await fetch(`${base}/%E0%A4%A?token=${server.token}`);
    expect(res.status).toBe(400);
    const outside = await fetch(`${base}/..%2f..%2fetc%2fpasswd?token=${server.token}`);
    expect(outside.status).toBe(404);
    await alive();
  });

  it('puts the security headers on refusals too, and a 404 does not echo the path', async () => {
    const refused = [
      await getWithHost(`${base}/`, `127.0.0.1:${server.port}`),
      await getWithHost(`${base}/nothing-here?token=${server.token}`, `127.0.0.1:${server.port}`),
      await getWithHost(`${base}/?token=${server.token}`, 'evil.example'),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 404, 421]);
    for (const res of refused) {
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(refused[1]?.text).not.toContain('nothing-here');
  });

  it('answers POST, PUT and DELETE on a static path with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}/app.js?token=${server.token}`, {
        method,
        body: method === 'DELETE' ? null : 'x',
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await res.text()).not.toContain('console.log');
    }
  });

  it('closes only the socket that sent a bad frame, with the matching close code', async () => {
    const url = `/ws?token=${server.token}`;
    const bystander = new WebSocket(`ws://127.0.0.1:${server.port}${url}`);
    await new Promise((r) => bystander.once('open', r));
    const cases: [string, Buffer, number][] = [
      [
        'a frame over the limit (only its header sent)',
        frame(Buffer.alloc(0), { declaredLength: 50 * 1024 * 1024 }),
        1009,
      ],
      ['invalid UTF-8', frame(Buffer.from([0xff, 0xfe, 0xfd])), 1007],
      ['an unmasked frame', frame(Buffer.from('{}'), { masked: false }), 1002],
      ['a reserved opcode', frame(Buffer.from('x'), { opcode: 3 }), 1002],
      ['RSV1 set', frame(Buffer.from('x'), { rsv: 4 }), 1002],
      ['an oversized ping', frame(Buffer.alloc(200), { opcode: 9 }), 1002],
      ['close code 999', frame(Buffer.from([0x03, 0xe7]), { opcode: 8 }), 1002],
    ];
    for (const [what, bad, code] of cases) {
      const raw = await rawWebSocket(server.port, url);
      raw.send(bad);
      await raw.closed;
      expect(closeCodeOf(raw.received()), what).toBe(code);
    }
    expect(faults.filter((f) => f.where === 'socket').length).toBeGreaterThanOrEqual(cases.length);
    // The console that did nothing wrong still gets its answers.
    const reply = new Promise<string>((r) => bystander.once('message', (d) => r(d.toString())));
    bystander.send(JSON.stringify({ id: 3, command: { type: 'hello' } }));
    expect(JSON.parse(await reply)).toMatchObject({ type: 'reply', id: 3, reply: { ok: true } });
    bystander.close();
    await alive();
  });

  it('carries a 900 KB command whole, and answers a frame with an id but no command to that id', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    await new Promise((r) => ws.once('open', r));
    const replies: { id: number; reply: Reply }[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    const body = 'x'.repeat(900 * 1024);
    ws.send(JSON.stringify({ id: 11, command: { type: 'send', body: { text: body } } }));
    ws.send(JSON.stringify({ id: 12 }));
    await expect.poll(() => replies.length).toBe(2);
    expect(replies.find((r) => r.id === 11)?.reply).toMatchObject({ ok: true });
    expect(replies.find((r) => r.id === 12)?.reply).toEqual({
      ok: false,
      error: 'frame must be {id, command}',
    });
    ws.close();
  });
});
