import type { Broker } from '../broker/broker';
import type { EventOf, TraceEvent, TraceEventKind } from '../trace/schema';
import type { ScriptedClients, ScriptedConnection } from './clients';
import {
  checkBinding,
  checkRemedy,
  checkSysext,
  checkUpgrade,
  describeUpgradeExpectation,
} from './expect-upgrade';
import type { Expectation } from './schema';
import { fail, pass, type Verdict } from './verdict';

/** What an expectation is checked against: the stream so far, the scripted clients and the broker. */
export interface View {
  events: readonly TraceEvent[];
  clients: ScriptedClients;
  broker: Broker;
  /** The first sequence number the expectation looks at. */
  from: number;
}

export type { Verdict } from './verdict';

function inWindow<K extends TraceEventKind>(v: View, kind: K): EventOf<K>[] {
  return v.events.filter((e): e is EventOf<K> => e.kind === kind && e.seq >= v.from);
}

function scripted(v: View, id: string): ScriptedConnection | undefined {
  return v.clients.get(id);
}

/** The service-side peer of a scripted client connection, once a message has reached the service. */
function peerPtr(v: View, clientPtr: string): string | undefined {
  for (const e of v.events) {
    if (e.kind !== 'connection.state') continue;
    if (e.side === 'peer' && e.peerConn === clientPtr) return e.conn;
    if (e.conn === clientPtr && e.peerConn) return e.peerConn;
  }
  return undefined;
}

function lastState(v: View, ptr: string): EventOf<'connection.state'> | undefined {
  return v.events
    .filter((e): e is EventOf<'connection.state'> => e.kind === 'connection.state' && e.conn === ptr)
    .at(-1);
}

function describeConn(v: View, ptr: string): string {
  const last = lastState(v, ptr);
  if (!last) return `${ptr} has no state change yet`;
  return `${ptr} is ${last.to}${last.error ? ` (${last.error})` : ''}${last.cause ? `: ${last.cause}` : ''}`;
}

function checkConn(v: View, e: Extract<Expectation, { kind: 'conn' }>): Verdict {
  const c = scripted(v, e.conn);
  if (!c?.ptr) return fail(`no connection ${e.conn} was opened by the scenario`);
  const ptr = e.peer ? peerPtr(v, c.ptr) : c.ptr;
  if (!ptr) return fail(`${e.conn} has no service-side peer yet (no message has reached the service)`);
  const hit = inWindow(v, 'connection.state').find(
    (s) =>
      s.conn === ptr &&
      (e.state === undefined || s.to === e.state) &&
      (e.error === undefined || s.error === e.error) &&
      (e.nsError === undefined || s.nsError?.code === e.nsError),
  );
  return hit ? pass : fail(describeConn(v, ptr), lastState(v, ptr)?.seq);
}

function checkLog(v: View, e: Extract<Expectation, { kind: 'log' }>): Verdict {
  const ptr = e.on === undefined ? undefined : scripted(v, e.on)?.ptr;
  if (e.on !== undefined && !ptr) return fail(`no connection ${e.on} was opened by the scenario`);
  const hits = inWindow(v, 'log').filter((l) => (!ptr || l.conn === ptr) && e.log.test(l.text));
  const want = e.count ?? 1;
  if (hits.length >= want) return pass;
  const where = e.on ? ` for ${e.on} (${ptr})` : '';
  return fail(
    hits.length === 0
      ? `no log line${where} matches ${e.log}`
      : `${hits.length} log lines${where} match ${e.log}, expected ${want}`,
  );
}

function checkDiagnostic(v: View, e: Extract<Expectation, { kind: 'diagnostic' }>): Verdict {
  const all = inWindow(v, 'diagnostic');
  if (all.some((d) => (e.key === undefined || d.key === e.key) && e.diagnostic.test(d.message))) return pass;
  const last = all.at(-1);
  return fail(
    last ? `the last diagnostic was: ${last.key ? `${last.key}: ` : ''}${last.message}` : 'no diagnostic',
  );
}

