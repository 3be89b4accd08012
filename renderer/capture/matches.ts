/**
 * The absolute indices of the captured items a filter lets through, oldest
 * first. Appends at the back as items arrive and trims at the front as the
 * window drops them; a typed array, so a million matches cost 8 MB, not a
 * million boxed numbers.
 */
export class MatchList {
  private buf: Float64Array;
  private head = 0;
  private tail = 0;

  /** `expected`: room to reserve up front, so a refilter that matches most of a big window does not regrow. */
  constructor(expected = 1024) {
    this.buf = new Float64Array(Math.max(1024, expected));
  }

  get length(): number {
    return this.tail - this.head;
  }

  at(i: number): number {
    return this.buf[this.head + i] as number;
  }

  push(abs: number): void {
    if (this.tail === this.buf.length) this.makeRoom();
    this.buf[this.tail++] = abs;
  }

  /** Forgets the matches that fell out of the window. */
  dropBefore(abs: number): void {
    if (this.length === 0 || (this.buf[this.head] as number) >= abs) return;
    this.head += this.lowerBound(abs);
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** How many matches are below `abs`: the position `abs` has or would have. */
  lowerBound(abs: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.buf[this.head + mid] as number) < abs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clear(): void {
    this.head = this.tail = 0;
  }

  private makeRoom(): void {
    const live = this.length;
    const size = live * 2 > this.buf.length ? this.buf.length * 2 : this.buf.length;
    if (size === this.buf.length) this.buf.copyWithin(0, this.head, this.tail);
    else {
      const next = new Float64Array(size);
      next.set(this.buf.subarray(this.head, this.tail));
      this.buf = next;
    }
    this.head = 0;
    this.tail = live;
  }
}
