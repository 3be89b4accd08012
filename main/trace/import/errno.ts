import { LAUNCHD_ERRORS } from '../../broker/errors';

/**
 * launchd's strings for the error numbers a lookup or check-in can fail with
 * (XPC-MODEL §3.4, verbatim). libxpc prints codes above ELAST as
 * "Unknown error: N" (§3.3), so an imported lookup failure takes its words
 * from this table, not from the log line.
 */
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
