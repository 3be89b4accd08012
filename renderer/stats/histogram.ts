/**
 * Reply latencies in log-spaced buckets (8 per doubling, ~9% wide) from
 * 10 µs to about 5 minutes: constant memory and O(1) per reply, so
 * percentiles never walk the messages.
 */
const BASE_MS = 0.01;
const PER_DOUBLING = 8;
const BUCKETS = 200;
const LOG_STEP = Math.log(2) / PER_DOUBLING;

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  add(ms: number): void {
    const i = ms <= BASE_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / BASE_MS) / LOG_STEP) + 1);
    this.counts[i] = (this.counts[i] as number) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The q-quantile (0..1), as the upper edge of its bucket (never above the largest seen); undefined if empty. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(this.max, BASE_MS * Math.exp(i * LOG_STEP));
    }
    return this.max;
  }
}
