/**
 * j/k and the arrow keys move the selection in whichever list is on screen;
 * that list says how by registering a mover while it is mounted.
 */
type Mover = (delta: number) => void;

let current: Mover | null = null;

export function registerMover(mover: Mover): () => void {
  current = mover;
  return () => {
    if (current === mover) current = null;
  };
}

export function moveSelection(delta: number): void {
  current?.(delta);
}

/** The index after moving: from nothing selected, down starts at the top and up at the bottom. */
export function step(index: number, delta: number, count: number): number {
  if (count === 0) return -1;
  if (index < 0) return delta > 0 ? 0 : count - 1;
  return Math.max(0, Math.min(count - 1, index + delta));
}
