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

/** A latency: 0.42 ms, 12.3 ms, 1.20 s. */
export function ms(v: number): string {
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 100) return `${v.toFixed(1)} ms`;
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(2)} s`;
}

/** A rate or count in few characters: 950, 12.3k, 1.2M. */
export function compact(n: number): string {
  if (n < 1000) return n < 10 && !Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

// One formatter for every count: Number#toLocaleString builds a new one per call, which shows in a profile.
const NUMBER = new Intl.NumberFormat();

/** A count with thousands separators. */
export function num(n: number): string {
  return NUMBER.format(n);
}
