import { emptySnapshot, type ModelSnapshot, WorldModel } from './model';
import type { TraceEvent } from './schema';

/**
 * Copies of the model taken while a trace streams in, so the state at any
 * instant is one copy plus a bounded run of events away, without keeping the
 * events themselves.
 *
 * Memory stays bounded by two limits: a count and a weight budget (one unit per
 * process, service, connection and connection-history entry, roughly 100–200
 * bytes each). Past either, every other checkpoint is dropped and the spacing
 * doubles, so a trace of any length ends with at most `max` checkpoints spread
 * evenly over it. A checkpoint is also never taken sooner than COPY_COST events
 * per unit of the last one's weight, so copying a large model stays a small
 * fraction of the cost of applying the events between copies.
 */

export interface Checkpoint {
  /** The seq of the last event applied; -1 before the first. */
  seq: number;
  /** The latest event time applied (a log is not always in time order); -Infinity before the first. */
  t: number;
  /** Where in the trace file a re-read for the events after this point starts, for a trace read from a file. */
  offset: number | undefined;
  /**
   * The event after this point, once it has arrived: its seq (how a re-read knows
   * it resumed in the right place) and its position in the stream of events kept.
   */
  next: { seq: number; position: number } | undefined;
  snapshot: ModelSnapshot;
  waiting: [number, string][];
  weight: number;
}

export interface CheckpointOptions {
  /** Events between checkpoints to begin with; doubles each time the list is thinned. */
  every?: number;
  /** Most checkpoints kept. */
  max?: number;
  /** Most weight units kept over all checkpoints. */
  budget?: number;
}

const DEFAULTS = { every: 4000, max: 256, budget: 500_000 };
/** Events per weight unit between checkpoints: copying a unit costs about as much as applying 16 events. */
const COPY_COST = 16;

export class Checkpoints {
  private list: Checkpoint[];
  private every: number;
  private readonly max: number;
  private readonly budget: number;
  private weight = 0;
  private since = 0;
  private added = 0;
  private tMax = Number.NEGATIVE_INFINITY;

  constructor(opts: CheckpointOptions = {}) {
    this.every = opts.every ?? DEFAULTS.every;
    this.max = Math.max(2, opts.max ?? DEFAULTS.max);
    this.budget = opts.budget ?? DEFAULTS.budget;
    this.list = [
      {
        seq: -1,
        t: Number.NEGATIVE_INFINITY,
        offset: undefined,
        next: undefined,
        snapshot: emptySnapshot(),
        waiting: [],
        weight: 1,
      },
    ];
  }

  get size(): number {
    return this.list.length;
  }

  get spacing(): number {
    return this.every;
  }

  /** Events seen so far. */
  get count(): number {
    return this.added;
  }

  /**
   * Called after `model` has applied `event`. `at.offset` is where a re-read of
   * the file can start and still find the event; `at.position` is the event's
   * position in the stream.
   */
  observe(event: TraceEvent, model: WorldModel, at: { offset: number | undefined; position: number }): void {
    const last = this.list[this.list.length - 1]!;
    if (last.next === undefined) {
      last.next = { seq: event.seq, position: at.position };
      if (last.seq === -1) last.offset = at.offset;
    }
    this.added++;
    this.tMax = Math.max(this.tMax, event.t);
    if (++this.since < Math.max(this.every, last.weight * COPY_COST)) return;
    this.take(event, model, at.offset);
  }

  /** The latest checkpoint at or before time t. */
  before(t: number): Checkpoint {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.list[mid]!.t <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.list[lo]!;
  }

  /** A model to go on from: the checkpoint itself stays untouched. */
  static restore(cp: Checkpoint): WorldModel {
    return new WorldModel(structuredClone(cp.snapshot), cp.waiting);
  }

  private take(event: TraceEvent, model: WorldModel, offset: number | undefined): void {
    const snapshot = structuredClone(model.state);
    const weight = weigh(snapshot);
    this.list.push({
      seq: event.seq,
      t: this.tMax,
      offset,
      next: undefined,
      snapshot,
      waiting: model.pendingRequests(),
      weight,
    });
    this.weight += weight;
    this.since = 0;
    while (this.list.length > this.max || (this.weight > this.budget && this.list.length > 2)) this.thin();
  }

  /** Keeps the first checkpoint and every other one after it; the spacing doubles to match. */
  private thin(): void {
    this.list = this.list.filter((_, i) => i % 2 === 0);
    this.weight = this.list.reduce((sum, cp) => sum + cp.weight, 0);
    this.every *= 2;
  }
}

function weigh(s: ModelSnapshot): number {
  let units = 1 + Object.keys(s.processes).length + Object.keys(s.services).length;
  for (const c of Object.values(s.connections)) units += 1 + c.history.length;
  if (s.extensions) units += Object.keys(s.extensions).length;
  if (s.upgrades) units += s.upgrades.length * 8;
  return units;
}
