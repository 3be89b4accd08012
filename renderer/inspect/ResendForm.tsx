import { useState } from 'react';
import type { MessageEvent } from '../../main/trace/schema';
import { type XpcDictionary, XpcDictionarySchema } from '../../main/trace/xpc-value';
import { actions } from '../store';

/**
 * Edit a captured request and send it again, as its sender: the broker takes
 * it down exactly the path the helper's own message would (policy, lookup,
 * size limit), so a bad edit fails the way it would on a Mac.
 */
export function ResendForm({ m, service, onDone }: { m: MessageEvent; service: string; onDone: () => void }) {
  const [body, setBody] = useState(() => JSON.stringify(m.payload ?? { key: m.key ?? 'ping' }, null, 2));
  const [expectsReply, setExpectsReply] = useState(m.expectsReply);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const send = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      setProblem(`not JSON: ${(e as Error).message}`);
      return;
    }
    const valid = XpcDictionarySchema.safeParse(parsed);
    if (!valid.success) {
      setProblem(valid.error.issues[0]?.message ?? 'not an XPC dictionary');
      return;
    }
    setProblem(null);
    const r = await actions.send(m.from, service, parsed as XpcDictionary, expectsReply);
    if (r) setSent(`Sent on ${r.conn}; it appears in the list like any other message.`);
  };

  return (
    <div className="resend">
      <h3>Send again as pid {m.from}</h3>
      <div className="stack">
        <span className="muted">to service</span>
        <span className="mono">{service}</span>
      </div>
      <textarea
        aria-label="Message body"
        className="mono"
        spellCheck={false}
        rows={Math.min(14, body.split('\n').length + 1)}
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      <label>
        <input type="checkbox" checked={expectsReply} onChange={(e) => setExpectsReply(e.target.checked)} />{' '}
        expects a reply
      </label>
      {problem ? <p className="inline-error">{problem}</p> : null}
      {sent ? <p className="inline-ok">{sent}</p> : null}
      <div className="row-buttons">
        <button type="button" className="small primary" onClick={() => void send()}>
          Send
        </button>
        <button type="button" className="small" onClick={onDone}>
          Close
        </button>
      </div>
    </div>
  );
}
