import { errorWords } from './errno';
import { type LaunchdLine, recogniseLaunchd } from './launchd';

export type { LaunchdLine, LaunchdPrefix } from './launchd';

/** A libxpc line of XPC-MODEL §7.2; `ptr` is the connection's `%p`, absent when the line was logged without it. */
export type LibxpcLine =
  | {
      kind: 'activation';
      ptr?: string;
      /** "activated" (libxpc ≥ 2894) rather than "activating". */
      activated: boolean;
      mach: boolean;
      listener: boolean;
      peer: boolean;
      name: string;
      /** The client pid in a peer's name, `….peer[79879]…` (§1.4). */
      peerPid?: number;
    }
  | { kind: 'lookup-failed'; ptr?: string; errno: number; error: string }
  | { kind: 'invalidated'; ptr?: string; reason: string; cause: string; clientPid?: number }
  | { kind: 'listener-failed'; ptr?: string; errno: number; error: string; reason: string; cause: string }
  | { kind: 'interrupted'; ptr?: string }
  /** Recognised and kept as a log line only: code-signing drops, listener port, rejected peers (§1.4, §1.5, §3.3). */
  | { kind: 'libxpc'; ptr?: string };

export type XpcLine = LibxpcLine | LaunchdLine;

const P = String.raw`^(?:\[(0x[0-9a-fA-F]+)\] )?`;
const ACTIVATION = new RegExp(
  `${P}(activating|activated) connection: mach=(true|false) listener=(true|false) peer=(true|false) name=(.*)$`,
);
const LOOKUP_FAILED = new RegExp(
  String.raw`${P}failed to do a bootstrap look-up: xpc_error=\[(-?\d+): ([^\]]*)\]`,
);
const LISTENER_FAILED = new RegExp(
  String.raw`${P}(listener failed to activate: xpc_error=\[(-?\d+): ([^\]]*)\])`,
);
const INVALIDATED = new RegExp(`${P}invalidated (.+)$`);
const REINIT = new RegExp(
  `${P}Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED`,
);
const OTHER = new RegExp(
  `${P}(?:${[
    'Connection returned listener port: ',
    // Seen next to anonymous listeners in real default-style logs (openai/tart#1069).
    String.raw`Channel could not return listener port\.`,
    'listener failed to create a send right',
    'failed to register a no-senders notification',
    'Failed to verify check-in connection port',
    'Received message forbidden due to code signing requirement',
    'Dropping check-in message due to code signing requirement',
    'Reply message forbidden due to code signing requirement',
    String.raw`Peer forbidden \(code signing\)`,
    'Peer connection was rejected by the listener',
    String.raw`Normal message received by listener connection\. Ignoring\.`,
    String.raw`Bogus check-in attempt\. Ignoring\.`,
    'xpc_support_check_token: ',
  ].join('|')})`,
);

function listenerCause(errno: number, error: string): string {
  return `the listener could not check in its name with launchd (${errno}: ${error})`;
}

interface InvalidationKind {
  /** Short name the summary counts by. */
  key: string;
  /** Matches the reason: the phrase after "invalidated", without "after a"/"because"/"on". */
  match: RegExp;
  cause: (m: RegExpExecArray) => string;
}

/** The invalidation phrases of XPC-MODEL §7.2 and §3.3; `cause` is the plain-words reading of §1.2. */
const INVALIDATIONS: readonly InvalidationKind[] = [
  { key: 'failed init', match: /^failed init$/, cause: () => 'the bootstrap look-up at activation failed' },
  {
    key: 'failed reconnect',
    match: /^failed reconnect$/,
    cause: () => 'the service went away and its name could not be looked up again',
  },
  {
    key: 'last release',
    match: /^the last release of the connection object$/,
    cause: () => 'the process released the connection without cancelling it',
  },
  {
    key: 'cancelled',
    match:
      /^(?:the current process cancelled the connection by calling xpc_connection_cancel\(\)|xpc_connection_cancel\(\))$/,
    cause: () => 'the process cancelled the connection',
  },
  {
    key: 'client cancelled or exited',
    match: /^the client process \(pid (\d+)\) either cancelled the connection or exited$/,
    cause: (m) => `client process ${m[1]} cancelled its connection or exited`,
  },
  {
    key: 'failed check-in send',
    match: /^failed send of the check-in message$/,
    cause: () => 'the listener could not send its check-in message to launchd',
  },
  {
    key: 'listener failed to activate',
    match: /^listener failed to activate: xpc_error=\[(-?\d+): ([^\]]*)\]/,
    cause: (m) => listenerCause(Number(m[1]), errorWords(Number(m[1]), m[2])),
  },
];

