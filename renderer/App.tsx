import { useState } from 'react';
import { live, useConsole } from './store';
import { Connections } from './views/Connections';
import { Events } from './views/Events';
import { Inspector } from './views/Inspector';
import { Messages } from './views/Messages';
import { Processes } from './views/Processes';

function Summary() {
  useConsole((s) => s.version);
  const dropped = useConsole((s) => s.dropped);
  const { processes, connections, messages } = live.model.state;
  const running = Object.values(processes).filter((p) => p.state === 'running').length;
  const byState = { connected: 0, interrupted: 0, invalidated: 0 };
  for (const c of Object.values(connections))
    if (c.side === 'client' && c.state in byState) byState[c.state as keyof typeof byState]++;
  return (
    <output className="summary" aria-label="Summary">
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
        <b>{messages.toLocaleString()}</b> messages
      </span>
      <span className={dropped > 0 ? 'dropped' : 'muted'} title="Events the bounded window no longer holds">
        {dropped.toLocaleString()} dropped
      </span>
    </output>
  );
}

function Notices() {
  const notices = useConsole((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`}>
          {n.text}
        </div>
      ))}
    </div>
  );
}

export function App() {
  const status = useConsole((s) => s.status);
  const world = useConsole((s) => s.world);
  const host = useConsole((s) => s.host);
  const [tab, setTab] = useState<'messages' | 'events'>('messages');
  return (
    <div className="app">
      <header className="top">
        <h1>XPC Lab</h1>
        <span className="world">{world ? world.name : '…'}</span>
        <span className={`badge status-${status}`}>{status === 'live' ? `live · ${host}` : status}</span>
        <Summary />
      </header>
      <aside className="left">
        <h2>Processes</h2>
        <Processes />
      </aside>
      <main className="center">
        <section className="pane conns">
          <h2>Connections</h2>
          <Connections />
        </section>
        <section className="pane stream">
          <div className="tabs" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'messages'}
              onClick={() => setTab('messages')}
            >
              Messages
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'events'}
              onClick={() => setTab('events')}
            >
              Events
            </button>
          </div>
          {tab === 'messages' ? <Messages /> : <Events />}
        </section>
      </main>
      <aside className="right">
        <h2>Inspector</h2>
        <Inspector />
      </aside>
      <Notices />
    </div>
  );
}
