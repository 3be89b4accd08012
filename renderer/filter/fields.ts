import type { ConnectionView, ModelSnapshot } from '../../main/trace/model';
import {
  ConnectionSideSchema,
  ConnectionStateSchema,
  LogLevelSchema,
  MessageDirSchema,
  type MessageEvent,
  type TraceEvent,
  TraceEventSchema,
  XpcErrorSchema,
} from '../../main/trace/schema';

/**
 * The fields a filter can name, and how each is read from the three kinds of
 * row the console shows. A field a row kind does not have makes the filter
 * "not applicable" to that view rather than silently matching nothing.
 */
export type Subject = 'message' | 'connection' | 'event';
export type FieldType = 'string' | 'enum' | 'number' | 'pid' | 'duration' | 'size' | 'time';
export type Scalar = string | number | boolean | undefined;
type Getter<T> = (row: T, world: ModelSnapshot) => Scalar;

export interface FieldDef {
  name: string;
  type: FieldType;
  doc: string;
  /** For an enum: the values it takes, and other spellings that mean the same. */
  values?: readonly string[];
  aliases?: Readonly<Record<string, string>>;
  /** A message's value is its connection's: read through the connection getter, once per connection per pass. */
  viaConnection?: boolean;
  /** Several getters mean "any of them matches" (a message's pid is its sender's or its receiver's). */
  message?: Getter<MessageEvent>[];
  connection?: Getter<ConnectionView>[];
  event?: Getter<TraceEvent>[];
}

/** A row is a message, a connection, or one of the trace's event kinds. */
const EVENT_KINDS = [
  ...new Set(['message', 'connection', ...TraceEventSchema.options.map((o) => o.shape.kind.value)]),
];

const conn = (w: ModelSnapshot, id: string | undefined) => (id === undefined ? undefined : w.connections[id]);
const label = (w: ModelSnapshot, pid: number | undefined) =>
  pid === undefined ? undefined : w.processes[pid]?.label;
/** The process on the client end of a connection, whichever end this view of it is. */
const clientOf = (w: ModelSnapshot, c: ConnectionView | undefined) =>
  !c
    ? undefined
    : c.side === 'client'
      ? label(w, c.pid)
      : c.side === 'peer'
        ? label(w, c.peerPid)
        : undefined;
/** The service a connection is to, from either end: a peer connection's own name is "<service>.peer[<pid>].0x<pointer>" (XPC-MODEL §1.4, §10.2). */
const serviceOf = (w: ModelSnapshot, c: ConnectionView | undefined) => {
  if (!c) return undefined;
  if (c.side !== 'peer') return c.name;
  return (
    (c.peerConn ? w.connections[c.peerConn]?.name : undefined) ??
    c.name.replace(/\.peer\[-?\d+\](?:\.0x[0-9a-f]+)?$/, '')
  );
};
const pick = <K extends string>(e: TraceEvent, key: K): Scalar =>
  key in e ? ((e as unknown as Record<K, Scalar>)[key] ?? undefined) : undefined;
const eventConn = (e: TraceEvent, w: ModelSnapshot) => conn(w, pick(e, 'conn') as string | undefined);

