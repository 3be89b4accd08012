import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLog, UnknownLogFormatError } from '../../../main/trace/import';
import { followFile, importLogStream } from '../../../main/trace/import/live';
import type { TraceEvent } from '../../../main/trace/schema';

const REAL = join(import.meta.dirname, '../../fixtures/real/logs');

describe('a log read as it arrives', () => {
  it('a stream in byte pieces that split characters and lines gives the events of the whole file, as they arrive', async () => {
    const text = readFileSync(join(REAL, 'shadowsocksx-ng-r-62.osx1011-console.log'));
    const seen: TraceEvent[] = [];
    const countsAfterPiece: number[] = [];
    async function* pieces() {
      for (let at = 0; at < text.length; at += 7) {
        yield new Uint8Array(text.subarray(at, at + 7));
        countsAfterPiece.push(seen.length);
      }
    }
    const stats = await importLogStream(pieces(), (e) => seen.push(e));
    expect(seen).toEqual(importLog(text.toString('utf8')).events);
    expect(stats.linesUsed).toBe(4);
    // Events were handed on while the stream was still being read, not only at its end.
    expect(countsAfterPiece.some((n, i) => n > 0 && i < countsAfterPiece.length - 1)).toBe(true);
  });

  it('a stream that ends with no XPC line is refused like a file', async () => {
    async function* words() {
      yield 'shopping list\n';
    }
    await expect(importLogStream(words(), () => {})).rejects.toBeInstanceOf(UnknownLogFormatError);
  });

  it('--follow reads a growing file from its start, then what is appended, until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-follow-'));
    const path = join(dir, 'system.log');
    const lines = readFileSync(join(REAL, 'spoofmac-75.system.log'), 'utf8').split(/(?<=\n)/);
    writeFileSync(path, lines.slice(0, 2).join(''));
    const stop = new AbortController();
    const exits: TraceEvent[] = [];
    const done = importLogStream(
      followFile(path, { signal: stop.signal, pollMs: 20 }),
      (e) => {
        if (e.kind === 'process.exit') exits.push(e);
      },
      { signal: stop.signal },
    );
    await expect.poll(() => exits.length).toBe(2);
    appendFileSync(path, lines.slice(2).join(''));
    await expect.poll(() => exits.length).toBe(5);
    stop.abort();
    expect((await done).linesUsed).toBe(5);
  });
});
