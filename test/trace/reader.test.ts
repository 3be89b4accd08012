import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTraceText } from '../../main/trace/parse';
import { readTrace, streamTrace, TraceReadError } from '../../main/trace/reader';
import type { TraceEvent } from '../../main/trace/schema';
import { eventMaker, message, spawn } from './event-fixtures';

const HEADER = {
  format: 'xpc-lab-trace',
  v: 1,
  created: '2026-11-23T12:00:00.000Z',
  host: 'cli',
  world: 'demo',
};

function sampleEvents(): TraceEvent[] {
  const ev = eventMaker();
  return [
    ev(spawn(100, 'com.acme.app')),
    ev(spawn(200, 'com.acme.helper')),
    ev(message({ id: 1, from: 100, to: 200, key: 'ping', payload: { text: 'héllo, wörld 🎉' } })),
    ev(message({ id: 2, from: 200, to: 100, dir: 'reply', replyTo: 1, latencyMs: 2.5 })),
  ];
}

function ndjson(...lines: unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
}

function writeTrace(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'xpc-lab-reader-')), 'trace.ndjson');
  writeFileSync(path, text);
  return path;
}

describe('readTrace', () => {
  it('reads the header and every event of a clean trace, reporting progress up to the file size', async () => {
    const events = sampleEvents();
    const path = writeTrace(`${ndjson(HEADER, ...events)}\n`);
    const progress: [number, number][] = [];
    const seen: TraceEvent[] = [];
    const result = await readTrace(path, {
      chunkBytes: 64,
      onProgress: (read, total) => progress.push([read, total]),
      onEvent: (e) => seen.push(e),
    });
    expect(result.header).toEqual(HEADER);
    expect(result.events).toEqual(events);
    expect(seen).toEqual(events);
    expect(result.problems).toEqual([]);

    const size = statSync(path).size;
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toEqual([size, size]);
    const reads = progress.map(([read]) => read);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
  });

  it('keeps multi-byte characters whole when a chunk boundary splits them', async () => {
    const events = sampleEvents();
    const path = writeTrace(`${ndjson(HEADER, ...events)}\n`);
    for (const chunkBytes of [1, 3, 7]) {
      const result = await readTrace(path, { chunkBytes });
      expect(result.events).toEqual(events);
    }
  });

  it('names a newer schema version on line 1 and still loads the events it can read', async () => {
    const [a, b] = sampleEvents();
    const newerKind = { v: 3, seq: 9, t: 1, kind: 'quantum.entangle', pid: 1 };
    const path = writeTrace(
      ndjson({ ...HEADER, v: 3 }, { ...a, v: 3, futureField: true }, newerKind, { ...b, v: 3 }),
    );
    const result = await readTrace(path);
    expect(result.header?.v).toBe(3);
    expect(result.problems[0]).toEqual({
      line: 1,
      message:
        'line 1: this trace uses schema version 3; XPC Lab reads up to version 1 — events it cannot read are skipped',
    });
    expect(result.events.map((e) => e.seq)).toEqual([a!.seq, b!.seq]);
    expect(result.events[0]).not.toHaveProperty('futureField');
    expect(result.problems[1]).toMatchObject({ line: 3 });
    expect(result.problems[1]!.message).toMatch(/1 event of schema version 3 .* skipped/);
  });

  it('reports a truncated last line as cut off and loads everything before it', async () => {
    const events = sampleEvents();
    const full = ndjson(HEADER, ...events);
    const path = writeTrace(full.slice(0, full.length - 12));
    const result = await readTrace(path);
    expect(result.events).toEqual(events.slice(0, -1));
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.line).toBe(5);
    expect(result.problems[0]!.message).toMatch(
      /^line 5: the last line is incomplete \(the recording was probably cut off\)/,
    );
  });

  it('reports a corrupt middle line by number and what is wrong, and loads the rest', async () => {
    const events = sampleEvents();
    const badJson = '{"v":1,"seq":7,"kind":"message",';
    const badShape = { ...events[2], size: -4, dir: 'sideways' };
    const unknownKind = { v: 1, seq: 8, t: 1, kind: 'teleport' };
    const path = writeTrace(
      `${ndjson(HEADER, events[0], badJson, events[1], badShape, unknownKind, events[3])}\n`,
    );
    const result = await readTrace(path);
    expect(result.events).toEqual([events[0], events[1], events[3]]);
    expect(result.problems.map((p) => p.line)).toEqual([3, 5, 6]);
    expect(result.problems[0]!.message).toMatch(/^line 3: not valid JSON: /);
    expect(result.problems[1]!.message).toBe(
      'line 5: message event: "dir" should be one of "send", "reply", "event", not "sideways"; "size" must be at least 0 (found -4)',
    );
    expect(result.problems[2]!.message).toBe('line 6: unknown event kind "teleport"');
  });

  it('explains a missing field and a value of the wrong type in plain words', () => {
    const [a] = sampleEvents();
    const { label: _label, ...noLabel } = a as Extract<TraceEvent, { kind: 'process.spawn' }>;
    const result = parseTraceText(ndjson(HEADER, noLabel, { ...a, pid: 'two hundred' }, 42));
    expect(result.problems.map((p) => p.message)).toEqual([
      'line 2: process.spawn event: "label" is missing (expected string)',
      'line 3: process.spawn event: "pid" should be a number, not a string',
      'line 4: expected an event object, found a number',
    ]);
  });

  it('notes a file without a header, and an empty file', async () => {
    const [a] = sampleEvents();
    const noHeader = await readTrace(writeTrace(`${JSON.stringify(a)}\n`));
    expect(noHeader.header).toBeNull();
    expect(noHeader.events).toEqual([a]);
    expect(noHeader.problems[0]!.message).toBe('line 1: no trace header; reading the lines as events anyway');

    const progress: [number, number][] = [];
    const empty = await readTrace(writeTrace(''), { onProgress: (r, t) => progress.push([r, t]) });
    expect(empty.problems).toEqual([{ line: 1, message: 'line 1: the file is empty' }]);
    expect(progress.at(-1)).toEqual([0, 0]);
  });

  it('caps the problem list for a file that is not a trace at all', () => {
    const garbage = Array.from({ length: 1000 }, (_, i) => `garbage ${i}`).join('\n');
    const result = parseTraceText(garbage);
    expect(result.problems).toHaveLength(201);
    expect(result.problems.at(-1)!.message).toBe('line 201: 800 more problems from here on are not listed');
  });

  it('rejects with a plain-words error when the file cannot be opened', async () => {
    const missing = join(tmpdir(), 'xpc-lab-no-such-dir', 'trace.ndjson');
    await expect(readTrace(missing)).rejects.toBeInstanceOf(TraceReadError);
    await expect(readTrace(missing)).rejects.toThrow(
      /cannot read trace .*: the folder or file does not exist/,
    );
  });
});

describe('streamTrace', () => {
  it('hands events over one by one without collecting them', async () => {
    const events = sampleEvents();
    const path = writeTrace(`${ndjson(HEADER, ...events, '{oops')}\n`);
    const seqs: number[] = [];
    const result = await streamTrace(path, (e) => seqs.push(e.seq));
    expect(seqs).toEqual(events.map((e) => e.seq));
    expect(result).toMatchObject({ header: HEADER, eventCount: 4, bytesRead: statSync(path).size });
    expect(result).not.toHaveProperty('events');
    expect(result.problems.map((p) => p.line)).toEqual([6]);
  });
});

describe('parseTraceText', () => {
  it('gives the same result as reading the same text from a file', async () => {
    const events = sampleEvents();
    const text = `\uFEFF${ndjson({ ...HEADER, v: 2 }, events[0], '{"broken":', events[1])}\r\n${JSON.stringify(events[2]).slice(0, 30)}`;
    const fromFile = await readTrace(writeTrace(text), { chunkBytes: 16 });
    const fromText = parseTraceText(text);
    expect(fromText).toEqual(fromFile);
    expect(fromText.events).toEqual([events[0], events[1]]);
    expect(fromText.problems.map((p) => p.line)).toEqual([1, 3, 5]);
  });
});
