import { useState } from 'react';
import { buildExport, type ExportKind, heldEvents, shownMessages } from '../export/build';
import { download } from '../export/download';
import { actions, live, notify, useConsole } from '../store';
import { Dialog } from './Dialog';

const num = (n: number) => n.toLocaleString('en-US');

/** File › Export in the console: the message list as the filter shows it, or everything held, for other tools. */
export function ExportDialog() {
  const open = useConsole((s) => s.exporting);
  if (!open) return null;
  return <ExportForm />;
}

function ExportForm() {
  const world = useConsole((s) => s.world?.name ?? 'xpc-lab');
  const host = useConsole((s) => s.host ?? 'headless');
  const filter = useConsole((s) => (s.filterProblem ? '' : s.filterText.trim()));
  const recording = useConsole((s) => s.recording);
  useConsole((s) => s.version);
  const [kind, setKind] = useState<ExportKind>('csv');
  const [redact, setRedact] = useState(false);
  const [keys, setKeys] = useState(false);
  const [paths, setPaths] = useState(false);
  const shown = live.view.count;
  const held = live.messages.size + live.events.size;
  const close = () => actions.toggleExport(false);

  const save = () => {
    const file = buildExport(kind, {
      world,
      host,
      filter,
      redact,
      redactMore: { keys, paths },
      model: live.model.state,
      now: new Date(),
      shown: () => shownMessages(live.view),
      held: () => heldEvents(live.messages, live.events.toArray()),
    });
    download(file.name, file.type, file.text);
    notify(`Exported ${file.summary} to ${file.name}`, 'info');
    close();
  };

  const choices: { kind: ExportKind; title: string; detail: string }[] = [
    {
      kind: 'csv',
      title: 'Messages as CSV',
      detail: filter
        ? `The ${num(shown)} messages the list shows for ${filter}`
        : `The ${num(shown)} messages the list shows (no filter)`,
    },
    {
      kind: 'perfetto',
      title: 'Perfetto trace (JSON)',
      detail: `The ${num(held)} events the console holds, for ui.perfetto.dev or chrome://tracing`,
    },
    {
      kind: 'ndjson',
      title: 'XPC Lab trace (NDJSON)',
      detail: `The ${num(held)} events the console holds, to reopen with xpc-lab serve --trace`,
    },
  ];

  return (
    <Dialog title="Export" onClose={close} className="export-dialog">
      <fieldset className="export-kinds">
        <legend className="muted">What to export</legend>
        {choices.map((c) => (
          <label key={c.kind} className={`export-kind ${kind === c.kind ? 'chosen' : ''}`}>
            <input
              type="radio"
              name="export-kind"
              value={c.kind}
              checked={kind === c.kind}
              onChange={() => setKind(c.kind)}
              {...(kind === c.kind ? { 'data-autofocus': true } : {})}
            />
            <span>
              <strong>{c.title}</strong>
              <span className="muted">{c.detail}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label className="export-redact">
        <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} />
        <span>
          Redact payloads
          <span className="muted">
            {' '}
            · each value becomes its XPC type and size, for sharing outside a company
          </span>
        </span>
      </label>
      {redact ? (
        <div className="export-redact-more">
          <label>
            <input type="checkbox" checked={keys} onChange={(e) => setKeys(e.target.checked)} /> message keys
            <span className="muted"> · selector names become &lt;key 1&gt;, &lt;key 2&gt;…</span>
          </label>
          <label>
            <input type="checkbox" checked={paths} onChange={(e) => setPaths(e.target.checked)} /> absolute
            paths
            <span className="muted"> · /Users/…/App.app becomes &lt;path&gt;/App.app</span>
          </label>
        </div>
      ) : null}
      {recording && !recording.error ? (
        <p className="muted export-note">
          The whole session is recorded in <code>{recording.path}</code>;{' '}
          <code>xpc-lab export {recording.path} --perfetto out.json</code> exports all of it.
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={close}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={save}>
          Export
        </button>
      </div>
    </Dialog>
  );
}
