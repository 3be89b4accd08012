/** What escaped every handler: recorded, and the host goes on serving. */
export interface Escape {
  kind: 'exception' | 'rejection';
  error: unknown;
  at: number;
}

export interface ProcessGuard {
  /** Everything recorded since the guard was installed, oldest first (the last 100). */
  readonly escapes: readonly Escape[];
  remove(): void;
}

const KEPT = 100;

/**
 * The last line of defence of a serving host: an exception or a rejection
 * that no handler caught is recorded and reported, and the process keeps
 * serving instead of exiting. Each one is a defect to fix at its cause; the
 * guard only keeps one of them from ending every console's session.
 */
export function installProcessGuard(report: (escaped: Escape) => void): ProcessGuard {
  const escapes: Escape[] = [];
  const record = (kind: Escape['kind']) => (error: unknown) => {
    const escaped = { kind, error, at: Date.now() };
    escapes.push(escaped);
    if (escapes.length > KEPT) escapes.shift();
    try {
      report(escaped);
    } catch {
      // A report that itself fails must not take the process down either.
    }
  };
  const onException = record('exception');
  const onRejection = record('rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    escapes,
    remove() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}

/** One line for stderr: what escaped, and that serving goes on. */
export function describeEscape(escaped: Escape): string {
  const { error } = escaped;
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `an unhandled ${escaped.kind === 'exception' ? 'exception' : 'promise rejection'} was recorded, and the host keeps serving: ${text}`;
}