export const FIELDS: readonly FieldDef[] = [
  {
    name: 'time',
    type: 'time',
    doc: 'when it happened: 12:31:20.5, or ms since the epoch',
    message: [(m) => m.t],
    connection: [(c) => c.since],
    event: [(e) => e.t],
  },
  {
    name: 'dir',
    type: 'enum',
    doc: 'a message: send, reply or event (push)',
    values: MessageDirSchema.options,
    aliases: { push: 'event', request: 'send' },
    message: [(m) => m.dir],
  },
  {
    name: 'conn',
    type: 'string',
    doc: 'the connection pointer, 0x…',
    message: [(m) => m.conn],
    connection: [(c) => c.conn],
    event: [(e) => pick(e, 'conn')],
  },
  {
    name: 'from',
    type: 'pid',
    doc: "a message's sender: pid or process label",
    message: [(m) => m.from],
  },
  {
    name: 'to',
    type: 'pid',
    doc: "a message's receiver: pid or process label",
    message: [(m) => m.to],
  },
  {
    name: 'pid',
    type: 'pid',
    doc: 'a process at either end: pid or process label',
    message: [(m) => m.from, (m) => m.to],
    connection: [(c) => c.pid],
    event: [(e) => pick(e, 'pid')],
  },
  {
    name: 'key',
    type: 'string',
    doc: "a message's selector or key",
    message: [(m) => m.key],
  },
  { name: 'id', type: 'number', doc: "a message's id", message: [(m) => m.id] },
  {
    name: 'size',
    type: 'size',
    doc: 'message size: 4096, 4k, 1.5mb',
    message: [(m) => m.size],
  },
  {
    name: 'latency',
    type: 'duration',
    doc: "a reply's latency: 50ms, 1.5s",
    message: [(m) => m.latencyMs],
  },
  {
    name: 'replyTo',
    type: 'number',
    doc: 'the id of the request a reply answers',
    message: [(m) => m.replyTo],
  },
  {
    name: 'expectsReply',
    type: 'enum',
    doc: 'a request that waits for a reply: true or false',
    values: ['true', 'false'],
    message: [(m) => String(m.expectsReply)],
  },
  {
    name: 'service',
    type: 'string',
    viaConnection: true,
    doc: 'the service name a connection was made to',
    message: [(m, w) => serviceOf(w, conn(w, m.conn))],
    connection: [(c, w) => serviceOf(w, c)],
    event: [
      (e, w) => {
        if (e.kind === 'process.spawn' || e.kind === 'process.exit') return undefined;
        const c = eventConn(e, w);
        return c ? serviceOf(w, c) : pick(e, 'name');
      },
    ],
  },
  {
    name: 'client',
    type: 'string',
    viaConnection: true,
    doc: 'the label of the process on the client end',
    message: [(m, w) => clientOf(w, conn(w, m.conn))],
    connection: [(c, w) => clientOf(w, c)],
    event: [(e, w) => clientOf(w, eventConn(e, w))],
  },
  {
    name: 'process',
    type: 'string',
    doc: 'a process label',
    message: [(m, w) => label(w, m.from), (m, w) => label(w, m.to)],
    connection: [(c, w) => label(w, c.pid)],
    event: [(e, w) => pick(e, 'label') ?? pick(e, 'process') ?? label(w, pick(e, 'pid') as number)],
  },
  {
    name: 'state',
    type: 'enum',
    viaConnection: true,
    doc: "a connection's state (for a message: its connection's)",
    values: ConnectionStateSchema.options,
    aliases: { invalid: 'invalidated', active: 'connected' },
    message: [(m, w) => conn(w, m.conn)?.state],
    connection: [(c) => c.state],
    event: [(e) => (e.kind === 'connection.state' ? e.to : undefined)],
  },
  {
    name: 'error',
    type: 'enum',
    viaConnection: true,
    doc: 'the XPC error: INTERRUPTED, INVALID, TERMINATION_IMMINENT, PEER_CODE_SIGNING_REQUIREMENT',
    values: XpcErrorSchema.options,
    aliases: {
      INTERRUPTED: 'XPC_ERROR_CONNECTION_INTERRUPTED',
      INVALID: 'XPC_ERROR_CONNECTION_INVALID',
      INVALIDATED: 'XPC_ERROR_CONNECTION_INVALID',
      TERMINATION_IMMINENT: 'XPC_ERROR_TERMINATION_IMMINENT',
      PEER_CODE_SIGNING_REQUIREMENT: 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT',
      PEER_CODE_SIGNING: 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT',
    },
    message: [(m, w) => conn(w, m.conn)?.error],
    connection: [(c) => c.error],
    event: [(e) => (e.kind === 'connection.state' || e.kind === 'reply.failed' ? e.error : undefined)],
  },
  {
    name: 'nserror',
    type: 'number',
    doc: 'the NSError code an NSXPCConnection sees: 4097, 4099, 4102',
    connection: [(c) => c.nsError?.code],
    event: [(e) => (e.kind === 'connection.state' ? e.nsError?.code : undefined)],
  },
  {
    name: 'errno',
    type: 'number',
    doc: 'a failed lookup: 3 No such process, 159 Sandbox restriction…',
    event: [(e) => (e.kind === 'lookup' ? e.errno : undefined)],
  },
  {
    name: 'side',
    type: 'enum',
    viaConnection: true,
    doc: 'client, peer or listener',
    values: ConnectionSideSchema.options,
    message: [(m, w) => conn(w, m.conn)?.side],
    connection: [(c) => c.side],
    event: [(e) => (e.kind === 'connection.state' ? e.side : undefined)],
  },
  {
    name: 'name',
    type: 'string',
    viaConnection: true,
    doc: 'a connection, service or process name',
    message: [(m, w) => conn(w, m.conn)?.name],
    connection: [(c) => c.name],
    event: [(e) => pick(e, 'name') ?? pick(e, 'label')],
  },
  {
    name: 'domain',
    type: 'string',
    doc: 'a launchd domain: system, gui/501, pid/…',
    connection: [(c, w) => w.processes[c.pid]?.domain],
    event: [(e, w) => pick(e, 'domain') ?? w.processes[pick(e, 'pid') as number]?.domain],
  },
  {
    name: 'cause',
    type: 'string',
    doc: 'why a connection changed or a process exited',
    connection: [(c) => c.cause],
    event: [(e) => pick(e, 'cause') ?? pick(e, 'detail') ?? pick(e, 'reason')],
  },
  {
    name: 'text',
    type: 'string',
    doc: 'a log line or message',
    event: [(e) => pick(e, 'text') ?? pick(e, 'message')],
  },
  {
    name: 'level',
    type: 'enum',
    doc: 'a log line: Default, Info, Debug, Error, Fault',
    values: LogLevelSchema.options,
    event: [(e) => (e.kind === 'log' ? e.level : undefined)],
  },
  {
    name: 'kind',
    type: 'enum',
    doc: 'what a row is: message, connection, or an event kind such as process.exit',
    values: EVENT_KINDS,
    message: [() => 'message'],
    connection: [() => 'connection'],
    event: [(e) => e.kind],
  },
  {
    name: 'payload',
    type: 'string',
    doc: "a message's payload as JSON text (for contains / matches)",
    message: [(m) => (m.payload ? JSON.stringify(m.payload) : undefined)],
  },
];

export { serviceOf };

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDef> = new Map(
  FIELDS.map((f) => [f.name.toLowerCase(), f]),
);

/** The closest field name, for "did you mean". */
export function nearestField(name: string): string | undefined {
  let best: string | undefined;
  let bestScore = 3;
  for (const f of FIELDS) {
    const d = distance(name.toLowerCase(), f.name.toLowerCase());
    if (d < bestScore) {
      best = f.name;
      bestScore = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
