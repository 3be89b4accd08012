import type { Virtualizer } from '@tanstack/react-virtual';
import { type RefObject, useEffect, useState } from 'react';

/**
 * Keeps a virtual list pinned to its newest row until the user scrolls away,
 * and pins it again when they scroll back to the bottom.
 */
export function useFollow(
  parent: RefObject<HTMLDivElement | null>,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  count: number,
  row: number,
) {
  const [follow, setFollow] = useState(true);
  useEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  });
  const onScroll = () => {
    const el = parent.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - row * 2;
    if (atBottom !== follow) setFollow(atBottom);
  };
  return { follow, onScroll };
}
