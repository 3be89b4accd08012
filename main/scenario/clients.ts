import type { HelperProcess, SpawnCallbacks, Spawner, SpawnRequest } from '../broker/spawner';
import type { BrokerToHelper } from '../helper/protocol';
import type { XpcDictionary, XpcTag } from '../trace/xpc-value';

/** Local connection ids the scenario uses inside a helper process; the helper never sees them. */
export const SCRIPTED_PREFIX = 'scenario.';

type ToScripted = Extract<BrokerToHelper, { conn: string }>;

/** What reached a scripted connection, stamped with the stream position at the time. */
export interface Received {
  seq: number;
  message: ToScripted;
}

/** A connection the scenario opened on behalf of a process (XPC-MODEL §1.1 client side). */
export interface ScriptedConnection {
  id: string;
  localId: string;
  pid: number;
  label: string;
  /** The broker's pointer for it, once created. */
  ptr?: string;
  nextMessageId: number;
  received: Received[];
}

/**
 * The scenario's scripted clients. A scenario speaks for a running helper
 * through Broker.speakFor; what the broker sends back on a scripted
 * connection is taken off the wire here, before it reaches the helper.
 */
export class ScriptedClients {
  private readonly byId = new Map<string, ScriptedConnection>();
  private readonly byLocal = new Map<string, ScriptedConnection>();

  constructor(private readonly seq: () => number) {}

  /** Wraps a host's Spawner so replies and events for scripted connections come here. */
  tap(inner: Spawner): Spawner {
    return {
      spawn: (request: SpawnRequest, callbacks: SpawnCallbacks): HelperProcess => {
        const handle = inner.spawn(request, callbacks);
        return {
          get pid() {
            return handle.pid;
          },
          send: (message) => {
            if (!this.take(message)) handle.send(message);
          },
          kill: (signal) => handle.kill(signal),
        };
      },
    };
  }

  open(id: string, pid: number, label: string): ScriptedConnection {
    const conn: ScriptedConnection = {
      id,
      localId: `${SCRIPTED_PREFIX}${id}`,
      pid,
      label,
      nextMessageId: 1,
      received: [],
    };
    this.byId.set(id, conn);
    this.byLocal.set(conn.localId, conn);
    return conn;
  }

  get(id: string): ScriptedConnection | undefined {
    return this.byId.get(id);
  }

  /** The endpoint in the newest reply on a connection, if any (XPC-MODEL §1.1). */
  lastEndpoint(conn: ScriptedConnection): XpcTag | undefined {
    for (const r of [...conn.received].reverse()) {
      if (r.message.t !== 'reply') continue;
      const found = Object.values(r.message.body as XpcDictionary).find(
        (v): v is XpcTag => typeof v === 'object' && v !== null && !Array.isArray(v) && v.$xpc === 'endpoint',
      );
      if (found) return found;
    }
    return undefined;
  }

  private take(message: BrokerToHelper): boolean {
    if (!('conn' in message) || !message.conn.startsWith(SCRIPTED_PREFIX)) return false;
    const conn = this.byLocal.get(message.conn);
    conn?.received.push({ seq: this.seq(), message });
    return true;
  }
}
