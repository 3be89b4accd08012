import { describe, expect, it } from 'vitest';
import { DisposableStore, MutableDisposable, toDisposable } from '../../main/broker/lifetime';

describe('lifetimes', () => {
  it('a store releases what it holds once, newest first', () => {
    const released: string[] = [];
    const store = new DisposableStore();
    for (const name of ['timer', 'budget', 'child']) store.add(toDisposable(() => released.push(name)));
    store.dispose();
    store.dispose();
    expect(released).toEqual(['child', 'budget', 'timer']);
    expect(store.isDisposed).toBe(true);
  });

  it('something added to a released store is released at once', () => {
    const store = new DisposableStore();
    store.dispose();
    let released = 0;
    store.add(toDisposable(() => released++));
    expect(released).toBe(1);
  });

  it('a mutable slot releases the old value when a new one is set, on clear, and on dispose', () => {
    const released: string[] = [];
    const slot = new MutableDisposable();
    slot.value = toDisposable(() => released.push('first'));
    slot.value = toDisposable(() => released.push('second'));
    expect(released).toEqual(['first']);
    slot.clear();
    expect(released).toEqual(['first', 'second']);
    slot.value = toDisposable(() => released.push('third'));
    slot.dispose();
    slot.value = toDisposable(() => released.push('late'));
    expect(released).toEqual(['first', 'second', 'third', 'late']);
    expect(slot.value).toBeUndefined();
  });
});
