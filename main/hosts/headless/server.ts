import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { ClientFrameSchema, type Reply, type ServerFrame } from '../../../preload/contract';
import type { ConsoleSource } from '../../session/source';
import { CSP } from '../csp';
import type { SwitchClient } from '../switch';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

const COOKIE = 'xpclab_token';
const MAX_FRAME = 256 * 1024;

/** What the server serves consoles: the host's SourceSwitch, or one fixed source. */
export interface ConsoleEndpoint {
  handle(raw: unknown): Promise<Reply>;
  attach(client: SwitchClient): () => void;
}

export type HeadlessServerOptions = ({ sources: ConsoleEndpoint } | { session: ConsoleSource }) & {
  rendererDir: string;
  port?: number;
  token?: string;
};

function endpointOf(options: HeadlessServerOptions): ConsoleEndpoint {
  if ('sources' in options) return options.sources;
  const { session } = options;
  return { handle: (raw) => session.handle(raw), attach: (client) => session.attach((b) => client.send(b)) };
}

export interface HeadlessServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return undefined;
}

/**
 * The headless host's front door: loopback only, a random token required on
 * every request (query on first load, then an HttpOnly cookie), Host and
 * Origin checked against the loopback address.
 */
export function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const endpoint = endpointOf(options);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  let port = 0;

  const allowedHost = (req: IncomingMessage) => {
    const host = req.headers.host ?? '';
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };
  const authorised = (req: IncomingMessage, url: URL) => {
    const presented = url.searchParams.get('token') ?? cookieToken(req);
    return presented !== undefined && presented !== null && same(presented, token);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!allowedHost(req)) return deny(res, 421, 'XPC Lab serves 127.0.0.1 only.');
    if (!authorised(req, url))
      return deny(
        res,
        401,
        'XPC Lab: this console needs the token printed by `xpc-lab serve` (open the URL it printed).',
      );
    if (url.searchParams.has('token')) {
      res.setHeader(
        'Set-Cookie',
        `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    serveStatic(options.rendererDir, url.pathname, res);
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const originOk =
      origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/ws' || !allowedHost(req) || !originOk || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, endpoint));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}/?token=${token}`,
        port,
        token,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function deny(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep) || !existsSync(file) || !statSync(file).isFile()) {
    return deny(res, 404, `not found: ${pathname}`);
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(readFileSync(file));
}

/**
 * One console over WebSocket: the same contract as the Electron preload. When
 * the host opens another source the console is told with a `switched` batch;
 * it starts over and greets the new source on a new socket.
 */
function connect(ws: WebSocket, endpoint: ConsoleEndpoint): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const detach = endpoint.attach({
    send: (batch) => send({ type: 'batch', batch }),
    switched: () => send({ type: 'batch', batch: { events: [], dropped: 0, switched: true } }),
  });
  ws.on('close', detach);
  ws.on('message', async (data) => {
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return send({ type: 'reply', id: -1, reply: { ok: false, error: 'frame is not JSON' } });
    }
    const frame = ClientFrameSchema.safeParse(raw);
    if (!frame.success)
      return send({ type: 'reply', id: -1, reply: { ok: false, error: 'frame must be {id, command}' } });
    send({ type: 'reply', id: frame.data.id, reply: await endpoint.handle(frame.data.command) });
  });
}
