import type { KeyboardEvent, PointerEvent } from 'react';

/**
 * A draggable edge between two panes. It reports the pane's new width; the
 * caller clamps and remembers it. Arrow keys move it too.
 */
export function Splitter({
  label,
  width,
  onWidth,
  side,
  onDone,
}: {
  label: string;
  width: number;
  onWidth: (w: number) => void;
  /** Which pane the splitter sizes: dragging right widens a left pane and narrows a right one. */
  side: 'left' | 'right';
  onDone: () => void;
}) {
  const sign = side === 'left' ? 1 : -1;
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const startX = e.clientX;
    const startW = width;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => onWidth(startW + sign * (ev.clientX - startX));
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      onDone();
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    onWidth(width + sign * (e.key === 'ArrowRight' ? 16 : -16));
    onDone();
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable separator is the ARIA pattern for a splitter; <hr> cannot take focus.
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={Math.round(width)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
