import { num } from '../format';
import { useTick } from '../hooks';
import { live, useConsole, useModel } from '../store';

/** The header's counts, including what was dropped: the window is bounded and says so. */
export function Summary() {
  useTick(4);
  const hostDropped = useConsole((s) => s.hostDropped);
  // Scrubbed back in a trace, the counts are those of the instant shown, like the views below.
  const { processes, connections, messages, unrecorded = 0 } = useModel().state;
  const running = Object.values(processes).filter((p) => p.state === 'running').length;
  const byState = { connected: 0, interrupted: 0, invalidated: 0 };
  // The state now: client connections held by processes still running (XPC-MODEL §10.2).
  for (const c of Object.values(connections))
    if (c.side === 'client' && !c.ownerExited && c.state in byState)
      byState[c.state as keyof typeof byState]++;
  const windowDropped = live.messages.dropped;
  const dropped = live.lost + windowDropped + unrecorded;
  return (
    <output
      className="summary"
      aria-label="Summary"
      title="Now: processes running, and the client connections they hold in each state. Statistics counts errors since the start."
    >
      <span className="muted summary-now">now</span>
      <span>
        <b>{running}</b> running
      </span>
      <span className="s-connected">
        <b>{byState.connected}</b> connected
      </span>
      <span className="s-interrupted">
        <b>{byState.interrupted}</b> interrupted
      </span>
      <span className="s-invalidated">
        <b>{byState.invalidated}</b> invalidated
      </span>
      <span>
        <b>{num(messages)}</b> messages
      </span>
      <span
        className={dropped > 0 ? 'dropped' : 'muted'}
        data-dropped={dropped}
        data-lost={live.lost}
        data-window-dropped={windowDropped}
        data-unrecorded={unrecorded}
        title={`Never reached the console (gaps in the event stream): ${num(live.lost)}\nPushed out of the console's capture window of ${num(live.messages.capacity)} messages: ${num(windowDropped)}\nThe host's own window has let go of ${num(hostDropped)} (it keeps less history than it streams)\nSent by helpers over their capture budget, not recorded (they reached their peers): ${num(unrecorded)}`}
      >
        {num(dropped)} dropped
      </span>
    </output>
  );
}
