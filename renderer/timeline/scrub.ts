import { create } from 'zustand';
import { WorldModel } from '../../main/trace/model';
import type { CommandResults } from '../../preload/contract';
import { run, useConsole } from '../store';

export type TimelineInfo = CommandResults['timeline'];

interface ScrubState {
  timeline: TimelineInfo | null;
  /** Where the handle is; null at the latest (the end, following the trace as it loads). */
  cursor: number | null;
  /** A snapshot for the handle's time is on its way. */
  waiting: boolean;
}

/** The scrubber's own state; what the views show lives in the console store (`at`). */
export const useScrub = create<ScrubState>(() => ({ timeline: null, cursor: null, waiting: false }));

/**
 * Latest wins: at most one snapshot request is in flight. Moves made while one is
 * out only replace the time to ask for next, so a drag asks for as many
 * snapshots as the host can answer, and the last position is always the one shown.
 */
let inflight = false;
let next: number | undefined;
/** Moves on every return to the latest, so an answer asked for before it is dropped. */
let generation = 0;

export function scrubTo(t: number | null): void {
  const tl = useScrub.getState().timeline;
  if (t === null || !tl || t >= tl.end) {
    generation++;
    next = undefined;
    useScrub.setState({ cursor: null, waiting: false });
    if (useConsole.getState().at) useConsole.setState({ at: null });
    return;
  }
  const clamped = Math.max(tl.start, t);
  useScrub.setState({ cursor: clamped, waiting: true });
  next = clamped;
  void pump();
}

async function pump(): Promise<void> {
  if (inflight || next === undefined) return;
  const t = next;
  next = undefined;
  const asked = generation;
  inflight = true;
  const result = await run('Show the trace at that time', (b) => b.invoke({ type: 'modelAt', t }));
  inflight = false;
  if (asked === generation && result)
    useConsole.setState({ at: { t, model: new WorldModel(result.snapshot) } });
  if (next === undefined) useScrub.setState({ waiting: false });
  else void pump();
}

/** Asks the host for the trace's extent and markers; again while the file is still loading. */
export async function refreshTimeline(): Promise<TimelineInfo | undefined> {
  const timeline = await run('Read the trace timeline', (b) => b.invoke({ type: 'timeline' }));
  if (timeline) useScrub.setState({ timeline });
  return timeline;
}

/** Forgets the scrubber's state, and the past instant the views show: another source is shown. */
export function resetScrub(): void {
  generation++;
  next = undefined;
  useScrub.setState({ timeline: null, cursor: null, waiting: false });
  if (useConsole.getState().at) useConsole.setState({ at: null });
}
