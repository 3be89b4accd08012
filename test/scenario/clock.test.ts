import { describe, expect, it } from 'vitest';
import { ScenarioClock } from '../../main/scenario/clock';

describe('the scenario clock', () => {
  it('advance jumps ahead and fires due timers in order, settling after each', async () => {
    const clock = new ScenarioClock();
    const fired: string[] = [];
    const start = clock.now();
    clock.setTimeout(() => fired.push('b'), 20_000);
    clock.setTimeout(() => {
      fired.push('a');
      clock.setTimeout(() => fired.push('a+5s'), 5000);
    }, 10_000);
    clock.setTimeout(() => fired.push('late'), 60_000);
    let settles = 0;
    const began = performance.now();
    await clock.advance(30_000, async () => {
      settles++;
    });
    expect(fired).toEqual(['a', 'a+5s', 'b']);
    expect(settles).toBe(3);
    expect(clock.now() - start).toBeGreaterThanOrEqual(30_000);
    expect(performance.now() - began).toBeLessThan(1000);
    clock.dispose();
  });

  it('follows real time and fires timers on it', async () => {
    const clock = new ScenarioClock();
    const fired = await new Promise<number>((resolve) => {
      const at = performance.now();
      clock.setTimeout(() => resolve(performance.now() - at), 30);
    });
    expect(fired).toBeGreaterThanOrEqual(25);
    clock.dispose();
  });

  it('a cancelled timer does not fire', async () => {
    const clock = new ScenarioClock();
    let fired = false;
    clock
      .setTimeout(() => {
        fired = true;
      }, 1000)
      .cancel();
    await clock.advance(2000, async () => {});
    expect(fired).toBe(false);
    clock.dispose();
  });
});
