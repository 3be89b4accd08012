import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { CSP } from '../csp';
import { CONTENT_TYPES as TYPES } from '../mime';

/** The console's own scheme: a privileged, standard, secure origin instead of file:// (Electron security checklist). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_INDEX = `${APP_SCHEME}://${APP_HOST}/index.html`;

export const APP_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

function notFound(): Response {
  return new Response('not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain', 'Content-Security-Policy': CSP },
  });
}

/**
 * Answers app://console/<path> from the renderer folder: only that host, only
 * GET, only regular files inside the folder (no `..`, no encoded escape), each
 * with the console's Content-Security-Policy.
 */
export function serveAppRequest(rendererDir: string, request: { url: string; method?: string }): Response {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return notFound();
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || (request.method ?? 'GET') !== 'GET')
    return notFound();
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
  } catch {
    return notFound();
  }
  if (rel.includes('\0')) return notFound();
  const root = normalize(rendererDir);
  const file = normalize(join(root, rel));
  try {
    if (!file.startsWith(root + sep) || !statSync(file).isFile()) return notFound();
    return new Response(readFileSync(file), {
      status: 200,
      headers: {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return notFound();
  }
}
