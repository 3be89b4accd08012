import { type RefObject, useEffect, useRef, useState } from 'react';
import { useConsole } from './store';

/**
 * Re-renders the caller at most `hz` times a second while batches arrive:
 * for views drawn from aggregates (topology, statistics, sequence), where
 * four frames a second read as live and cost a fifteenth of sixty.
 */
export function useTick(hz: number): number {
  const [tick, setTick] = useState(() => useConsole.getState().version);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const unsubscribe = useConsole.subscribe((s, prev) => {
      if (s.version === prev.version || timer) return;
      const wait = Math.max(0, last + 1000 / hz - performance.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = performance.now();
        setTick(useConsole.getState().version);
      }, wait);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [hz]);
  return tick;
}

/** The width of the element the ref is put on, following resizes: what the SVG views lay themselves out in. */
export function useWidth(initial: number): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
