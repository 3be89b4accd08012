/**
 * Per-second buckets over the last `seconds` seconds of capture time, for
 * rates and the throughput chart. Time comes from the events themselves, so a
 * reopened trace charts its own seconds, not the wall clock's.
 */
export class SecondSeries {
  readonly counts: Float64Array;
  readonly bytes: Float64Array;
  /** The newest second (epoch seconds) the buckets hold. */
  latest = -1;

  constructor(readonly seconds: number) {
    this.counts = new Float64Array(seconds);
    this.bytes = new Float64Array(seconds);
  }

  add(t: number, size: number): void {
    const sec = Math.floor(t / 1000);
    this.advance(sec);
    if (sec <= this.latest - this.seconds) return;
    const i = sec % this.seconds;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.bytes[i] = (this.bytes[i] as number) + size;
  }

  /** Moves the newest second forward, emptying the buckets that wrap round. */
  advance(sec: number): void {
    if (sec <= this.latest) return;
    const from = this.latest < 0 ? sec - this.seconds + 1 : Math.max(this.latest + 1, sec - this.seconds + 1);
    for (let s = from; s <= sec; s++) {
      const i = ((s % this.seconds) + this.seconds) % this.seconds;
      this.counts[i] = 0;
      this.bytes[i] = 0;
    }
    this.latest = sec;
  }

  /** Oldest first: the last `n` whole seconds up to `sec`. */
  window(n: number, sec = this.latest): { counts: number[]; bytes: number[] } {
    const counts: number[] = [];
    const bytes: number[] = [];
    for (let s = sec - n + 1; s <= sec; s++) {
      const held = s > this.latest - this.seconds && s <= this.latest;
      const i = ((s % this.seconds) + this.seconds) % this.seconds;
      counts.push(held ? (this.counts[i] as number) : 0);
      bytes.push(held ? (this.bytes[i] as number) : 0);
    }
    return { counts, bytes };
  }

  /** Messages a second over the last `n` whole seconds before `sec`. */
  rate(n: number, sec = this.latest): number {
    const { counts } = this.window(n, sec - 1);
    return counts.reduce((a, b) => a + b, 0) / n;
  }
}
