/**
 * A bounded FIFO that overwrites its oldest entries and counts what it
 * dropped, so nothing is lost silently (docs/design.md, Performance shape).
 */
export class RingBuffer<T> {
  private items: (T | undefined)[];
  private start = 0;
  private count = 0;
  dropped = 0;

  constructor(private cap: number) {
    if (!Number.isInteger(cap) || cap < 1)
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${cap}`);
    this.items = new Array(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.cap) {
      this.items[(this.start + this.count) % this.cap] = item;
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.cap;
    this.dropped++;
  }

  /** The i-th oldest item still held. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.cap];
  }

  toArray(): T[] {
    const out: T[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.cap] as T;
    return out;
  }

  clear(): void {
    this.items = new Array(this.cap);
    this.start = 0;
    this.count = 0;
  }

  /** Changes the capacity, keeping the newest items; the ones that no longer fit count as dropped. */
  resize(cap: number): void {
    const kept = this.toArray().slice(-cap);
    this.dropped += this.count - kept.length;
    this.cap = cap;
    this.items = new Array(cap);
    this.start = 0;
    this.count = 0;
    for (const item of kept) this.push(item);
  }
}
