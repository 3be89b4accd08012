import { partnerOf } from './capture/pairs';
import { moveSelection } from './nav';
import { actions, live, useConsole, VIEWS } from './store';

/** The console's keyboard: shown by `?` (Help.tsx lists the same keys). */
export const SHORTCUTS: [string, string][] = [
  ['/', 'focus the filter'],
  ['Esc', 'leave the filter; clear the selection'],
  ['j  ↓', 'next row'],
  ['k  ↑', 'previous row'],
  ['r', 'jump between a request and its reply'],
  ['Space', 'pause or resume the message list'],
  ['1 … 8', 'messages, connections, topology, events, sequence, statistics, upgrade, scenarios'],
  ['e', 'export the message list, or everything held'],
  ['t', 'theme: system, light, dark'],
  ['Ctrl O  ⌘ O', 'open a world: a recent one, a demo, or a folder'],
  ['?', 'this list'],
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

function jumpToPartner(): void {
  const s = useConsole.getState().selection;
  if (s?.kind !== 'msg') return;
  const p = partnerOf(live.messages, s.abs);
  const other = p && live.messages.at(p.abs);
  if (p && other) actions.select({ kind: 'msg', id: other.id, abs: p.abs });
}

const THEMES = ['system', 'light', 'dark'] as const;

export function onKey(e: KeyboardEvent): void {
  if ((e.metaKey || e.ctrlKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'o') {
    // The browser's own Open File would replace the console; here it opens the world picker.
    e.preventDefault();
    actions.togglePicker(true);
    return;
  }
  if (e.metaKey || e.ctrlKey || e.altKey) return;
  if (typing(e.target)) return;
  // A dialog's own keys (Tab, Escape, Space on its buttons) are its own.
  if ((e.target as HTMLElement | null)?.closest?.('[role="dialog"]')) return;
  const state = useConsole.getState();
  const digit = Number(e.key);
  if (Number.isInteger(digit) && digit >= 1 && digit <= VIEWS.length) {
    actions.setView(VIEWS[digit - 1] ?? 'messages');
  } else if (e.key === '/') {
    document.getElementById('filter')?.focus();
  } else if (e.key === 'j' || e.key === 'ArrowDown') {
    moveSelection(1);
  } else if (e.key === 'k' || e.key === 'ArrowUp') {
    moveSelection(-1);
  } else if (e.key === ' ') {
    actions.togglePause();
  } else if (e.key === 'r') {
    jumpToPartner();
  } else if (e.key === 'e') {
    actions.toggleExport(true);
  } else if (e.key === 't') {
    actions.setTheme(THEMES[(THEMES.indexOf(state.theme) + 1) % THEMES.length] ?? 'system');
  } else if (e.key === '?') {
    actions.toggleHelp();
  } else if (e.key === 'Escape') {
    if (state.help) actions.toggleHelp(false);
    else actions.select(null);
  } else return;
  e.preventDefault();
}
