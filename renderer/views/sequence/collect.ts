import type { ModelSnapshot } from '../../../main/trace/model';
import type { MessageEvent, TraceEvent } from '../../../main/trace/schema';

/**
 * What a sequence diagram draws, from a bounded window: the newest messages
 * between the chosen processes, and the lifecycle marks on their lifelines
 * (invalidations, interruptions, exits, launches) from the same stretch of
 * time. Lifelines are process labels, so a relaunched helper keeps its lane.
 */
export type Mark = 'invalidated' | 'interrupted' | 'reconnected' | 'exit' | 'spawn';

export type SeqItem =
  | { kind: 'msg'; t: number; seq: number; m: MessageEvent; abs: number; from: string; to: string }
  | {
      kind: 'mark';
      t: number;
      seq: number;
      lane: string;
      mark: Mark;
      text: string;
      conn?: string;
      pid: number;
    };

const SCAN_LIMIT = 50_000;

export interface SequenceSource {
  /** Messages newest first, with their absolute index in the capture window. */
  messages: () => Iterable<[number, MessageEvent]>;
  /** Lifecycle events, oldest first. */
  events: readonly TraceEvent[];
  world: ModelSnapshot;
}

function markOf(
  e: TraceEvent,
  world: ModelSnapshot,
): Omit<SeqItem & { kind: 'mark' }, 'kind' | 't' | 'seq'> | null {
  if (e.kind === 'connection.state') {
    const lane = world.processes[e.pid]?.label;
    if (!lane) return null;
    const why = e.cause ? ` · ${e.cause}` : '';
    if (e.to === 'invalidated')
      return { lane, mark: 'invalidated', text: `${e.name} invalidated${why}`, conn: e.conn, pid: e.pid };
    if (e.to === 'interrupted')
      return { lane, mark: 'interrupted', text: `${e.name} interrupted${why}`, conn: e.conn, pid: e.pid };
    if (e.to === 'connected' && e.from === 'interrupted')
      return { lane, mark: 'reconnected', text: `${e.name} connected again`, conn: e.conn, pid: e.pid };
    return null;
  }
  if (e.kind === 'process.exit') return { lane: e.label, mark: 'exit', text: e.detail, pid: e.pid };
  if (e.kind === 'process.spawn')
    return { lane: e.label, mark: 'spawn', text: `launched (pid ${e.pid}) because ${e.reason}`, pid: e.pid };
  return null;
}

export function collectSequence(
  source: SequenceSource,
  lanes: ReadonlySet<string>,
  limit: number,
): SeqItem[] {
  const { world } = source;
  const items: SeqItem[] = [];
  let scanned = 0;
  for (const [abs, m] of source.messages()) {
    if (++scanned > SCAN_LIMIT || items.length >= limit) break;
    const from = world.processes[m.from]?.label;
    const to = world.processes[m.to]?.label;
    if (from && to && lanes.has(from) && lanes.has(to))
      items.push({ kind: 'msg', t: m.t, seq: m.seq, m, abs, from, to });
  }
  const since = items.length >= limit ? (items.at(-1)?.t ?? 0) : Number.NEGATIVE_INFINITY;
  for (const e of source.events) {
    if (e.t < since) continue;
    const mark = markOf(e, world);
    if (mark && lanes.has(mark.lane)) items.push({ kind: 'mark', t: e.t, seq: e.seq, ...mark });
  }
  items.sort((a, b) => a.seq - b.seq);
  return items.slice(-limit);
}
