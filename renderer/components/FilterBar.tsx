import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { compileFilter, type Suggestion, suggest } from '../filter';
import { applyFilter, live, useConsole } from '../store';
import { knownValues } from './known';

const APPLY_AFTER_MS = 150;

/** Whether the caret is inside a word the suggestions would complete (not an empty gap). */
function typingWord(s: { from: number; to: number } | null): boolean {
  return !!s && s.to > s.from;
}

/** The one filter: an expression over fields, applied live to every view and to everything captured. */
export function FilterBar() {
  const applied = useConsole((s) => s.filterText);
  const [text, setText] = useState(applied);
  const [caret, setCaret] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const mine = useRef(applied);

  // A click on a value in a row changes the filter from outside; typing must not be overwritten by its own echo.
  useEffect(() => {
    if (applied !== mine.current) setText(applied);
    mine.current = applied;
  }, [applied]);

  const apply = (next: string) => {
    mine.current = next;
    applyFilter(next);
  };

  const check = useMemo(() => compileFilter(text), [text]);
  const problem = check.ok ? null : check.error;
  const suggestions = useMemo(() => (open ? suggest(text, caret, knownValues) : null), [open, text, caret]);
  const items = suggestions?.items ?? [];

  const schedule = (next: string) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => apply(next), APPLY_AFTER_MS);
  };

  const change = (next: string, at: number) => {
    setText(next);
    setCaret(at);
    setOpen(true);
    setActive(-1);
    schedule(next);
  };

  const accept = (s: Suggestion) => {
    if (!suggestions) return;
    const next = text.slice(0, suggestions.from) + s.insert + text.slice(suggestions.to);
    const at = suggestions.from + s.insert.length;
    change(next, at);
    requestAnimationFrame(() => input.current?.setSelectionRange(at, at));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const shown = open && items.length > 0;
    if (e.key === 'ArrowDown' && shown) {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === 'ArrowUp' && shown) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
    } else if (
      shown &&
      (active >= 0 ? e.key === 'Tab' || e.key === 'Enter' : e.key === 'Tab' && typingWord(suggestions))
    ) {
      // Tab completes a word being typed, or takes the suggestion moved to; past an empty word it moves focus on.
      e.preventDefault();
      const chosen = items[Math.max(0, active)];
      if (chosen) accept(chosen);
    } else if (e.key === 'Enter') {
      clearTimeout(timer.current);
      apply(text);
      setOpen(false);
    } else if (e.key === 'Escape') {
      if (shown) setOpen(false);
      else input.current?.blur();
    }
  };

  return (
    <div className="filterbar">
      <div className={`filter-field ${problem ? 'invalid' : text.trim() ? 'valid' : ''}`}>
        <svg className="filter-icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M1 2h14l-5.5 6.5V14l-3-1.5v-4z" />
        </svg>
        <input
          ref={input}
          id="filter"
          aria-label="Filter"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'filter-problem' : undefined}
          spellCheck={false}
          autoComplete="off"
          placeholder='Filter  e.g.  service == "com.acme.vpn.helper" && state == invalidated     (press / )'
          value={text}
          onChange={(e) => change(e.target.value, e.target.selectionStart ?? e.target.value.length)}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 120)}
          onKeyDown={onKeyDown}
        />
        {text ? (
          <button
            type="button"
            className="small ghost"
            aria-label="Clear the filter"
            onClick={() => change('', 0)}
          >
            ✕
          </button>
        ) : null}
      </div>
      {problem ? (
        <div className="filter-problem" id="filter-problem" role="alert">
          <span className="mono">
            {text.slice(0, problem.pos)}
            <mark>{text.slice(problem.pos, Math.max(problem.end, problem.pos + 1)) || ' '}</mark>
            {text.slice(Math.max(problem.end, problem.pos + 1))}
          </span>
          <span>
            {problem.message} (column {problem.pos + 1})
          </span>
          <span className="filter-still" data-testid="filter-still">
            {live.filter
              ? `The lists still show the last filter that worked: ${live.filter.source}`
              : 'The lists still show everything: no filter is applied until this one is fixed.'}
          </span>
        </div>
      ) : null}
      {open && items.length > 0 ? (
        <div className="suggestions" role="listbox" aria-label="Suggestions">
          {items.map((s, i) => (
            <div
              key={s.label}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
            >
              <span className="mono">{s.label}</span>
              {s.detail ? <span className="muted">{s.detail}</span> : null}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
