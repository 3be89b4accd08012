import { describeEvent } from '../../scenario/format';
import { type ModelSnapshot, WorldModel } from '../model';
import type { MessageEvent, TraceEvent } from '../schema';
import { redactXpc, type XpcDictionary } from '../xpc-value';

/** What a redacted export hides besides payload values, each by choice. */
export interface RedactOptions {
  /** Message keys (selector names) become `<key 1>`, `<key 2>`…, the same name the same number. */
  keys?: boolean;
  /** Absolute paths (a user's home, an app's location) keep only their last part: `<path>/AcmeTunnel`. */
  paths?: boolean;
}

export interface CsvOptions extends RedactOptions {
  /** Replace payload values with their XPC types and sizes. */
  redact?: boolean;
  /** Where labels and services are looked up; without it, the events given are replayed to learn them. */
  world?: ModelSnapshot;
}

export const MESSAGE_CSV_COLUMNS = [
  'time',
  'dir',
  'conn',
  'from',
  'to',
  'key',
  'size',
  'expectsReply',
  'replyTo',
  'latencyMs',
  'payload',
  'fromLabel',
  'toLabel',
  'service',
] as const;

/** RFC 4180: quote a field that holds a comma, quote or line break; double the quotes inside. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function optional(value: number | string | undefined): string {
  return value === undefined ? '' : String(value);
}

function redactPayload(payload: XpcDictionary): XpcDictionary {
  // A dictionary redacts to a dictionary of the same keys; only the leaves become "<type, size>".
  return redactXpc(payload) as XpcDictionary;
}

/** A latency to the microsecond: 16.895751953125 → 16.896. */
export function roundLatency(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/** The service a message's connection is to, from either end (a peer is named `<service>.peer[pid]`). */
function serviceOf(world: ModelSnapshot, conn: string): string {
  const c = world.connections[conn];
  if (!c) return '';
  if (c.side !== 'peer') return c.name;
  return (
    (c.peerConn ? world.connections[c.peerConn]?.name : undefined) ?? c.name.replace(/\.peer\[-?\d+\]$/, '')
  );
}

function messageRow(m: MessageEvent, redact: boolean, world: ModelSnapshot): string[] {
  const payload =
    m.payload === undefined ? '' : JSON.stringify(redact ? redactPayload(m.payload) : m.payload);
  return [
    new Date(m.t).toISOString(),
    m.dir,
    m.conn,
    String(m.from),
    String(m.to),
    optional(m.key),
    String(m.size),
    String(m.expectsReply),
    optional(m.replyTo),
    m.latencyMs === undefined ? '' : roundLatency(m.latencyMs),
    payload,
    world.processes[m.from]?.label ?? '',
    world.processes[m.to]?.label ?? '',
    serviceOf(world, m.conn),
  ];
}

/**
 * The message list as CSV with a header row and CRLF line ends, as RFC 4180 and spreadsheets expect.
 * Each end is named by pid and by label, with the service the connection is to.
 */
export function messagesToCsv(events: readonly TraceEvent[], opts: CsvOptions = {}): string {
  const rows: string[] = [MESSAGE_CSV_COLUMNS.join(',')];
  const model = opts.world ? undefined : new WorldModel();
  const redacted = opts.keys || opts.paths ? redactTrace(events, opts) : events;
  for (const event of redacted) {
    model?.apply(event);
    if (event.kind !== 'message') continue;
    const world = opts.world ?? (model as WorldModel).state;
    rows.push(
      messageRow(event, opts.redact ?? false, world)
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** An absolute path where text holds one: at the start, or after a space, quote, bracket or `=`. */
const ABSOLUTE_PATH = /(?<=^|[\s"'(=[])\/(?:[^\s/"'()\]]+(?: [^\s/"'()\]]+)*\/)+[^\s/"'()\]]*/g;

function redactPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (path) => {
    const last = path.split('/').filter(Boolean).at(-1);
    return last ? `<path>/${last}` : '<path>';
  });
}

function deepStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => deepStrings(v, f));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepStrings(v, f)]));
  return value;
}

/**
 * The same events with every message payload reduced to types and sizes, for sharing outside a company;
 * by choice, message keys (selector names) numbered and absolute paths cut to their last part.
 */
export function redactTrace(events: readonly TraceEvent[], opts: RedactOptions = {}): TraceEvent[] {
  const keys = new Map<string, string>();
  const keyFor = (key: string) => {
    let named = keys.get(key);
    if (!named) {
      named = `<key ${keys.size + 1}>`;
      keys.set(key, named);
    }
    return named;
  };
  return events.map((event) => {
    let out: TraceEvent = event;
    if (out.kind === 'message') {
      if (out.payload !== undefined) out = { ...out, payload: redactPayload(out.payload) };
      if (opts.keys && out.kind === 'message' && out.key !== undefined)
        out = { ...out, key: keyFor(out.key) };
    }
    if (opts.paths) out = deepStrings(out, redactPaths) as TraceEvent;
    return out;
  });
}

export const EVENT_CSV_COLUMNS = ['time', 'seq', 'kind', 'pid', 'conn', 'event'] as const;

/**
 * Every event as CSV, one row each, described in words: what a Mac's log
 * turns into (connections, lookups, log lines) has no messages to list.
 */
export function eventsToCsv(events: readonly TraceEvent[]): string {
  const rows: string[] = [EVENT_CSV_COLUMNS.join(',')];
  for (const event of events) {
    const pid = 'pid' in event && typeof event.pid === 'number' ? String(event.pid) : '';
    const conn = 'conn' in event && typeof event.conn === 'string' ? event.conn : '';
    rows.push(
      [new Date(event.t).toISOString(), String(event.seq), event.kind, pid, conn, describeEvent(event)]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
