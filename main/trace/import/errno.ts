/**
 * launchd's strings for the error numbers a lookup or check-in can fail with
 * (XPC-MODEL §3.4, verbatim). libxpc prints codes above ELAST as
 * "Unknown error: N" (§3.3), so an imported lookup failure takes its words
 * from this table, not from the log line.
 */
const LAUNCHD_ERRORS: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  3: 'No such process',
  5: 'Input/output error',
  17: 'File exists',
  22: 'Invalid argument',
  37: 'Operation already in progress',
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

/** The table's words for `errno`, else what the line said (unless that is only "Unknown error: N"). */
export function errorWords(errno: number, said?: string): string {
  const known = LAUNCHD_ERRORS[errno];
  if (known) return known;
  if (said && !/^Unknown error/.test(said)) return said;
  return `Unknown error: ${errno}`;
}

const SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGBUS',
  11: 'SIGSEGV',
  12: 'SIGSYS',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  30: 'SIGUSR1',
  31: 'SIGUSR2',
};

/** macOS signal numbers, for the syslog-era "Service exited due to signal: Killed: 9" (XPC-MODEL §7.3). */
export function signalName(n: number): string {
  return SIGNALS[n] ?? `signal ${n}`;
}
