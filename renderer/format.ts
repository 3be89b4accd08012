import type { ConnectionState, XpcError } from '../main/trace/schema';

export function clock(t: number): string {
  const d = new Date(t);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

const SHORT_ERRORS: Record<XpcError, string> = {
  XPC_ERROR_CONNECTION_INTERRUPTED: 'INTERRUPTED',
  XPC_ERROR_CONNECTION_INVALID: 'INVALID',
  XPC_ERROR_TERMINATION_IMMINENT: 'TERMINATION_IMMINENT',
  XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT: 'PEER_CODE_SIGNING',
};

export function shortError(e: XpcError): string {
  return SHORT_ERRORS[e];
}

export const STATE_ORDER: Record<ConnectionState, number> = {
  invalidated: 0,
  interrupted: 1,
  activating: 2,
  inactive: 3,
  connected: 4,
};