function findInvalidation(reason: string): { kind: InvalidationKind; m: RegExpExecArray } | null {
  for (const kind of INVALIDATIONS) {
    const m = kind.match.exec(reason);
    if (m) return { kind, m };
  }
  return null;
}

/** The short name an invalidation reason is counted under; an unknown reason is its own name. */
export function invalidationKey(reason: string): string {
  return findInvalidation(reason)?.kind.key ?? reason;
}

function ptrOf(m: RegExpExecArray): { ptr?: string } {
  return m[1] ? { ptr: m[1].toLowerCase() } : {};
}

function readActivation(m: RegExpExecArray): LibxpcLine {
  const name = m[6]!.trim();
  const peerPid = /\.peer\[(\d+)\]/.exec(name)?.[1];
  return {
    kind: 'activation',
    ...ptrOf(m),
    activated: m[2] === 'activated',
    mach: m[3] === 'true',
    listener: m[4] === 'true',
    peer: m[5] === 'true',
    name,
    ...(peerPid ? { peerPid: Number(peerPid) } : {}),
  };
}

function readInvalidated(m: RegExpExecArray): LibxpcLine | null {
  const reason = m[2]!.trim().replace(/^(?:after a |after |because |on )/, '');
  const found = findInvalidation(reason);
  // Without a pointer only the known phrases count: "invalidated …" alone is too common a word.
  if (!found && !m[1]) return null;
  const clientPid = found?.kind.key === 'client cancelled or exited' ? Number(found.m[1]) : undefined;
  return {
    kind: 'invalidated',
    ...ptrOf(m),
    reason,
    cause: found ? found.kind.cause(found.m) : `libxpc invalidated it: ${reason}`,
    ...(clientPid === undefined ? {} : { clientPid }),
  };
}

function readErrno(m: RegExpExecArray, at: number): { errno: number; error: string } {
  const errno = Number(m[at]);
  return { errno, error: errorWords(errno, m[at + 1]) };
}

function readListenerFailed(m: RegExpExecArray): LibxpcLine {
  const { errno, error } = readErrno(m, 3);
  return {
    kind: 'listener-failed',
    ...ptrOf(m),
    errno,
    error,
    reason: m[2]!,
    cause: listenerCause(errno, error),
  };
}

const LIBXPC: readonly [RegExp, (m: RegExpExecArray) => LibxpcLine | null][] = [
  [ACTIVATION, readActivation],
  [LOOKUP_FAILED, (m) => ({ kind: 'lookup-failed', ...ptrOf(m), ...readErrno(m, 2) })],
  [LISTENER_FAILED, readListenerFailed],
  [INVALIDATED, readInvalidated],
  [REINIT, (m) => ({ kind: 'interrupted', ...ptrOf(m) })],
  [OTHER, (m) => ({ kind: 'libxpc', ...ptrOf(m) })],
];

export function recogniseLibxpc(message: string): LibxpcLine | null {
  for (const [re, read] of LIBXPC) {
    const m = re.exec(message);
    if (m) return read(m);
  }
  return null;
}

/** The libxpc or launchd line `message` is, or null for anything else. */
export function recognise(message: string, process: string): XpcLine | null {
  return recogniseLibxpc(message) ?? recogniseLaunchd(message, process);
}
