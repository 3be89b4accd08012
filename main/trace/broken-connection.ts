import type { ConnectionStateEvent, UpgradeEvent } from './schema';

export type BrokenConnection = UpgradeEvent['broken'][number];

type StateChange = Pick<
  ConnectionStateEvent,
  'conn' | 'side' | 'pid' | 'name' | 'to' | 'error' | 'nsError' | 'cause'
>;

/**
 * Whether a connection's state change broke it, and how: it became INTERRUPTED or INVALID with an error its
 * handler hears. A connection that ended with its own process carries no error (XPC-MODEL §10.2): nothing broke
 * it. The live upgrade report and the story a recorded trace tells both decide by this one rule.
 */
export function brokenConnection(
  ev: StateChange,
  processName: (pid: number) => string | undefined,
): BrokenConnection | undefined {
  if (ev.to !== 'interrupted' && ev.to !== 'invalidated') return undefined;
  if (ev.error === undefined) return undefined;
  return {
    conn: ev.conn,
    side: ev.side,
    pid: ev.pid,
    process: processName(ev.pid) ?? `pid ${ev.pid}`,
    name: ev.name,
    became: ev.to,
    error: ev.error,
    ...(ev.nsError ? { nsErrorCode: ev.nsError.code } : {}),
    ...(ev.cause ? { cause: ev.cause } : {}),
  };
}
