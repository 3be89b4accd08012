import type { ModelSnapshot } from '../../main/trace/model';
import type { MessageEvent } from '../../main/trace/schema';
import { LatencyHistogram } from './histogram';
import { SecondSeries } from './series';

/** Counts kept per message as it arrives, so the statistics view reads aggregates, never the messages. */
export class Aggregate {
  messages = 0;
  bytes = 0;
  requests = 0;
  replies = 0;
  readonly latency = new LatencyHistogram();
  readonly perSecond: SecondSeries;

  constructor(seconds: number) {
    this.perSecond = new SecondSeries(seconds);
  }

  add(m: MessageEvent): void {
    this.messages++;
    this.bytes += m.size;
    if (m.expectsReply) this.requests++;
    if (m.dir === 'reply') {
      this.replies++;
      if (m.latencyMs !== undefined) this.latency.add(m.latencyMs);
    }
    this.perSecond.add(m.t, m.size);
  }
}

const TOTAL_SECONDS = 300;
const PART_SECONDS = 60;
/** Per-connection rows are bounded: a world that churns connections must not grow the console without end. */
const MAX_CONNECTIONS = 2000;

export class MessageStats {
  total = new Aggregate(TOTAL_SECONDS);
  byService = new Map<string, Aggregate>();
  byConnection = new Map<string, Aggregate>();
  /** Capture time of the newest message (ms). */
  now = 0;

  add(m: MessageEvent, world: ModelSnapshot): void {
    if (m.t > this.now) this.now = m.t;
    this.total.add(m);
    const c = world.connections[m.conn];
    // A message belongs to the client connection of its pair, so both directions add up in one row.
    const clientConn = c?.side === 'peer' && c.peerConn ? c.peerConn : m.conn;
    this.part(this.byConnection, clientConn).add(m);
    this.part(this.byService, world.connections[clientConn]?.name ?? c?.name ?? '(unknown)').add(m);
  }

  private part(map: Map<string, Aggregate>, key: string): Aggregate {
    let a = map.get(key);
    if (!a) {
      if (map.size >= MAX_CONNECTIONS) {
        const oldest = map.keys().next().value;
        if (oldest !== undefined) map.delete(oldest);
      }
      a = new Aggregate(PART_SECONDS);
      map.set(key, a);
    }
    return a;
  }

  /** Brings every series up to the capture's current second, so idle ones chart as zero. */
  tick(): number {
    const sec = Math.floor(this.now / 1000);
    this.total.perSecond.advance(sec);
    for (const a of this.byService.values()) a.perSecond.advance(sec);
    for (const a of this.byConnection.values()) a.perSecond.advance(sec);
    return sec;
  }

  clear(): void {
    this.total = new Aggregate(TOTAL_SECONDS);
    this.byService.clear();
    this.byConnection.clear();
  }
}
