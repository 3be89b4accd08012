import { type ReactNode, type UIEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';

/**
 * A virtual list for very long windows. Browsers cap an element's height
 * near 33.5M px (TanStack/virtual#460), so past MAX_SCROLL the scrollbar is
 * scaled: one pixel of scrollbar moves `scale` pixels of rows. Only the rows
 * in view exist in the DOM; they are placed relative to the scroll position.
 */
const MAX_SCROLL = 8_000_000;
const OVERSCAN = 6;

export interface ScaledListProps {
  count: number;
  rowHeight: number;
  label: string;
  /** Pinned to the newest row until the user scrolls away, and again when they scroll back down. */
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  /** Brings a row into view when `nonce` changes (a selection made elsewhere, j/k, jump to reply). */
  reveal?: { index: number; nonce: number } | undefined;
  /** Rows sit in normal flow inside one moving block, so a row that stays on screen is not touched on scroll. */
  renderRow: (index: number, drawn: { first: number; last: number }) => ReactNode;
  empty?: ReactNode;
  /** 'grid' for a list whose rows are focusable (one tab stop, the rows rove); 'log' otherwise. */
  role?: 'grid' | 'log';
  /** A grid is a tab stop of its own while none of its drawn rows is. */
  tabStop?: boolean;
}

export function ScaledList({
  count,
  rowHeight,
  label,
  follow,
  onFollowChange,
  reveal,
  renderRow,
  empty,
  role = 'log',
  tabStop = false,
}: ScaledListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const total = count * rowHeight;
  const height = Math.min(total, MAX_SCROLL);
  const scale = total > height && height > viewport ? (total - viewport) / (height - viewport) : 1;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    setViewport(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // While following, the rows are drawn for the bottom before the browser gets there.
  const top = follow ? Math.max(0, height - viewport) : scrollTop;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !follow) return;
    const bottom = Math.max(0, height - el.clientHeight);
    if (Math.abs(el.scrollTop - bottom) > 1) el.scrollTop = bottom;
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new nonce asks for a reveal.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !reveal || reveal.index < 0) return;
    const top = reveal.index * rowHeight;
    const shownFrom = el.scrollTop * scale;
    if (top >= shownFrom && top + rowHeight <= shownFrom + el.clientHeight) return;
    if (follow && reveal.index < count - 1) onFollowChange(false);
    el.scrollTop = Math.max(0, (top - el.clientHeight / 2) / scale);
    setScrollTop(el.scrollTop);
  }, [reveal?.nonce]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    // Known sizes instead of scrollHeight: reading layout here would force a reflow on every scroll event.
    const scrolled = e.currentTarget.scrollTop;
    const atBottom = scrolled + viewport >= height - rowHeight * 1.5;
    if (atBottom !== follow) onFollowChange(atBottom);
    if (!atBottom || !follow) setScrollTop(scrolled);
  };

  const shownFrom = top * scale;
  const first = Math.max(0, Math.floor(shownFrom / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((shownFrom + viewport) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i, { first, last }));
  const offset = first * rowHeight - shownFrom + top;

  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the role is grid or log, and both are named by aria-label.
    <div
      className="scroll"
      ref={ref}
      onScroll={onScroll}
      aria-label={label}
      role={role}
      tabIndex={tabStop ? 0 : -1}
      {...(role === 'grid' ? { 'aria-rowcount': count, 'aria-readonly': true } : {})}
      onFocus={(e) => {
        // Tabbing into the grid lands on a row: the selected one if drawn, else the first drawn.
        if (role !== 'grid' || e.target !== e.currentTarget) return;
        const row =
          e.currentTarget.querySelector<HTMLElement>('[role="row"][aria-selected="true"]') ??
          e.currentTarget.querySelector<HTMLElement>('[role="row"]');
        row?.focus();
      }}
    >
      {count === 0 ? (
        empty
      ) : (
        <div className="scaled" style={{ height }}>
          <div className="scaled-rows" style={{ transform: `translateY(${offset}px)` }}>
            {rows}
          </div>
        </div>
      )}
    </div>
  );
}
