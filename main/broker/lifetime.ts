/**
 * Lifetimes as VS Code writes them (src/vs/base/common/lifecycle.ts): whatever must be released, a timer, a
 * budget, a child process, is a Disposable held by one owner, and the owner's `dispose()` releases it.
 */
export interface Disposable {
  dispose(): void;
}

export function toDisposable(release: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      release();
    },
  };
}

/** Holds many disposables and releases them all, newest first, once. One added after that is released at once. */
export class DisposableStore implements Disposable {
  private readonly held = new Set<Disposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.held.add(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const all = [...this.held].reverse();
    this.held.clear();
    for (const d of all) d.dispose();
  }
}

/** Holds at most one disposable: setting another, or clearing, releases the one held. */
export class MutableDisposable<T extends Disposable = Disposable> implements Disposable {
  private current: T | undefined;
  private disposed = false;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (next === this.current) return;
    this.current?.dispose();
    if (this.disposed) {
      next?.dispose();
      this.current = undefined;
      return;
    }
    this.current = next;
  }

  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }
}
