/** Redraws at most this often, so progress costs nothing next to the work. */
const REDRAW_MS = 100;

export interface Progress {
  /** Shows `text` in place of the previous progress line. */
  update(text: string): void;
  /** Clears the line, leaving the terminal as it was. */
  done(): void;
}

const QUIET: Progress = { update() {}, done() {} };

/**
 * One progress line on stderr, redrawn in place, only when stderr is a
 * terminal: piped or redirected output (CI, `2> file`) gets none of it.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return QUIET;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (shown && now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      const width = stream.columns ? stream.columns - 1 : 79;
      stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

const MB = 1024 * 1024;

/** "reading customer.log: 12.0 of 40.0 MB (30%)". */
export function bytesProgress(what: string, done: number, total: number): string {
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${what}: ${(done / MB).toFixed(1)} of ${(total / MB).toFixed(1)} MB (${pct}%)`;
}
