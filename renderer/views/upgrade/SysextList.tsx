import type { SysextListResult } from '../../../preload/contract';

const WAITING = 'terminated waiting to uninstall';

/** `systemextensionsctl list`, with the instance still holding a name marked. */
export function SysextList({ list }: { list: SysextListResult }) {
  return (
    <section aria-label="System extensions">
      <h3>
        <span className="mono">systemextensionsctl list</span>
      </h3>
      <pre className="code sysext-list">
        {list.text.split('\n').map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text, never reordered.
          <div key={i} className={line.includes(WAITING) && list.stale.length > 0 ? 'stale-line' : undefined}>
            {line || ' '}
          </div>
        ))}
      </pre>
      {list.stale.length > 0 ? (
        <ul className="stale-bindings" aria-label="Stale bindings">
          {list.stale.map((s) => (
            <li key={s.name} className="stale-binding">
              Stale binding: <span className="mono">{s.name}</span> still answers for the old instance,{' '}
              <span className="mono">{s.boundTo}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted no-stale">No stale binding: every name answers for a live instance.</p>
      )}
    </section>
  );
}
