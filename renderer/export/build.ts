import { messagesToCsv, type RedactOptions, redactTrace } from '../../main/trace/export/csv';
import { toNdjson } from '../../main/trace/export/ndjson';
import { toPerfetto } from '../../main/trace/export/perfetto';
import type { ModelSnapshot } from '../../main/trace/model';
import type { MessageEvent, TraceEvent } from '../../main/trace/schema';
import type { CaptureView } from '../capture/view';
import type { CaptureWindow } from '../capture/window';

export type ExportKind = 'csv' | 'perfetto' | 'ndjson';

export interface ExportFile {
  name: string;
  type: string;
  text: string;
  /** What the file holds, in words, for the confirmation. */
  summary: string;
}

/** The rows the message list shows now: the current filter's result, up to the pause. */
export function shownMessages(view: CaptureView<MessageEvent>): MessageEvent[] {
  const rows: MessageEvent[] = [];
  for (let i = 0; i < view.count; i++) {
    const m = view.at(i);
    if (m) rows.push(m);
  }
  return rows;
}

/** Every event the console holds, messages and the rest, back in stream order. */
export function heldEvents(
  messages: CaptureWindow<MessageEvent>,
  others: readonly TraceEvent[],
): TraceEvent[] {
  const all: TraceEvent[] = [...others];
  messages.forEach((m) => {
    all.push(m);
  });
  return all.sort((a, b) => a.seq - b.seq);
}

/** `acme-vpn-messages-20261123-142503.csv`: the world, what it is, and when, so exports do not overwrite each other. */
export function exportName(world: string, what: string, ext: string, now: Date): string {
  const slug =
    world
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'xpc-lab';
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${slug}-${what}-${stamp}.${ext}`;
}

const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

export function buildExport(
  kind: ExportKind,
  input: {
    world: string;
    host: 'electron' | 'headless';
    shown: () => MessageEvent[];
    held: () => TraceEvent[];
    filter: string;
    redact: boolean;
    /** With `redact`: also number message keys and cut absolute paths (XPC-MODEL says nothing of secrets; users do). */
    redactMore?: RedactOptions;
    /** Where the CSV looks up labels and services for the rows it writes. */
    model?: ModelSnapshot;
    now: Date;
  },
): ExportFile {
  const { world, host, redact, now } = input;
  const more = redact ? (input.redactMore ?? {}) : {};
  const redacted = redact
    ? `, payloads${more.keys ? ', keys' : ''}${more.paths ? ', paths' : ''} redacted`
    : '';
  if (kind === 'csv') {
    const rows = input.shown();
    return {
      name: exportName(world, 'messages', 'csv', now),
      type: 'text/csv',
      text: messagesToCsv(rows, { redact, ...more, ...(input.model ? { world: input.model } : {}) }),
      summary: `${plural(rows.length, 'message')}${input.filter ? ` matching ${input.filter}` : ''}${redacted}`,
    };
  }
  const held = input.held();
  const events = redact ? redactTrace(held, more) : held;
  if (kind === 'perfetto') {
    return {
      name: exportName(world, 'perfetto', 'json', now),
      type: 'application/json',
      text: JSON.stringify(toPerfetto(events)),
      summary: `${plural(events.length, 'event')} as Chrome/Perfetto trace-event JSON${redacted}`,
    };
  }
  return {
    name: exportName(world, 'trace', 'ndjson', now),
    type: 'application/x-ndjson',
    text: toNdjson(events, { host, world, source: 'exported from the XPC Lab console' }, now),
    summary: `${plural(events.length, 'event')} as an XPC Lab trace${redacted}`,
  };
}
