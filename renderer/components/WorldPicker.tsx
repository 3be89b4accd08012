import { type FormEvent, useEffect, useState } from 'react';
import type { RecentFile, WorldEntry, WorldList } from '../../preload/contract';
import { actions, useConsole } from '../store';
import { Dialog } from './Dialog';

/** The host checks too; saying it here spares a round trip and words it for a person. */
const SCRIPTS_ASKED = /: this world runs (a script|\d+ scripts) as you/;
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** "3 min ago", "yesterday": when a recent world was last opened. */
function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86_400);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/** File › Open in the console: recent worlds, traces and logs, the demo worlds, or any folder or file by its path. */
export function WorldPicker() {
  const open = useConsole((s) => s.picker);
  if (!open) return null;
  return <PickerForm />;
}

function PickerForm() {
  const host = useConsole((s) => s.host);
  const [list, setList] = useState<WorldList | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [opening, setOpening] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const close = () => actions.togglePicker(false);

  useEffect(() => {
    let live = true;
    actions.listWorlds().then(
      (l) => live && setList(l),
      (e: unknown) => live && setListError(message(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  const choose = async (target: string) => {
    const wanted = target.trim();
    if (!wanted) {
      setError('Type the path of a world folder, a trace or a log, or choose one below.');
      return;
    }
    if (!ABSOLUTE.test(wanted)) {
      setError(
        `${wanted}: not an absolute path; write the full path, such as /Users/me/worlds/acme-vpn${wanted.startsWith('~') ? ' (~ is not expanded)' : ''}`,
      );
      return;
    }
    setError(null);
    setOpening(wanted);
    try {
      try {
        await actions.open(wanted);
      } catch (e) {
        // A world whose helpers run scripts: the host lists them, and the user decides.
        if (!SCRIPTS_ASKED.test(message(e)) || !window.confirm(message(e))) throw e;
        await actions.open(wanted, true);
      }
      // The host swaps its source and this page starts over; until then the dialog says what it is opening.
    } catch (e) {
      const text = message(e);
      setError(text.includes(wanted) ? text : `${wanted}: ${text}`);
      setOpening(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void choose(path);
  };

  const shownPath = list?.current?.path;
  const entry = (w: WorldEntry & { openedAt?: string; kind?: RecentFile['kind'] }) => (
    <li key={w.path}>
      <button
        type="button"
        className="world-choice"
        disabled={opening !== null}
        aria-current={w.path === shownPath ? 'true' : undefined}
        onClick={() => void choose(w.path)}
      >
        <span className="world-choice-name">
          {w.name}
          {w.kind ? <span className="badge">{w.kind === 'trace' ? 'trace' : 'macOS log'}</span> : null}
        </span>
        {w.path === shownPath ? <span className="badge">open now</span> : null}
        {w.openedAt ? <span className="muted world-choice-when">{ago(w.openedAt)}</span> : null}
        <span className="mono muted world-choice-path">{w.path}</span>
      </button>
    </li>
  );

  return (
    <Dialog title="Open a world, trace or log" className="world-picker" onClose={close}>
      <form className="world-path" onSubmit={submit}>
        <label htmlFor="world-path">Folder or file</label>
        <input
          id="world-path"
          data-autofocus
          className="mono"
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder="/Users/me/worlds/acme-vpn"
          value={path}
          maxLength={4096}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'world-error' : 'world-path-hint'}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" disabled={opening !== null}>
          Open
        </button>
      </form>
      <p id="world-path-hint" className="muted small-print">
        A world folder (laid out like a Mac's disk, or holding a world.plist), a recorded trace (.ndjson) or a
        Mac's log (<code>log show</code> in any style, or Console's Copy), by its absolute path on the machine
        running XPC Lab.
        {host === 'electron' ? ' The File menu picks one with the system dialog.' : ''}
      </p>
      {error ? (
        <p id="world-error" className="picker-error" role="alert">
          {error}
        </p>
      ) : null}
      {opening ? (
        <p className="muted" role="status">
          Opening {opening}…
        </p>
      ) : null}
      {listError ? (
        <p className="picker-error" role="alert">
          Cannot list worlds: {listError}
        </p>
      ) : null}
      <section className="world-section" aria-labelledby="recent-worlds">
        <h3 id="recent-worlds">Recent worlds</h3>
        {list && list.recent.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul className="world-list">{list?.recent.map(entry)}</ul>
      </section>
      {list && list.recentFiles.length > 0 ? (
        <section className="world-section" aria-labelledby="recent-files">
          <h3 id="recent-files">Recent traces and logs</h3>
          <ul className="world-list">{list.recentFiles.map(entry)}</ul>
        </section>
      ) : null}
      <section className="world-section" aria-labelledby="demo-worlds">
        <h3 id="demo-worlds">Demo worlds</h3>
        <ul className="world-list">{list?.demos.map(entry)}</ul>
      </section>
    </Dialog>
  );
}
