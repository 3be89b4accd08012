import type { Clock } from '../broker/spawner';
import { WorldModel } from '../trace/model';
import { RingBuffer } from '../trace/ring';
import { type EventInput, SCHEMA_VERSION, type TraceEvent } from '../trace/schema';

export type EventListener = (event: TraceEvent) => void;

/**
 * The one ordered stream: stamps each event with schema version, sequence
 * number and time, keeps the recent window in a ring buffer, keeps the model
 * current, and fans out to subscribers (batcher, recorder, scenario runner).
 */
export class EventHub {
  private seq = 0;
  readonly window: RingBuffer<TraceEvent>;
  readonly model = new WorldModel();
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly clock: Clock,
    capacity = 50_000,
  ) {
    this.window = new RingBuffer(capacity);
  }

  emit = (input: EventInput): TraceEvent => {
    const event = {
      ...input,
      v: SCHEMA_VERSION,
      seq: this.seq++,
      t: input.t ?? this.clock.now(),
    } as TraceEvent;
    this.publish(event);
    return event;
  };

  /** Replays an event recorded elsewhere (a trace file, an imported log), keeping its sequence number and time. */
  replay(event: TraceEvent): void {
    this.seq = Math.max(this.seq, event.seq + 1);
    this.publish(event);
  }

  private publish(event: TraceEvent): void {
    this.window.push(event);
    this.model.apply(event);
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Collects events and hands them out as batches at most `hz` times a second,
 * so the console never renders per message (docs/design.md, One stream of events).
 */
export class Batcher {
  /** Bounded: past maxPending the oldest pending events are dropped and counted, in O(1) per event. */
  private pending: RingBuffer<TraceEvent>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;
  private readonly interval: number;

  constructor(
    private readonly flush: (events: TraceEvent[]) => void,
    hz = 60,
    maxPending = 20_000,
  ) {
    this.interval = 1000 / hz;
    this.pending = new RingBuffer(maxPending);
  }

  get dropped(): number {
    return this.pending.dropped;
  }

  push(event: TraceEvent): void {
    this.pending.push(event);
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.interval - performance.now());
    this.timer = setTimeout(() => this.drain(), wait);
  }

  private drain(): void {
    this.timer = undefined;
    this.last = performance.now();
    const events = this.pending.toArray();
    this.pending.clear();
    if (events.length > 0) this.flush(events);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