function checkNoLog(v: View, e: Extract<Expectation, { kind: 'noLog' }>): Verdict {
  const hit = inWindow(v, 'log').find((l) => e.noLog.test(l.text));
  return hit ? fail(`a log line matches ${e.noLog}: ${hit.text}`, hit.seq) : pass;
}

/** XPC-MODEL §1.2: after INVALID the connection is dead; nothing may reach its owner on it. */
function checkNoDelivery(v: View, e: Extract<Expectation, { kind: 'noDeliveryAfterInvalidation' }>): Verdict {
  const c = scripted(v, e.noDeliveryAfterInvalidation);
  if (!c?.ptr) return fail(`no connection ${e.noDeliveryAfterInvalidation} was opened by the scenario`);
  const ptr = c.ptr;
  const invalid = v.events.find(
    (s) => s.kind === 'connection.state' && s.conn === ptr && s.to === 'invalidated',
  );
  if (!invalid) return fail(`${c.id} was never invalidated: ${describeConn(v, ptr)}`);
  const peer = peerPtr(v, ptr);
  const late = v.events.find(
    (m) =>
      m.kind === 'message' && m.seq > invalid.seq && (m.conn === ptr || (m.conn === peer && m.to === c.pid)),
  );
  if (late) return fail(`a message travelled on ${c.id} after it was invalidated (#${late.seq})`, late.seq);
  const received = c.received.find(
    (r) => r.seq > invalid.seq && (r.message.t === 'message' || r.message.t === 'reply'),
  );
  if (received) return fail(`a ${received.message.t} reached ${c.id} after it was invalidated`, received.seq);
  return pass;
}

function checkExit(v: View, e: Extract<Expectation, { kind: 'exit' }>): Verdict {
  const exits = inWindow(v, 'process.exit').filter((x) => x.label === e.exit);
  const hit = exits.find(
    (x) => (e.cause === undefined || x.cause === e.cause) && (e.clean === undefined || x.clean === e.clean),
  );
  if (hit) return pass;
  if (exits.length === 0) return fail(`${e.exit} has not exited`);
  return fail(
    `${e.exit} exited, but ${exits.map((x) => `cause ${x.cause}, clean ${x.clean}`).join('; ')}`,
    exits.at(-1)?.seq,
  );
}

function checkSpawn(v: View, e: Extract<Expectation, { kind: 'spawn' }>): Verdict {
  const spawns = inWindow(v, 'process.spawn').filter(
    (s) =>
      s.label === e.spawn &&
      (e.reason === undefined || s.reason === e.reason) &&
      (!e.program || e.program.test(s.program)),
  );
  if (e.count !== undefined) {
    return spawns.length === e.count
      ? pass
      : fail(`${e.spawn} was launched ${spawns.length} times, expected ${e.count}`);
  }
  return spawns.length > 0
    ? pass
    : fail(`${e.spawn} was not launched${e.reason ? ` because ${e.reason}` : ''}`);
}

function checkLookup(v: View, e: Extract<Expectation, { kind: 'lookup' }>): Verdict {
  const lookups = inWindow(v, 'lookup').filter((l) => l.name === e.lookup);
  const hit = lookups.find((l) => (e.errno === undefined ? l.ok : !l.ok && l.errno === e.errno));
  if (hit) return pass;
  if (lookups.length === 0) return fail(`nothing looked up ${e.lookup}`);
  const last = lookups.at(-1)!;
  return fail(
    `the look-up of ${e.lookup} ${last.ok ? `found ${last.target}` : `failed with error ${last.errno} (${last.error})`}`,
    last.seq,
  );
}

function checkReply(v: View, e: Extract<Expectation, { kind: 'reply' }>): Verdict {
  const c = scripted(v, e.reply);
  if (!c) return fail(`no connection ${e.reply} was opened by the scenario`);
  const got = c.received.filter(
    (r) => r.seq >= v.from && (r.message.t === 'reply' || r.message.t === 'replyError'),
  );
  const hits = got.filter((r) =>
    e.error === undefined
      ? r.message.t === 'reply'
      : r.message.t === 'replyError' && r.message.error === e.error,
  );
  if (hits.length >= (e.count ?? 1)) return pass;
  const seen = got.map((r) => (r.message.t === 'replyError' ? r.message.error : 'a reply')).join(', ');
  return fail(seen ? `${c.id} received ${seen}` : `no reply reached ${c.id}`);
}

