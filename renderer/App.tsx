import { type CSSProperties, useEffect } from 'react';
import { ExportDialog } from './components/ExportDialog';
import { FilterBar } from './components/FilterBar';
import { Help } from './components/Help';
import { Notices } from './components/Notices';
import { Scrubber } from './components/Scrubber';
import { Recording, TraceProgress } from './components/Session';
import { Splitter } from './components/Splitter';
import { Summary } from './components/Summary';
import { WorldPicker } from './components/WorldPicker';
import { onKey } from './keys';
import { useLayout } from './layout';
import { actions, type Theme, useConsole, VIEWS, type ViewId } from './store';
import { Connections } from './views/Connections';
import { Events } from './views/Events';
import { Inspector } from './views/Inspector';
import { Messages } from './views/Messages';
import { Processes } from './views/Processes';
import { Scenarios } from './views/scenarios/Scenarios';
import { Sequence } from './views/sequence/Sequence';
import { Statistics } from './views/statistics/Statistics';
import { Topology } from './views/topology/Topology';
import { Upgrade } from './views/upgrade/Upgrade';

const TITLES: Record<ViewId, string> = {
  messages: 'Messages',
  connections: 'Connections',
  topology: 'Topology',
  events: 'Events',
  sequence: 'Sequence',
  statistics: 'Statistics',
  upgrade: 'Upgrade',
  scenarios: 'Scenarios',
};

const VIEW_COMPONENTS: Record<ViewId, () => React.JSX.Element> = {
  messages: Messages,
  connections: Connections,
  topology: Topology,
  events: Events,
  sequence: Sequence,
  statistics: Statistics,
  upgrade: Upgrade,
  scenarios: Scenarios,
};

function Tabs() {
  const view = useConsole((s) => s.view);
  return (
    <div className="tabs" role="tablist" aria-label="Views">
      {VIEWS.map((v, i) => (
        <button
          key={v}
          type="button"
          role="tab"
          aria-selected={view === v}
          aria-keyshortcuts={String(i + 1)}
          onClick={() => actions.setView(v)}
        >
          <span className="tab-key" aria-hidden="true">
            {i + 1}
          </span>
          {TITLES[v]}
        </button>
      ))}
    </div>
  );
}

function HeaderActions() {
  const mode = useConsole((s) => s.mode);
  const theme = useConsole((s) => s.theme);
  return (
    <div className="header-actions">
      {mode === 'live' ? (
        <button
          type="button"
          className="small"
          title="launchd reclaims every clean, idle helper that allows it (XPC-MODEL §4.2)"
          onClick={() => void actions.pressure()}
        >
          Memory pressure
        </button>
      ) : null}
      <button
        type="button"
        className="small"
        aria-keyshortcuts="e"
        title="Export the message list as CSV, or what the console holds as a Perfetto or XPC Lab trace (e)"
        onClick={() => actions.toggleExport(true)}
      >
        Export…
      </button>
      <select aria-label="Theme" value={theme} onChange={(e) => actions.setTheme(e.target.value as Theme)}>
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
      <button
        type="button"
        className="small"
        aria-label="Keyboard shortcuts"
        onClick={() => actions.toggleHelp()}
      >
        ?
      </button>
    </div>
  );
}

export function App() {
  const status = useConsole((s) => s.status);
  const world = useConsole((s) => s.world);
  const host = useConsole((s) => s.host);
  const mode = useConsole((s) => s.mode);
  const view = useConsole((s) => s.view);
  const theme = useConsole((s) => s.theme);
  const { layout, setLeft, setRight, save } = useLayout();
  const View = VIEW_COMPONENTS[view];

  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  const style = { '--left': `${layout.left}px`, '--right': `${layout.right}px` } as CSSProperties;
  return (
    <div className="app" style={style}>
      <header className="top">
        <h1>XPC Lab</h1>
        <button
          type="button"
          className="world-button"
          aria-haspopup="dialog"
          aria-label={`${world ? world.name : 'No world'}: open another world`}
          aria-keyshortcuts="Control+O Meta+O"
          title="Open another world (Ctrl/⌘ O)"
          onClick={() => actions.togglePicker(true)}
        >
          <span className="world">{world ? world.name : '…'}</span>
          <span className="world-caret" aria-hidden="true">
            ▾
          </span>
        </button>
        <span className={`badge status-${status}`}>
          {status === 'live'
            ? `${mode === 'trace' ? (world?.live ? 'live log' : 'trace') : 'live'} · ${host}`
            : status}
        </span>
        {mode === 'trace' ? (
          <span className="badge trace-badge">
            {world?.live ? `live log from ${world.live}` : 'recorded trace'}
          </span>
        ) : null}
        <TraceProgress />
        <Recording />
        <Summary />
        <HeaderActions />
      </header>
      <FilterBar />
      {mode === 'trace' ? <Scrubber key={world?.root} /> : null}
      <aside className="left" aria-label="Processes pane">
        <h2>Processes</h2>
        <Processes />
      </aside>
      <Splitter
        label="Resize the processes pane"
        side="left"
        width={layout.left}
        onWidth={setLeft}
        onDone={save}
      />
      <main className="center">
        <Tabs />
        <section className="pane" aria-label={`${TITLES[view]} view`}>
          <View />
        </section>
      </main>
      <Splitter
        label="Resize the inspector"
        side="right"
        width={layout.right}
        onWidth={setRight}
        onDone={save}
      />
      <aside className="right" aria-label="Inspector">
        <h2>Inspector</h2>
        <Inspector />
      </aside>
      <Notices />
      <Help />
      <ExportDialog />
      <WorldPicker />
    </div>
  );
}
