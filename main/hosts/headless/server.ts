import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { ClientFrameSchema, MAX_CLIENT_FRAME, type Reply, type ServerFrame } from '../../../preload/contract';
import type { ConsoleSource } from '../../session/source';
import { CSP } from '../csp';
import { CONTENT_TYPES as TYPES } from '../mime';
import type { SwitchClient } from '../switch';

/** What every answer carries, a refusal as much as a file. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Something a request or a frame did wrong, answered without stopping anything. */
export interface ServerFault {
  where: 'request' | 'socket';
  error: unknown;
}

/** What the server serves consoles: the host's SourceSwitch, or one fixed source. */
export interface ConsoleEndpoint {
  handle(raw: unknown): Promise<Reply>;
  attach(client: SwitchClient): () => void;
}

export type HeadlessServerOptions = ({ sources: ConsoleEndpoint } | { session: ConsoleSource }) & {
  rendererDir: string;
  port?: number;
  token?: string;
  /** Told of anything a request or a socket did that was answered with an error instead of a crash. */
  onFault?: (fault: ServerFault) => void;
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

/** A request target as a URL, or undefined when it is not one (`//[/`). */
function targetOf(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The headless host's front door: loopback only, the random token required on
 * every request, Host and Origin checked against the loopback address.
 *
 * The token travels only in URLs this server writes: the printed URL, the
 * console's asset URLs (written into the page it serves) and the WebSocket
 * URL. No cookie is set, because a browser sends a 127.0.0.1 cookie to every
 * port of 127.0.0.1, and other local services would receive it.
 *
 * Nothing a request or a frame carries can stop the server: a request that
 * cannot be read gets a 400, a bad frame closes its own socket, and anything
 * else that goes wrong is answered 500 and passed to `onFault`.
 */
export function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const endpoint = endpointOf(options);
  const onFault = options.onFault ?? (() => {});
  // maxPayload is checked by ws's framing layer against each frame's declared length, before any of it is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });
  wss.on('error', (error) => onFault({ where: 'socket', error }));
  let port = 0;

  const allowedHost = (req: IncomingMessage) => {
    const host = req.headers.host ?? '';
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };
  const authorised = (url: URL) => {
    const presented = url.searchParams.get('token');
    return presented !== null && same(presented, token);
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const url = targetOf(req);
    if (!url) return deny(res, 400, 'XPC Lab: the request target is not a URL.');
    if (!allowedHost(req)) return deny(res, 421, 'XPC Lab serves 127.0.0.1 only.');
    if (!authorised(url))
      return deny(
        res,
        401,
        'XPC Lab: this console needs the token printed by `xpc-lab serve` (open the URL it printed).',
      );
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return deny(res, 405, 'XPC Lab serves its console with GET only.');
    }
    serveStatic(options.rendererDir, url.pathname, token, req.method === 'HEAD', res);
  };

  const server: Server = createServer((req, res) => {
    try {
      answer(req, res);
    } catch (error) {
      onFault({ where: 'request', error });
      if (!res.headersSent) deny(res, 500, 'XPC Lab: this request could not be answered.');
      else res.destroy();
    }
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', (error) => onFault({ where: 'socket', error }));
    try {
      const url = targetOf(req);
      const origin = req.headers.origin;
      const originOk =
        origin === undefined ||
        origin === `http://127.0.0.1:${port}` ||
        origin === `http://localhost:${port}`;
      if (url?.pathname !== '/ws' || !allowedHost(req) || !originOk || !authorised(url)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => connect(ws, endpoint, onFault));
    } catch (error) {
      onFault({ where: 'socket', error });
      socket.destroy();
    }
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
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

/** The console's page, with the token written into its asset URLs (they are fetched without it otherwise). */
function pageWithToken(html: string, token: string): string {
  const query = `?token=${encodeURIComponent(token)}`;
  return html.replace(
    /\b(src|href)="(\.\/[^"?#]+)"/g,
    (_, attr: string, path: string) => `${attr}="${path}${query}"`,
  );
}

function serveStatic(
  root: string,
  pathname: string,
  token: string,
  head: boolean,
  res: ServerResponse,
): void {
  const rel = pathname === '/' ? 'index.html' : decoded(pathname)?.replace(/^\/+/, '');
  if (rel === undefined || rel.includes('\0'))
    return deny(res, 400, 'XPC Lab: the path is not valid percent-encoding.');
  const file = normalize(join(root, rel));
  let isFile = false;
  try {
    isFile = file.startsWith(normalize(root) + sep) && statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) return deny(res, 404, 'XPC Lab: no such file in the console.');
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const body =
    extname(file) === '.html'
      ? Buffer.from(pageWithToken(readFileSync(file, 'utf8'), token))
      : readFileSync(file);
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': body.length });
  res.end(head ? undefined : body);
}

/** The id a frame gave, when it gave a usable one, so even a refusal is answered to its request. */
function idOf(raw: unknown): number {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
}

/** A console's frame: its id and command, or what is wrong with it (answered to its id when it has one). */
export function readClientFrame(
  text: string,
): { id: number; command: unknown } | { id: number; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { id: -1, error: 'frame is not JSON' };
  }
  const id = idOf(raw);
  const frame = ClientFrameSchema.safeParse(raw);
  if (!frame.success || frame.data.command === undefined) return { id, error: 'frame must be {id, command}' };
  return { id: frame.data.id, command: frame.data.command };
}

/**
 * One console over WebSocket: the same contract as the Electron preload. When
 * the host opens another source the console is told with a `switched` batch;
 * it starts over and greets the new source on a new socket.
 */
function connect(ws: WebSocket, endpoint: ConsoleEndpoint, onFault: (fault: ServerFault) => void): void {
  // A protocol error (a frame over maxPayload, invalid UTF-8, an unmasked frame, a reserved opcode...)
  // ends this socket only: ws closes it with the matching code once this listener exists.
  ws.on('error', (error) => onFault({ where: 'socket', error }));
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const detach = endpoint.attach({
    send: (batch) => send({ type: 'batch', batch }),
    switched: () => send({ type: 'batch', batch: { events: [], dropped: 0, switched: true } }),
  });
  ws.on('close', detach);
  ws.on('message', async (data) => {
    const frame = readClientFrame(data.toString());
    if ('error' in frame)
      return send({ type: 'reply', id: frame.id, reply: { ok: false, error: frame.error } });
    let reply: Reply;
    try {
      reply = await endpoint.handle(frame.command);
    } catch (error) {
      onFault({ where: 'socket', error });
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    send({ type: 'reply', id: frame.id, reply });
  });
}
