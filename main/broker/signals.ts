/**
 * The signals a process dies of when it crashed rather than when someone sent them: the exception handler raises
 * them (`exited due to SIGSEGV | sent by exc handler[339]`, XPC-MODEL §4.2). The live broker and the log importer
 * tell a crash from a kill by this one set.
 */
export const CRASH_SIGNALS: ReadonlySet<string> = new Set([
  'SIGSEGV',
  'SIGBUS',
  'SIGILL',
  'SIGABRT',
  'SIGFPE',
  'SIGTRAP',
  'SIGSYS',
]);

export function isCrashSignal(signal: string | null | undefined): boolean {
  return signal != null && CRASH_SIGNALS.has(signal);
}