function checkRunning(v: View, e: Extract<Expectation, { kind: 'running' }>): Verdict {
  const proc = v.broker.processes().find((p) => p.job.label === e.running && p.state !== 'exited');
  if (Boolean(proc) === e.is) return pass;
  return fail(proc ? `${e.running} is running as pid ${proc.displayPid}` : `${e.running} is not running`);
}

export function check(e: Expectation, v: View): Verdict {
  switch (e.kind) {
    case 'conn':
      return checkConn(v, e);
    case 'log':
      return checkLog(v, e);
    case 'noLog':
      return checkNoLog(v, e);
    case 'diagnostic':
      return checkDiagnostic(v, e);
    case 'noDeliveryAfterInvalidation':
      return checkNoDelivery(v, e);
    case 'exit':
      return checkExit(v, e);
    case 'spawn':
      return checkSpawn(v, e);
    case 'lookup':
      return checkLookup(v, e);
    case 'reply':
      return checkReply(v, e);
    case 'status': {
      const status = v.broker.smAppService.status(e.status);
      return status === e.is ? pass : fail(`SMAppService ${e.status} is .${status}`);
    }
    case 'running':
      return checkRunning(v, e);
    case 'upgrade':
      return checkUpgrade(v.events, e);
    case 'sysext':
      return checkSysext(v.broker, e);
    case 'binding':
      return checkBinding(v.broker, e);
    case 'outcome':
      return checkRemedy(v.events, e);
  }
}

/** Whether an expectation may wait for what it expects; the others hold or fail at once. */
export function waits(e: Expectation): boolean {
  return (
    e.kind !== 'noLog' &&
    e.kind !== 'noDeliveryAfterInvalidation' &&
    e.kind !== 'status' &&
    // The report is complete when the upgrade step returns.
    e.kind !== 'upgrade'
  );
}

/** The expectation in the scenario's words, for reports. */
export function describe(e: Expectation, timeoutMs: number): string {
  const within = waits(e)
    ? ` within ${formatMs('within' in e && e.within !== undefined ? e.within : timeoutMs)}`
    : '';
  switch (e.kind) {
    case 'conn':
      return `${e.peer ? `the peer of ${e.conn}` : `connection ${e.conn}`} reaches ${e.state ?? 'any state'}${e.error ? ` with ${e.error}` : ''}${e.nsError ? ` (NSError ${e.nsError})` : ''}${within}`;
    case 'log':
      return `a log line${e.on ? ` for ${e.on}` : ''} matching ${e.log} appears${e.count ? ` ${e.count} times` : ''}${within}`;
    case 'noLog':
      return `no log line matches ${e.noLog}`;
    case 'diagnostic':
      return `a diagnostic${e.key ? ` on ${e.key}` : ''} matching ${e.diagnostic} appears${within}`;
    case 'noDeliveryAfterInvalidation':
      return `no message is delivered on ${e.noDeliveryAfterInvalidation} after invalidation`;
    case 'exit':
      return `process ${e.exit} exits${e.cause ? ` with cause ${e.cause}` : ''}${e.clean === undefined ? '' : e.clean ? ', clean' : ', not clean'}${within}`;
    case 'spawn':
      return `${e.spawn} is launched${e.reason ? ` because ${e.reason}` : ''}${e.count === undefined ? '' : ` ${e.count} times`}${within}`;
    case 'lookup':
      return `the look-up of ${e.lookup} ${e.errno === undefined ? 'succeeds' : `fails with errno ${e.errno}`}${within}`;
    case 'reply':
      return `${e.reply} receives ${e.error ? `a reply error ${e.error}` : 'a reply'}${e.count ? ` ${e.count} times` : ''}${within}`;
    case 'status':
      return `SMAppService ${e.status} is .${e.is}`;
    case 'running':
      return `${e.running} is ${e.is ? '' : 'not '}running${within}`;
    case 'upgrade':
    case 'sysext':
    case 'binding':
    case 'outcome':
      return describeUpgradeExpectation(e, within);
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
