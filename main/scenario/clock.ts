import type { Clock, TimerHandle } from '../broker/spawner';

interface Timer {
  at: number;
  fn: () => void;
  live: boolean;
}

/**
 * The clock a scenario runs the broker on. It follows real time, so real
 * helpers and `wait` steps behave as they would, and it can jump ahead:
 * `advance` moves broker time forward and fires the broker's timers in order
 * (idle exit, ExitTimeOut, ThrottleInterval), letting real processes answer
 * between them. Helpers keep their own real-time timers.
 */
export class ScenarioClock implements Clock {
  private skipped = 0;
  private timers: Timer[] = [];
  private real: ReturnType<typeof setTimeout> | undefined;

  now(): number {
    return performance.timeOrigin + performance.now() + this.skipped;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.now() + Math.max(0, ms), fn, live: true };
    this.timers.push(timer);
    this.arm();
    return {
      cancel: () => {
        timer.live = false;
      },
    };
  }

  /** Jumps `ms` ahead; after each timer that fires, `settle` gives real processes time to react. */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const until = this.now() + ms;
    for (let next = this.due(until); next; next = this.due(until)) {
      this.skipped += Math.max(0, next.at - this.now());
      this.fire(next);
      await settle();
    }
    this.skipped += Math.max(0, until - this.now());
    this.arm();
  }

  dispose(): void {
    if (this.real) clearTimeout(this.real);
    this.timers = [];
  }

  private due(until: number): Timer | undefined {
    this.timers = this.timers.filter((t) => t.live);
    return this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
  }

  private fire(timer: Timer): void {
    timer.live = false;
    timer.fn();
  }

  private arm(): void {
    if (this.real) clearTimeout(this.real);
    this.real = undefined;
    const next = this.timers.filter((t) => t.live).sort((a, b) => a.at - b.at)[0];
    if (!next) return;
    this.real = setTimeout(() => this.onReal(), Math.max(0, next.at - this.now()));
    this.real.unref?.();
  }

  private onReal(): void {
    this.real = undefined;
    for (let next = this.due(this.now()); next; next = this.due(this.now())) this.fire(next);
    this.arm();
  }
}
