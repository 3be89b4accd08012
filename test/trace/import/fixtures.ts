import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ImportResult, importLog } from '../../../main/trace/import';
import type { ConnectionStateEvent, EventOf, TraceEvent } from '../../../main/trace/schema';

const DIR = join(import.meta.dirname, '../../fixtures/logs/written');

export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((n) => n !== 'README.md')
    .sort();
}

export function fixture(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}

export function importFixture(name: string, options: Parameters<typeof importLog>[1] = {}): ImportResult {
  return importLog(fixture(name), { source: name, ...options });
}

export function states(events: readonly TraceEvent[]): ConnectionStateEvent[] {
  return events.filter((e): e is ConnectionStateEvent => e.kind === 'connection.state');
}

export function ofKind<K extends TraceEvent['kind']>(events: readonly TraceEvent[], kind: K): EventOf<K>[] {
  return events.filter((e): e is EventOf<K> => e.kind === kind);
}

/** `conn: from→to (reason)` per state change, for compact expectations. */
export function transitions(events: readonly TraceEvent[]): string[] {
  return states(events).map((e) => `${e.conn}: ${e.from}→${e.to}${e.reason ? ` (${e.reason})` : ''}`);
}
