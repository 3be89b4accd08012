import type { NsError, XpcError } from '../trace/schema';
import { Errno } from './errno';

/** POSIX and launchd-private error numbers with launchd's own strings (XPC-MODEL §3.4). */
export const LAUNCHD_ERRORS: Readonly<Record<number, string>> = {
  [Errno.EPERM]: 'Operation not permitted',
  [Errno.ENOENT]: 'No such file or directory',
  [Errno.ESRCH]: 'No such process',
  [Errno.EIO]: 'Input/output error',
  [Errno.EEXIST]: 'File exists',
  [Errno.EINVAL]: 'Invalid argument',
  [Errno.EACCES]: 'Permission denied',
  [Errno.EALREADY]: 'Operation already in progress',
  [Errno.ENAMETOOLONG]: 'File name too long',
  [Errno.malformedBundle]: 'Malformed bundle',
  [Errno.domainNotFound]: 'Could not find specified domain',
  [Errno.serviceNotFound]: 'Could not find specified service',
  [Errno.serviceDisabled]: 'Service is disabled',
  [Errno.badOwnership]: 'Path had bad ownership/permissions',
  [Errno.domainTearingDown]: 'Domain is tearing down',
  [Errno.domainActionUnsupported]: 'Domain does not support specified action',
  [Errno.superseded]: 'The specified service has been superseded by a later version',
  [Errno.multipleErrors]: 'Multiple errors were returned',
  [Errno.wrongSession]: 'Service cannot load in requested session',
  [Errno.serviceActionUnsupported]: 'Service does not support the specified action',
  [Errno.reservedName]: 'Service name is reserved or invalid',
  [Errno.reentrancyAvoided]: 'Reentrancy avoided',
  [Errno.lacksEntitlement]: 'Requestor lacks required entitlement',
  [Errno.endpointHidden]: 'Endpoint is hidden',
  [Errno.onDemandOnly]: 'Domain is in on-demand-only mode',
  [Errno.notInBundle]: "The specified service did not ship in the requestor's bundle",
  [Errno.notInServiceCache]: 'Service not in service cache',
  [Errno.systemIntegrityProtection]: 'Operation not permitted while System Integrity Protection is engaged',
  [Errno.notPlatformBinary]: 'Not a platform binary',
  [Errno.quarantined]: 'Quarantined',
  [Errno.notWhitelisted]: 'Not in system service whitelist',
  [Errno.osVariantRestriction]: 'OS variant restriction',
  [Errno.sandboxRestriction]: 'Sandbox restriction',
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
