import { type KeyboardEvent, type PointerEvent, useEffect, useMemo, useRef } from 'react';
import type { MarkerKind } from '../../main/trace/timeline';
import { clock, duration } from '../format';
import { useConsole } from '../store';
import { refreshTimeline, resetScrub, scrubTo, type TimelineInfo, useScrub } from '../timeline/scrub';

const MARKER_WORDS: Record<MarkerKind, string> = {
  invalidated: 'invalidation',
  crash: 'crash',
  upgrade: 'upgrade',
};

/** Within this fraction of the end, a drag lets go of the past and follows the latest again. */
const SNAP = 0.004;
/** Arrow keys move by this fraction of the trace; with Shift, ten times as far. */
const STEP = 0.005;

/** One path for every bar: heights on a log scale, so a quiet stretch still shows against a burst. */
function densityPath(density: number[]): string {
  const max = Math.log1p(Math.max(1, ...density));
  let d = '';
  for (let i = 0; i < density.length; i++) {
    const c = density[i] ?? 0;
    if (c === 0) continue;
    const h = Math.max(0.08, Math.log1p(c) / max);
    d += `M${i} 1V${(1 - h).toFixed(3)}H${i + 1}V1Z`;
  }
  return d;
}

function Track({ tl, value, latest }: { tl: TimelineInfo; value: number; latest: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);
  const span = Math.max(1, tl.end - tl.start);
  const path = useMemo(() => densityPath(tl.density), [tl.density]);
  const x = (t: number) => ((t - tl.start) / span) * 100;

  const timeAt = (clientX: number): number | null => {
    const box = ref.current?.getBoundingClientRect();
    if (!box || box.width === 0) return null;
    const f = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return f >= 1 - SNAP ? null : tl.start + f * span;
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    dragging.current = true;
    scrubTo(timeAt(e.clientX));
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) scrubTo(timeAt(e.clientX));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = false;
    e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = span * STEP * (e.shiftKey ? 10 : 1);
    let to: number | null | undefined;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') to = value - step;
    else if (e.key === 'ArrowRight' || e.key === 'ArrowUp') to = value + step;
    else if (e.key === 'Home') to = tl.start;
    else if (e.key === 'End') to = null;
    else if (e.key === 'PageDown') to = tl.markers.find((m) => m.t > value + 0.5)?.t ?? null;
    else if (e.key === 'PageUp') to = tl.markers.findLast((m) => m.t < value - 0.5)?.t ?? tl.start;
    else return;
    e.preventDefault();
    e.stopPropagation();
    scrubTo(to);
  };

  return (
    <div
      ref={ref}
      className={`scrub-track${latest ? ' at-latest' : ''}`}
      role="slider"
      tabIndex={0}
      aria-label="Time in the trace"
      aria-valuemin={tl.start}
      aria-valuemax={tl.end}
      aria-valuenow={value}
      aria-valuetext={`${clock(value)}${latest ? ', the latest' : ''}`}
      aria-keyshortcuts="ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight PageUp PageDown Home End"
      title="Drag, or use ← →, Shift for larger steps, Page Up/Down for the previous/next mark, Home/End"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    >
      <svg
        className="scrub-density"
        viewBox={`0 0 ${Math.max(1, tl.density.length)} 1`}
        preserveAspectRatio="none"
        aria-hidden="true"
      >
        <path d={path} />
      </svg>
      <svg className="scrub-marks" aria-hidden="true">
        {tl.markers.map((m) => (
          <line
            key={`${m.t}-${m.kind}-${m.label}`}
            className={`mark mark-${m.kind}`}
            x1={`${x(m.t)}%`}
            x2={`${x(m.t)}%`}
            y1="0"
            y2="100%"
          >
            <title>{`${clock(m.t)} ${m.label}`}</title>
          </line>
        ))}
      </svg>
      {latest ? null : <div className="scrub-future" style={{ left: `${x(value)}%` }} />}
      <div className="scrub-handle" style={{ left: `${x(value)}%` }} />
    </div>
  );
}

function Legend({ tl }: { tl: TimelineInfo }) {
  const counts = new Map<MarkerKind, number>();
  for (const m of tl.markers) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  if (counts.size === 0) return <span className="scrub-legend muted">no invalidations or crashes</span>;
  return (
    <span className="scrub-legend">
      {[...counts].map(([kind, n]) => (
        <span key={kind} className={`legend-mark mark-${kind}`}>
          {n} {MARKER_WORDS[kind]}
          {n === 1 ? '' : 's'}
        </span>
      ))}
      {tl.omittedMarkers > 0 ? <span className="muted"> +{tl.omittedMarkers} more</span> : null}
    </span>
  );
}

/** What the views show while scrubbed back: said once, plainly, with the way back. */
function Banner({ tl }: { tl: TimelineInfo }) {
  const at = useConsole((s) => s.at);
  if (!at) return null;
  const { connections, processes } = at.model.state;
  const invalidated = Object.values(connections).filter(
    (c) => c.side === 'client' && c.state === 'invalidated',
  ).length;
  const crashed = Object.values(processes).filter(
    (p) => p.state === 'exited' && p.exit && !p.exit.clean,
  ).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    <p className="scrub-banner" role="status">
      <span>
        Showing the state at <b>{clock(at.t)}</b>
        <span className="muted"> ({duration(at.t - tl.start)} into the trace)</span> —{' '}
        {plural(invalidated, 'connection')} invalidated
        {crashed > 0 ? `, ${plural(crashed, 'process')} crashed` : ''} by then.
      </span>
      <span className="muted">Messages and events still list the whole trace.</span>
    </p>
  );
}

/**
 * The time scrubber of a reopened trace: where things happened (event density,
 * invalidations, crashes, upgrades) and a handle that puts the connections,
 * topology and process views back at any instant.
 */
export function Scrubber() {
  const tl = useScrub((s) => s.timeline);
  const cursor = useScrub((s) => s.cursor);
  const waiting = useScrub((s) => s.waiting);
  const loading = useConsole((s) => s.progress?.done !== s.progress?.total);

  // While the file loads the timeline grows: ask again until the host says it is complete.
  // biome-ignore lint/correctness/useExhaustiveDependencies: loading restarts the polling once a reload begins.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const next = await refreshTimeline();
      if (!stopped && next?.loading) timer = setTimeout(poll, 1000);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [loading]);
  useEffect(() => () => resetScrub(), []);

  if (!tl || tl.events === 0) return null;
  const value = cursor ?? tl.end;
  return (
    <section className="scrubber" aria-label="Trace timeline">
      <div className="scrub-row">
        <span className="scrub-edge muted">{clock(tl.start)}</span>
        <Track tl={tl} value={value} latest={cursor === null} />
        <span className="scrub-edge muted">{clock(tl.end)}</span>
        <output className={`scrub-time${waiting ? ' waiting' : ''}`} aria-live="off">
          {cursor === null ? 'Latest' : clock(value)}
        </output>
        <button type="button" className="small" disabled={cursor === null} onClick={() => scrubTo(null)}>
          Latest
        </button>
        <Legend tl={tl} />
      </div>
      <Banner tl={tl} />
    </section>
  );
}
