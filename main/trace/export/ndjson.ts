import { TRACE_FORMAT } from '../parse';
import { SCHEMA_VERSION, type TraceEvent, type TraceHeader } from '../schema';

/** A trace file's text: the header line, then one event per line, as the recorder writes it. */
export function toNdjson(
  events: readonly TraceEvent[],
  header: Omit<TraceHeader, 'format' | 'v' | 'created'>,
  created: Date = new Date(),
): string {
  const head: TraceHeader = {
    format: TRACE_FORMAT,
    v: SCHEMA_VERSION,
    created: created.toISOString(),
    ...header,
  };
  const lines = [JSON.stringify(head)];
  for (const event of events) lines.push(JSON.stringify(event));
  return `${lines.join('\n')}\n`;
}
