import { useRef, useState } from 'react';
import { isRecord, loadPref, savePref } from './prefs';

/** The widths of the side panes, remembered between launches. */
export interface Layout {
  left: number;
  right: number;
}

const DEFAULT: Layout = { left: 230, right: 360 };
const isLayout = (v: unknown): v is Layout =>
  isRecord(v) && typeof v.left === 'number' && typeof v.right === 'number';
const clamp = (w: number, min: number, max: number) => Math.max(min, Math.min(max, w));

export function useLayout() {
  const [layout, setLayout] = useState<Layout>(() => loadPref('layout', DEFAULT, isLayout));
  const latest = useRef(layout);
  latest.current = layout;
  const update = (next: Partial<Layout>) => {
    latest.current = { ...latest.current, ...next };
    setLayout(latest.current);
  };
  return {
    layout,
    setLeft: (w: number) => update({ left: clamp(w, 160, 520) }),
    setRight: (w: number) => update({ right: clamp(w, 240, 760) }),
    save: () => savePref('layout', latest.current),
  };
}
