import type { ModelSnapshot } from '../../main/trace/model';
import type { Bind } from '../filter';
import { MatchList } from './matches';
import type { CaptureWindow } from './window';

/**
 * What a list shows of a capture window: everything, or what a filter lets
 * through, up to where the user paused. New items are tested once, as they
 * arrive; a new filter is tested once over everything already held.
 */
export class CaptureView<T> {
  private pred: Bind<T> | null = null;
  private matches: MatchList | null = null;
  /** While paused: the absolute index the list stops at. Capture carries on behind it. */
  private frozenAt: number | null = null;
  /** How long the last full refilter took, and over how many items. */
  lastRefilter: { ms: number; items: number } | null = null;

  constructor(
    private readonly window: CaptureWindow<T>,
    private readonly world: () => ModelSnapshot,
  ) {}

  get filtered(): boolean {
    return this.matches !== null;
  }

  get paused(): boolean {
    return this.frozenAt !== null;
  }

  private get stop(): number {
    return this.frozenAt ?? this.window.end;
  }

  get count(): number {
    if (!this.matches) return Math.max(0, this.stop - this.window.start);
    return this.frozenAt === null ? this.matches.length : this.matches.lowerBound(this.frozenAt);
  }

  /** Arrived since the pause and not shown yet. */
  get pending(): number {
    if (this.frozenAt === null) return 0;
    if (!this.matches) return this.window.end - Math.max(this.frozenAt, this.window.start);
    return this.matches.length - this.matches.lowerBound(this.frozenAt);
  }

  /** The absolute index of the i-th row. */
  absAt(i: number): number {
    return this.matches ? this.matches.at(i) : this.window.start + i;
  }

  at(i: number): T | undefined {
    return this.window.at(this.absAt(i));
  }

  /** The row an absolute index is on, or -1 if the view does not show it. */
  indexOf(abs: number): number {
    if (abs < this.window.start || abs >= this.stop) return -1;
    if (!this.matches) return abs - this.window.start;
    const i = this.matches.lowerBound(abs);
    return i < this.matches.length && this.matches.at(i) === abs ? i : -1;
  }

  /** Tests what arrived since `from` (absolute) and forgets matches the window dropped. */
  extend(from: number): void {
    const { matches, pred } = this;
    if (!matches || !pred) return;
    const test = pred(this.world());
    this.window.forEach((item, abs) => {
      if (test(item)) matches.push(abs);
    }, from);
    matches.dropBefore(this.window.start);
  }

  setFilter(pred: Bind<T> | null): void {
    this.pred = pred;
    if (!pred) {
      this.matches = null;
      return;
    }
    const started = performance.now();
    this.matches = new MatchList(this.window.size);
    this.extend(this.window.start);
    this.lastRefilter = { ms: performance.now() - started, items: this.window.size };
  }

  /** After the window was cleared or resized. */
  refresh(): void {
    this.setFilter(this.pred);
  }

  pause(): void {
    this.frozenAt = this.window.end;
  }

  resume(): void {
    this.frozenAt = null;
  }
}
