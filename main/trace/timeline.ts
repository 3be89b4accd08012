import type { ModelSnapshot } from './model';
import type { TraceEvent } from './schema';

/**
 * Where things happened in a trace, in a fixed amount of memory however long
 * it is: a histogram of events over time whose buckets widen as the trace
 * grows, and the moments worth a mark on the scrubber (invalidations, crashes,
 * upgrades), up to a cap.
 */

export type MarkerKind = 'invalidated' | 'crash' | 'upgrade';

export interface TimelineMarker {
  t: number;
  kind: MarkerKind;
  /** Plain words for a tooltip: who, and why. */
  label: string;
}

export interface TimelineSummary {
  /** The first event's time and the latest time seen, ms on the trace's clock; both 0 for an empty trace. */
  start: number;
  end: number;
  events: number;
  /** The width of one histogram bucket in ms; bucket i covers [start + i·bucketMs, start + (i+1)·bucketMs). */
  bucketMs: number;
  /** Events per bucket, from `start` to `end`. */
  density: number[];
  /** Oldest first. */
  markers: TimelineMarker[];
  /** Markers past the cap: counted in the density, not listed. */
  omittedMarkers: number;
}

const BUCKETS = 1024;
const MAX_MARKERS = 2000;

export class Timeline {
  private start = Number.NaN;
  private end = Number.NEGATIVE_INFINITY;
  private width = 1;
  private events = 0;
  private readonly counts = new Float64Array(BUCKETS);
  private readonly markers: TimelineMarker[] = [];
  private omitted = 0;

  /** Called after the model has applied `event`, so a marker can name the processes involved. */
  add(event: TraceEvent, state: ModelSnapshot): void {
    if (event.kind === 'diagnostic') return;
    if (this.events++ === 0) this.start = event.t;
    this.end = Math.max(this.end, event.t);
    this.counts[this.bucket(event.t)]! += 1;
    const marker = markerFor(event, state);
    if (!marker) return;
    if (this.markers.length < MAX_MARKERS) this.markers.push(marker);
    else this.omitted++;
  }

  summary(): TimelineSummary {
    if (this.events === 0)
      return { start: 0, end: 0, events: 0, bucketMs: 1, density: [], markers: [], omittedMarkers: 0 };
    const used = Math.min(BUCKETS, Math.floor((this.end - this.start) / this.width) + 1);
    return {
      start: this.start,
      end: this.end,
      events: this.events,
      bucketMs: this.width,
      density: Array.from(this.counts.subarray(0, used)),
      markers: [...this.markers],
      omittedMarkers: this.omitted,
    };
  }

  /** The bucket for time t, widening every bucket (merging neighbours) until t fits. */
  private bucket(t: number): number {
    // Logs are not always in time order: an event older than the first counts in the first bucket.
    let i = Math.max(0, Math.floor((t - this.start) / this.width));
    while (i >= BUCKETS) {
      for (let j = 0; j < BUCKETS / 2; j++) this.counts[j] = this.counts[2 * j]! + this.counts[2 * j + 1]!;
      this.counts.fill(0, BUCKETS / 2);
      this.width *= 2;
      i = Math.floor((t - this.start) / this.width);
    }
    return i;
  }
}

function markerFor(event: TraceEvent, state: ModelSnapshot): TimelineMarker | undefined {
  const label = (pid: number | undefined) =>
    pid === undefined ? undefined : (state.processes[pid]?.label ?? `pid ${pid}`);
  switch (event.kind) {
    case 'connection.state': {
      // Both ends of a connection are invalidated together; the client's side tells the story once.
      // A connection that ended with its process carries no error (XPC-MODEL §10.2): the exit is the marker.
      if (event.to !== 'invalidated' || event.from === 'invalidated' || event.side === 'peer' || !event.error)
        return undefined;
      const who = label(event.pid);
      return {
        t: event.t,
        kind: 'invalidated',
        label: `${who} → ${event.name} invalidated${event.cause ? `: ${event.cause}` : ''}`,
      };
    }
    case 'process.exit': {
      if (event.clean) return undefined;
      const how = event.signal ?? (event.code === null ? event.cause : `exit ${event.code}`);
      return {
        t: event.t,
        kind: 'crash',
        label: `${label(event.pid)} [${event.pid}] ${event.cause === 'crash' ? 'crashed' : event.cause} (${how})`,
      };
    }
    case 'upgrade':
      return { t: event.t, kind: 'upgrade', label: `${event.app} upgraded ${event.from} → ${event.to}` };
    default:
      return undefined;
  }
}
