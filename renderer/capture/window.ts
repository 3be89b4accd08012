/**
 * The console's bounded capture window. Every item gets an absolute index
 * that never changes or repeats (not even across clear or resize), so a
 * filtered view, a selection or a paused list can point at an item and find
 * out it has left the window instead of pointing at a different one.
 */
export class CaptureWindow<T> {
  private items: (T | undefined)[];
  /** Absolute index of the oldest item held. */
  start = 0;
  /** Absolute index the next item will get. */
  end = 0;
  /** Items pushed out by newer ones: shown as "N dropped", never silent. */
  dropped = 0;

  constructor(private cap: number) {
    if (!Number.isInteger(cap) || cap < 1)
      throw new RangeError(`capture window must hold at least 1, got ${cap}`);
    this.items = new Array(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.end - this.start;
  }

  push(item: T): void {
    this.items[this.end % this.cap] = item;
    this.end++;
    if (this.end - this.start > this.cap) {
      this.start++;
      this.dropped++;
    }
  }

  at(abs: number): T | undefined {
    return abs >= this.start && abs < this.end ? this.items[abs % this.cap] : undefined;
  }

  /** Calls fn for each held item from `from` (absolute) on, oldest first; the hot loop of a refilter. */
  forEach(fn: (item: T, abs: number) => void, from = this.start): void {
    const { items, cap } = this;
    for (let abs = Math.max(from, this.start); abs < this.end; abs++) fn(items[abs % cap] as T, abs);
  }

  /** Forgets everything held; indices carry on from where they were. */
  clear(): void {
    this.items = new Array(this.cap);
    this.start = this.end;
  }

  /** Keeps the newest items that fit; the rest count as dropped. */
  resize(cap: number): void {
    if (!Number.isInteger(cap) || cap < 1)
      throw new RangeError(`capture window must hold at least 1, got ${cap}`);
    const keepFrom = Math.max(this.start, this.end - cap);
    const items: (T | undefined)[] = new Array(cap);
    for (let abs = keepFrom; abs < this.end; abs++) items[abs % cap] = this.items[abs % this.cap];
    this.dropped += keepFrom - this.start;
    this.start = keepFrom;
    this.items = items;
    this.cap = cap;
  }
}
