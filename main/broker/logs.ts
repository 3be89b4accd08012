import { formatErrno, launchdError } from './errors';

/**
 * The libxpc and launchd log lines of XPC-MODEL §7.2, §4.2 and §3.5, word for
 * word. Each function returns the message text; the broker wraps it in a `log`
 * event with the subsystem and process that would have logged it.
 */
export const libxpc = {
  activating: (p: string, f: { mach: boolean; listener: boolean; peer: boolean; name: string }) =>
    `[${p}] activating connection: mach=${f.mach} listener=${f.listener} peer=${f.peer} name=${f.name}`,
  lookupFailed: (p: string, errno: number) =>
    `[${p}] failed to do a bootstrap look-up: xpc_error=${formatErrno(errno)}`,
  failedInit: (p: string) => `[${p}] invalidated after a failed init`,
  failedReconnect: (p: string) => `[${p}] invalidated after a failed reconnect`,
  cancelled: (p: string) =>
    `[${p}] invalidated because the current process cancelled the connection by calling xpc_connection_cancel()`,
  clientGone: (p: string, pid: number) =>
    `[${p}] invalidated because the client process (pid ${pid}) either cancelled the connection or exited`,
  reinitialized: (p: string) =>
    `[${p}] Re-initialization successful; calling out to event handler with XPC_ERROR_CONNECTION_INTERRUPTED`,
  listenerFailed: (p: string, errno: number) =>
    `[${p}] listener failed to activate: xpc_error=${formatErrno(errno)}`,
  forbiddenMessage: (p: string, req: string) =>
    `[${p}] Received message forbidden due to code signing requirement: ${req}`,
  droppedCheckIn: (p: string, req: string) =>
    `[${p}] Dropping check-in message due to code signing requirement: ${req}`,
  listenerMessage: () => 'Normal message received by listener connection. Ignoring.',
};

/** The invalidation reasons xpc_connection_copy_invalidation_reason() would return (XPC-MODEL §1.2 rule 6). */
export const invalidationReason = {
  failedInit: 'failed init',
  failedReconnect: 'failed reconnect',
  cancelled: 'the current process cancelled the connection by calling xpc_connection_cancel()',
  clientGone: (pid: number) => `the client process (pid ${pid}) either cancelled the connection or exited`,
  listenerGone: 'the listener the endpoint came from crashed, exited or cancelled',
  malformed: (detail: string) => `a malformed message: ${detail}`,
  codeSigning: 'the peer failed the code signing requirement',
  unbound: 'the service name is bound to an instance that no longer runs',
} as const;

/** `(domain/label [pid])` — launchd's prefix for a service's lines (XPC-MODEL §7.1). */
export function launchdPrefix(domain: string, label: string, pid?: number): string {
  return pid === undefined ? `(${domain}/${label})` : `(${domain}/${label} [${pid}])`;
}

/**
 * [I] The audit session id of the simulated GUI login. XPC-MODEL §10.3 quotes `(gui/501 [100005])`; a world
 * has one login session, so one number stands for it.
 */
export const GUI_AUDIT_SESSION = 100005;

/**
 * launchd's prefix for a domain's own lines (XPC-MODEL §3.5, §10.3): a gui domain carries its audit session,
 * `(gui/501 [100005])`; `(system)` and `(user/501)` do not.
 */
export function domainPrefix(domain: string): string {
  return domain.startsWith('gui/') ? `(${domain} [${GUI_AUDIT_SESSION}])` : `(${domain})`;
}

/** launchd's lines for one job (XPC-MODEL §4.2, §10.3); the spawn order is that of launchd.log (gitea#21860). */
export const launchd = {
  willSpawn: () => 'internal event: WILL_SPAWN, code = 0',
  event: (name: 'SPAWNED' | 'SOURCE_ATTACH' | 'INIT') => `internal event: ${name}, code = 0`,
  state: (s: string) => `service state: ${s}`,
  launching: (reason: string) => `launching: ${reason}`,
  spawned: (pid: number) => `xpcproxy spawned with pid ${pid}`,
  success: (program: string, pid: number, reason: string) =>
    `Successfully spawned ${program}[${pid}] because ${reason}`,
  exitedCode: (code: number, ms: number) => `exited due to exit(${code}), ran for ${ms}ms`,
  exitedSignal: (signal: string, ms: number, sender?: string) =>
    `exited due to ${signal}${sender ? ` | sent by ${sender}` : ''}, ran for ${ms}ms`,
  crashedInARow: (n: number) => `service has crashed ${n} times in a row (last was dirty)`,
  throttled: (seconds: number, ranFor: number) =>
    `Service only ran for ${ranFor} seconds. Pushing respawn out by ${seconds} seconds.`,
  deniedLookup: (name: string, requestor: string, pid: number, errno: number) =>
    `denied lookup: name = ${name}, requestor = ${requestor}[${pid}], error = ${errno}: ${launchdError(errno)}`,
  failedLookup: (name: string, requestor: string, pid: number, errno: number) =>
    `failed lookup: name = ${name}, requestor = ${requestor}[${pid}], error = ${errno}: ${launchdError(errno)}`,
};

/** What `launchctl bootstrap|bootout|enable|disable` prints (XPC-MODEL §4.4). */
export const launchctl = {
  bootstrapFailed: (errno: number) => `Bootstrap failed: ${errno}: ${launchdError(errno)}`,
  bootoutFailed: (errno: number) => `Boot-out failed: ${errno}: ${launchdError(errno)}`,
};

/** AppleMobileFileIntegrity's lines for a restricted entitlement without a matching profile (XPC-MODEL §10.7, seed 002). */
export const amfi = {
  unsatisfied: (keys: string[]) => `Unsatisfied entitlements: ${keys.join(', ')}`,
  noProfile: () =>
    'Soft-restriction provisioning profile validation failure: Error Domain=AppleMobileFileIntegrityError Code=-413 "No matching profile found"',
};

/**
 * [I] The line seed 002 shows for a listener's process run from Terminal (XPC-MODEL §10.7); the second audit
 * user id, 262, is the seed's.
 */
export function unequalIdentities(program: string, uid: number, pid: number): string {
  return `Two equal instances have unequal identities. <anon<${program}>(${uid}) pid=${pid} AUID=${uid}> and <anon<${program}>(${uid})(262) pid=${pid} AUID=262>`;
}

/** Code-signing lines of XPC-MODEL §1.5 and §7.3. */
export const codeSigning = {
  checkToken: (req: string, status: number) =>
    `xpc_support_check_token: ${req} error: Error Domain=NSOSStatusErrorDomain Code=${status} "(null)" status: ${status}`,
  forbiddenReply: (p: string, req: string) =>
    `[${p}] Reply message forbidden due to code signing requirement: ${req}`,
};

/**
 * [I] ServiceManagement's lines for SMAppService (XPC-MODEL §4.6): the NSError
 * as Foundation prints it, and the status as the `SMAppService.Status` case.
 */
export const smd = {
  failed: (op: 'register' | 'unregister', label: string, domain: string, code: number, message: string) =>
    `SMAppService ${op}(${label}) failed: Error Domain=${domain} Code=${code} "${message}"`,
  status: (label: string, status: string) => `SMAppService(${label}).status = .${status}`,
};
