import type { NsError, XpcError } from '../trace/schema';

/** POSIX and launchd-private error numbers with launchd's own strings (XPC-MODEL §3.4). */
export const LAUNCHD_ERRORS: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  5: 'Input/output error',
  17: 'File exists',
  22: 'Invalid argument',
  13: 'Permission denied',
  37: 'Operation already in progress',
  63: 'File name too long',
  107: 'Malformed bundle',
  112: 'Could not find specified domain',
  113: 'Could not find specified service',
  119: 'Service is disabled',
  122: 'Path had bad ownership/permissions',
  124: 'Domain is tearing down',
  125: 'Domain does not support specified action',
  129: 'The specified service has been superseded by a later version',
  133: 'Multiple errors were returned',
  134: 'Service cannot load in requested session',
  137: 'Service does not support the specified action',
  140: 'Service name is reserved or invalid',
  141: 'Reentrancy avoided',
  144: 'Requestor lacks required entitlement',
  145: 'Endpoint is hidden',
  146: 'Domain is in on-demand-only mode',
  147: "The specified service did not ship in the requestor's bundle",
  148: 'Service not in service cache',
  150: 'Operation not permitted while System Integrity Protection is engaged',
  154: 'Not a platform binary',
  155: 'Quarantined',
  157: 'Not in system service whitelist',
  158: 'OS variant restriction',
  159: 'Sandbox restriction',
};

/** The highest errno strerror(3) knows on macOS; launchd-private codes above it print "Unknown error: N". */
const ELAST = 106;

export function launchdError(errno: number): string {
  return LAUNCHD_ERRORS[errno] ?? `Unknown error: ${errno}`;
}

/** What os_log's %{errno}d prints: `[N: strerror(N)]` (XPC-MODEL §3.3). */
export function formatErrno(errno: number): string {
  const text = errno > ELAST ? `Unknown error: ${errno}` : launchdError(errno);
  return `[${errno}: ${text}]`;
}

/** The descriptions Darling renders for the XPC error singletons (XPC-MODEL §2). */
export const XPC_ERROR_DESCRIPTIONS: Readonly<Record<XpcError, string>> = {
  XPC_ERROR_CONNECTION_INTERRUPTED: 'Connection interrupted',
  XPC_ERROR_CONNECTION_INVALID: 'Connection invalid',
  XPC_ERROR_TERMINATION_IMMINENT: 'Termination imminent',
  XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT: 'Peer forbidden (code signing)',
};

const HELPER_APP = 'Couldn\u2019t communicate with a helper application.';

/** NSCocoaErrorDomain codes of NSXPCConnection failures (XPC-MODEL §1.5). */
export const NSXPC = { interrupted: 4097, invalid: 4099, codeSigning: 4102 } as const;

export function nsErrorInterrupted(name: string, pid: number): NsError {
  return {
    domain: 'NSCocoaErrorDomain',
    code: NSXPC.interrupted,
    description: HELPER_APP,
    debugDescription: `The connection to service with pid ${pid} named ${name} was interrupted.`,
  };
}

export function nsErrorInvalid(name: string, detail?: { lookupErrno?: number; init?: boolean }): NsError {
  let debugDescription = `The connection to service named ${name} was invalidated.`;
  if (detail?.lookupErrno !== undefined) {
    const prefix = detail.init ? 'Connection init failed at lookup' : 'failed at lookup';
    debugDescription = `The connection to service named ${name} was invalidated: ${prefix} with error ${detail.lookupErrno} - ${launchdError(detail.lookupErrno)}.`;
  }
  return { domain: 'NSCocoaErrorDomain', code: NSXPC.invalid, description: HELPER_APP, debugDescription };
}

export function nsErrorPeerInvalid(clientPid: number): NsError {
  return {
    domain: 'NSCocoaErrorDomain',
    code: NSXPC.invalid,
    description: HELPER_APP,
    debugDescription: `The connection from pid ${clientPid} on anonymousListener or serviceListener was invalidated.`,
  };
}

export function nsErrorCodeSigning(name: string): NsError {
  return {
    domain: 'NSCocoaErrorDomain',
    code: NSXPC.codeSigning,
    description: 'The code signature requirement failed.',
    debugDescription: `The connection to service named ${name} was invalidated: failed to satisfy the code signing requirement.`,
  };
}
