import type { ProcessSignature } from '../../main/trace/schema';
import { Advice } from '../components/Advice';
import { ProcessActions } from '../components/ProcessActions';
import { clock, duration } from '../format';
import { useTick } from '../hooks';
import { actions, useConsole, useModel } from '../store';
import { EXIT_ADVICE } from '../views/advice';
import { StatePill } from '../views/StatePill';

/** A process: where launchd put it and why, the services it vends, its connections, and how it ended. */
export function ProcessDetail({ pid }: { pid: number }) {
  useTick(4);
  const mode = useConsole((s) => s.mode);
  const { processes, connections, services } = useModel().state;
  const p = processes[pid];
  if (!p) return <p className="empty">Process {pid} is not in the model.</p>;
  const conns = Object.values(connections).filter((c) => c.pid === p.pid);
  const vends = Object.values(services).filter((s) => s.label === p.label && s.registered);
  const advice = p.exit && !p.exit.clean ? EXIT_ADVICE[p.exit.cause] : undefined;
  return (
    <div className="inspector">
      <h2>{p.label}</h2>
      {p.state === 'running' && mode === 'live' ? (
        <p className="row-buttons">
          <ProcessActions pid={p.pid} ariaLabel={(verb) => `${verb} ${p.label}`} />
        </p>
      ) : null}
      <dl>
        <dt>pid</dt>
        <dd>{p.pid}</dd>
        <dt>domain</dt>
        <dd>{p.domain}</dd>
        <dt>program</dt>
        <dd className="mono">{p.program}</dd>
        <dt>launched</dt>
        <dd>
          {clock(p.spawnedAt)} because {p.reason}
        </dd>
        {p.bundleVersion ? (
          <>
            <dt>version</dt>
            <dd>{p.bundleVersion}</dd>
          </>
        ) : null}
        {p.exit ? (
          <>
            <dt>exit</dt>
            <dd>
              {p.exit.detail} <span className="muted">after {duration(p.exit.t - p.spawnedAt)}</span>
            </dd>
          </>
        ) : null}
      </dl>
      <Advice means={advice?.means} todo={advice?.todo} />
      {vends.length > 0 ? (
        <>
          <h3>Vends ({vends.length})</h3>
          <ul className="plain">
            {vends.map((s) => (
              <li key={s.key} className="mono">
                {s.name} <span className="muted">{s.origin}</span>
                {s.binding === 'stale' ? <span className="err"> stale: bound to {s.boundTo}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <SignatureSection signature={p.signature} />
      <h3>Connections ({conns.length})</h3>
      <ul className="plain">
        {conns.map((c) => (
          <li key={c.conn}>
            <button
              type="button"
              className="link"
              onClick={() => actions.select({ kind: 'conn', id: c.conn })}
            >
              {c.conn}
            </button>{' '}
            {c.side} <span className="mono">{c.name}</span> <StatePill state={c.state} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What the executable is signed with, as `codesign -dvvv -r- --entitlements -` shows it
 * (XPC-MODEL §10.5). Without a signature the identity is the one world.plist gives.
 */
function SignatureSection({ signature: sig }: { signature: ProcessSignature | undefined }) {
  if (!sig) {
    return (
      <>
        <h3>Signature</h3>
        <p className="muted">No signed executable was read; the identity comes from world.plist.</p>
      </>
    );
  }
  const flags = `0x${sig.flags.toString(16)}(${sig.flagNames.length ? sig.flagNames.join(',') : 'none'})`;
  return (
    <section aria-label="Signature">
      <h3>Signature</h3>
      <dl>
        <dt>Identifier</dt>
        <dd className="mono">{sig.identifier}</dd>
        <dt>Format</dt>
        <dd>
          {sig.format} <span className="muted">showing {sig.arch}</span>
        </dd>
        <dt>TeamIdentifier</dt>
        <dd className="mono">{sig.teamId ?? 'not set'}</dd>
        <dt>Flags</dt>
        <dd className="mono">{flags}</dd>
        <dt>CDHash</dt>
        <dd className="mono">
          {sig.cdhash} <span className="muted">{sig.hashType}</span>
        </dd>
        <dt>Executable</dt>
        <dd className="mono">{sig.file}</dd>
        {sig.designatedRequirement ? (
          <>
            <dt>Requirement</dt>
            <dd className="mono">
              {sig.designatedImplicit ? '# ' : ''}designated =&gt; {sig.designatedRequirement}
            </dd>
          </>
        ) : null}
        {sig.overridden.length > 0 ? (
          <>
            <dt>Overridden</dt>
            <dd>world.plist replaces {sig.overridden.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {sig.certificates.length > 0 ? (
        <>
          <h4>Certificate chain</h4>
          <ol className="plain" start={0}>
            {sig.certificates.map((c) => (
              <li key={c.sha1}>
                <span className="mono">{c.subject.CN ?? '(no CN)'}</span>
                {c.subject.OU ? <span className="muted"> OU={c.subject.OU}</span> : null}
                {c.subject.O ? <span className="muted"> O={c.subject.O}</span> : null}
                <div className="muted mono">
                  Apple OIDs: {c.appleOids.length > 0 ? c.appleOids.join(', ') : 'none'}
                </div>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="muted">
          No certificates: {sig.flagNames.includes('adhoc') ? 'ad-hoc signed' : 'none in the signature'}.
        </p>
      )}
      {sig.entitlements ? (
        <>
          <h4>Entitlements</h4>
          <pre className="mono" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {sig.entitlements}
          </pre>
        </>
      ) : null}
    </section>
  );
}
