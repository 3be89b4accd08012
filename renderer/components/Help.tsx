import { FIELDS } from '../filter';
import { SHORTCUTS } from '../keys';
import { actions, useConsole } from '../store';
import { Dialog } from './Dialog';

/** Keys and filter fields, on `?`. */
export function Help() {
  const open = useConsole((s) => s.help);
  if (!open) return null;
  return (
    <Dialog title="Keys and filter fields" onClose={() => actions.toggleHelp(false)} className="help">
      <dl className="keys">
        {SHORTCUTS.map(([k, what]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <h2>Filter fields</h2>
      <p className="muted">
        Combine tests with && || ! and parentheses: <code>service == "X" && state == invalidated</code>,{' '}
        <code>size &gt; 4k</code>, <code>dir == reply && latency &gt; 50ms</code>,{' '}
        <code>state in {'{interrupted invalidated}'}</code>, <code>key contains status</code>,{' '}
        <code>!(error)</code>. A bare field means "has one". Click a value in a row to filter by it;
        Shift-click to exclude it.
      </p>
      <dl className="fields">
        {FIELDS.map((f) => (
          <div key={f.name}>
            <dt className="mono">{f.name}</dt>
            <dd>
              {f.doc}
              <span className="muted">
                {' '}
                ·{' '}
                {[
                  (f.message || f.viaConnection) && 'messages',
                  f.connection && 'connections',
                  f.event && 'events',
                ]
                  .filter(Boolean)
                  .join(', ')}
              </span>
            </dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
