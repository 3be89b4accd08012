import { useState } from 'react';
import type { MessageEvent } from '../../main/trace/schema';
import { partnerOf } from '../capture/pairs';
import { copyText } from '../clipboard';
import { bytes, clock } from '../format';
import { useTick } from '../hooks';
import { processLabel } from '../names';
import { actions, live, useConsole } from '../store';
import { PayloadTree } from './PayloadTree';
import { toPlistXml } from './plist';
import { ResendForm } from './ResendForm';

type Tab = 'tree' | 'plist' | 'json';

function Partner({ abs }: { abs: number }) {
  const p = partnerOf(live.messages, abs);
  if (!p) return null;
  const other = live.messages.at(p.abs);
  if (!other) {
    return (
      <p className="muted">
        {p.role === 'reply' ? 'No reply captured yet.' : 'Its request is no longer in the capture window.'}
      </p>
    );
  }
  const hidden = live.view.indexOf(p.abs) < 0;
  const label =
    p.role === 'reply'
      ? `Jump to reply #${other.id} · ${other.latencyMs?.toFixed(1) ?? '?'} ms`
      : `Jump to request #${other.id}`;
  return (
    <p>
      <button
        type="button"
        className="small"
        data-jump={p.role}
        onClick={() => actions.select({ kind: 'msg', id: other.id, abs: p.abs })}
      >
        {label}
      </button>
      {hidden ? <span className="muted"> (hidden by the filter)</span> : null}
    </p>
  );
}

function Payload({ m }: { m: MessageEvent }) {
  const [tab, setTab] = useState<Tab>('tree');
  if (!m.payload)
    return (
      <p className="muted">No payload: capture was off when it passed (the payloads box in the toolbar).</p>
    );
  const texts = { plist: () => toPlistXml(m.payload ?? {}), json: () => JSON.stringify(m.payload, null, 2) };
  return (
    <div className="payload">
      <div className="subtabs" role="tablist">
        {(['tree', 'plist', 'json'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t === 'tree' ? 'Typed tree' : t === 'plist' ? 'Plist XML' : 'Tagged JSON'}
          </button>
        ))}
        <span className="spacer" />
        <button
          type="button"
          className="small"
          onClick={() =>
            void copyText(
              tab === 'json' ? texts.json() : texts.plist(),
              tab === 'json' ? 'the JSON' : 'the plist',
            )
          }
        >
          Copy {tab === 'json' ? 'JSON' : 'plist'}
        </button>
      </div>
      {tab === 'tree' ? <PayloadTree payload={m.payload} /> : <pre className="code">{texts[tab]()}</pre>}
    </div>
  );
}

/** One message: who sent it where, its reply or request, and its payload as XPC types and as a plist. */
export function MessageDetail({ id, abs }: { id: number; abs: number }) {
  useTick(4);
  const mode = useConsole((s) => s.mode);
  const [resending, setResending] = useState(false);
  const m = live.messages.at(abs);
  if (!m || m.id !== id)
    return <p className="empty">Message #{id} has left the capture window. A larger window keeps more.</p>;
  const c = live.model.state.connections[m.conn];
  const sender = live.model.state.processes[m.from];
  const canResend =
    mode === 'live' && m.dir === 'send' && c?.side === 'client' && sender?.state === 'running';
  return (
    <div className="inspector">
      <h2>
        <span className="mono">#{m.id}</span> {m.dir} {m.key ?? ''}
      </h2>
      <dl>
        <dt>time</dt>
        <dd className="mono">{clock(m.t)}</dd>
        <dt>from</dt>
        <dd>
          <button
            type="button"
            className="link"
            onClick={() => actions.select({ kind: 'proc', pid: m.from })}
          >
            {processLabel(m.from) ?? '?'} [{m.from}]
          </button>
        </dd>
        <dt>to</dt>
        <dd>
          <button type="button" className="link" onClick={() => actions.select({ kind: 'proc', pid: m.to })}>
            {processLabel(m.to) ?? '?'} [{m.to}]
          </button>
        </dd>
        <dt>connection</dt>
        <dd>
          <button type="button" className="link" onClick={() => actions.select({ kind: 'conn', id: m.conn })}>
            {m.conn}
          </button>{' '}
          {c ? <span className="mono">{c.name}</span> : null}
        </dd>
        <dt>size</dt>
        <dd>{bytes(m.size)}</dd>
        {m.replyTo !== undefined ? (
          <>
            <dt>answers</dt>
            <dd>
              #{m.replyTo} after {m.latencyMs?.toFixed(2)} ms
            </dd>
          </>
        ) : null}
        <dt>reply</dt>
        <dd>{m.expectsReply ? 'expected' : m.dir === 'reply' ? 'is one' : 'none expected'}</dd>
      </dl>
      <Partner abs={abs} />
      {canResend && !resending ? (
        <button type="button" className="small" onClick={() => setResending(true)}>
          Edit and send again…
        </button>
      ) : null}
      {resending && c ? <ResendForm m={m} service={c.name} onDone={() => setResending(false)} /> : null}
      <h3>Payload</h3>
      <Payload m={m} />
    </div>
  );
}
