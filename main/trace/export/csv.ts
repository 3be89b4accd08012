import { describeEvent } from '../../scenario/format';
import type { MessageEvent, TraceEvent } from '../schema';
import { redactXpc, type XpcDictionary } from '../xpc-value';

export interface CsvOptions {
  /** Replace payload values with their XPC types and sizes. */
  redact?: boolean;
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

function messageRow(m: MessageEvent, redact: boolean): string[] {
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
    optional(m.latencyMs),
    payload,
  ];
}

/** The message list as CSV with a header row and CRLF line ends, as RFC 4180 and spreadsheets expect. */
export function messagesToCsv(events: readonly TraceEvent[], opts: CsvOptions = {}): string {
  const rows: string[] = [MESSAGE_CSV_COLUMNS.join(',')];
  for (const event of events) {
    if (event.kind !== 'message') continue;
    rows.push(
      messageRow(event, opts.redact ?? false)
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** The same events with every message payload reduced to types and sizes, for sharing outside a company. */
export function redactTrace(events: readonly TraceEvent[]): TraceEvent[] {
  return events.map((event) =>
    event.kind === 'message' && event.payload !== undefined
      ? { ...event, payload: redactPayload(event.payload) }
      : event,
  );
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
