import { spawn as spawnChild } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readTrace } from '../../main/trace/reader';
import {
  defaultSessionPath,
  type RecorderError,
  type RecorderFile,
  TraceRecorder,
} from '../../main/trace/recorder';
import { type TraceEvent, TraceEventSchema, TraceHeaderSchema } from '../../main/trace/schema';
import { eventMaker, message } from './event-fixtures';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'xpc-lab-recorder-'));
}

function actions(count: number): TraceEvent[] {
  const ev = eventMaker();
  return Array.from({ length: count }, (_, i) =>
    ev({ kind: 'action', action: 'tick', detail: `event ${i}` }),
  );
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** An in-memory file with positional writes; `plan` scripts how each write call behaves. */
class MemoryFile implements RecorderFile {
  data = Buffer.alloc(0);
  plan: ('ok' | 'half' | 'ENOSPC')[] = [];
  always: 'ok' | 'ENOSPC' = 'ok';
  closed = false;

  async write(buffer: Uint8Array, offset: number, length: number, position: number) {
    const step = this.plan.shift() ?? this.always;
    if (step === 'ENOSPC') throw fsError('ENOSPC');
    const n = step === 'half' ? Math.max(1, Math.floor(length / 2)) : length;
    const end = Math.max(this.data.length, position + n);
    const next = Buffer.alloc(end);
    this.data.copy(next);
    Buffer.from(buffer.subarray(offset, offset + n)).copy(next, position);
    this.data = next;
    return { bytesWritten: n };
  }

  async truncate(length: number) {
    this.data = this.data.subarray(0, length);
  }

  async close() {
    this.closed = true;
  }

  text(): string {
    return this.data.toString('utf8');
  }
}

const recorders: TraceRecorder[] = [];

function recorder(opts: ConstructorParameters<typeof TraceRecorder>[0]): TraceRecorder {
  const r = new TraceRecorder(opts);
  recorders.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

describe('TraceRecorder', () => {
  it('writes a header line and then one event per line', async () => {
    const path = join(tempDir(), 'trace.ndjson');
    const rec = recorder({ path, header: { host: 'cli', world: 'demo' } });
    const events = actions(3);
    rec.append(events);
    await rec.close();

    const [headerLine, ...eventLines] = lines(path);
    const header = TraceHeaderSchema.parse(JSON.parse(headerLine!));
    expect(header).toMatchObject({ format: 'xpc-lab-trace', v: 1, host: 'cli', world: 'demo' });
    expect(Number.isNaN(Date.parse(header.created))).toBe(false);
    expect(eventLines.map((l) => JSON.parse(l))).toEqual(events);
    expect(rec.eventsWritten).toBe(3);
    expect(rec.bytesWritten).toBe(readFileSync(path).length);
    expect(rec.state).toBe('closed');
  });

  it('makes appended events visible within the flush interval without an explicit flush', async () => {
    const path = join(tempDir(), 'trace.ndjson');
    const rec = recorder({ path, header: { host: 'headless' }, flushIntervalMs: 50 });
    const started = Date.now();
    rec.append(actions(5));
    await vi.waitFor(() => expect(lines(path)).toHaveLength(6), { timeout: 1000, interval: 5 });
    // Generous against a loaded CI machine, yet far below anything that would not count as "the interval".
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('writes at once when a batch passes the size threshold', async () => {
    const path = join(tempDir(), 'trace.ndjson');
    const rec = recorder({ path, header: { host: 'cli' }, flushIntervalMs: 60_000, maxBatchBytes: 500 });
    rec.append(actions(20));
    await vi.waitFor(() => expect(lines(path)).toHaveLength(21), { timeout: 1000, interval: 5 });
  });

  it('keeps appends in order across many flushes', async () => {
    const path = join(tempDir(), 'trace.ndjson');
    const rec = recorder({ path, header: { host: 'cli' }, flushIntervalMs: 1, maxBatchBytes: 200 });
    const events = actions(300);
    for (let i = 0; i < events.length; i += 7) {
      rec.append(events.slice(i, i + 7));
      if (i % 70 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await rec.close();
    expect(
      lines(path)
        .slice(1)
        .map((l) => JSON.parse(l).seq),
    ).toEqual(events.map((e) => e.seq));
  });

  it('leaves a readable file with everything flushed when its process is killed with SIGKILL', async () => {
    const dir = tempDir();
    await build({
      entryPoints: [fileURLToPath(new URL('../../main/trace/recorder.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'recorder.mjs'),
      logLevel: 'silent',
    });
    writeFileSync(
      join(dir, 'child.mjs'),
      `import { TraceRecorder } from './recorder.mjs';
const rec = new TraceRecorder({ path: process.argv[2], header: { host: 'cli' }, flushIntervalMs: 20,
  onError: (e) => process.stderr.write(JSON.stringify(e) + '\\n') });
let seq = 0;
const ev = () => ({ v: 1, seq: seq++, t: Date.now(), kind: 'action', action: 'tick', detail: 'x'.repeat(seq % 300) });
rec.append(Array.from({ length: 500 }, ev));
await rec.flush();
process.stdout.write('flushed ' + (seq - 1) + '\\n');
setInterval(() => rec.append(Array.from({ length: 50 }, ev)), 1);
`,
    );
    const path = join(dir, 'killed.ndjson');
    const child = spawnChild(process.execPath, [join(dir, 'child.mjs'), path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const flushedSeq = await new Promise<number>((res, rej) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        const m = /flushed (\d+)\n/.exec(out);
        if (m) res(Number(m[1]));
      });
      child.on('exit', (code) => rej(new Error(`child exited early (${code}): ${stderr}`)));
    });
    // Let several timer flushes happen so the kill lands while the recorder is busy.
    await new Promise((r) => setTimeout(r, 150));
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(stderr).toBe('');

    const text = readFileSync(path, 'utf8');
    const complete = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .slice(0, -1);
    expect(TraceHeaderSchema.safeParse(JSON.parse(complete[0]!)).success).toBe(true);
    const seqs = complete.slice(1).map((l) => TraceEventSchema.parse(JSON.parse(l)).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(seqs.length).toBeGreaterThan(flushedSeq + 1);

    const read = await readTrace(path);
    expect(read.events.length).toBe(seqs.length);
    expect(read.problems.every((p) => /incomplete/.test(p.message))).toBe(true);
  }, 30_000);

  it('reports a path under a regular file (ENOTDIR) to onError without throwing', async () => {
    const dir = tempDir();
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a folder');
    const errors: RecorderError[] = [];
    const path = join(file, 'x.ndjson');
    const rec = recorder({ path, header: { host: 'cli' }, onError: (e) => errors.push(e) });
    expect(() => rec.append(actions(3))).not.toThrow();
    await rec.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ENOTDIR', path });
    expect(errors[0]!.message).toContain('part of the path is a file, not a folder');
    expect(rec.state).toBe('stopped');
    expect(rec.failed).toEqual(errors[0]);
    expect(() => rec.append(actions(2))).not.toThrow();
    await expect(rec.close()).resolves.toBeUndefined();
    expect(rec.droppedEvents).toBe(5);
    expect(rec.eventsWritten).toBe(0);
  });

  it('reports a missing folder and never overwrites an existing trace', async () => {
    const dir = tempDir();
    const missing: RecorderError[] = [];
    const rec = recorder({
      path: join(dir, 'nope', 'x.ndjson'),
      header: { host: 'cli' },
      onError: (e) => missing.push(e),
    });
    await rec.flush();
    expect(missing.map((e) => e.code)).toEqual(['ENOENT']);

    const existing = join(dir, 'existing.ndjson');
    writeFileSync(existing, 'keep me\n');
    const clash: RecorderError[] = [];
    const again = recorder({ path: existing, header: { host: 'cli' }, onError: (e) => clash.push(e) });
    again.append(actions(1));
    await again.close();
    expect(clash.map((e) => e.code)).toEqual(['EEXIST']);
    expect(readFileSync(existing, 'utf8')).toBe('keep me\n');
  });

  it('survives an onError handler that throws', async () => {
    const dir = tempDir();
    const rec = recorder({
      path: join(dir, 'nope', 'x.ndjson'),
      header: { host: 'cli' },
      onError: () => {
        throw new Error('handler bug');
      },
    });
    await expect(rec.flush()).resolves.toBeUndefined();
    expect(rec.failed?.code).toBe('ENOENT');
  });

  it('holds events while the disk is full and writes them once it has room', async () => {
    const file = new MemoryFile();
    file.plan = ['ok', 'ENOSPC', 'ENOSPC'];
    const errors: RecorderError[] = [];
    const rec = recorder({
      path: '/virtual/full.ndjson',
      header: { host: 'cli' },
      flushIntervalMs: 60_000,
      openFile: async () => file,
      onError: (e) => errors.push(e),
    });
    await rec.flush();
    const events = actions(4);
    rec.append(events);
    await rec.flush();
    expect(rec.state).toBe('retrying');
    expect(rec.failed?.code).toBe('ENOSPC');
    await rec.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/disk is full/);
    await rec.flush();
    expect(rec.state).toBe('recording');
    expect(rec.failed).toBeNull();
    expect(
      file
        .text()
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l)),
    ).toEqual(events);
  });

  it('drops and counts events beyond the backlog limit instead of growing without bound', async () => {
    const file = new MemoryFile();
    file.always = 'ENOSPC';
    const errors: RecorderError[] = [];
    const rec = recorder({
      path: '/virtual/full.ndjson',
      header: { host: 'cli' },
      flushIntervalMs: 60_000,
      maxBufferedBytes: 4096,
      openFile: async () => file,
      onError: (e) => errors.push(e),
    });
    await rec.flush();
    rec.append(actions(1000));
    expect(rec.droppedEvents).toBeGreaterThan(900);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/dropped and counted/);
    await rec.close();
    expect(rec.eventsWritten + rec.droppedEvents).toBe(1000);
    expect(file.closed).toBe(true);
  });

  it('never leaves half a line behind after a short write', async () => {
    const file = new MemoryFile();
    const rec = recorder({
      path: '/virtual/short.ndjson',
      header: { host: 'cli' },
      flushIntervalMs: 60_000,
      openFile: async () => file,
    });
    await rec.flush();
    const ev = eventMaker();
    rec.append([ev(message({ id: 1, from: 10, to: 20 }))]);
    await rec.flush();

    // Half a batch lands, then the disk fills: the retry must overwrite the fragment, not follow it.
    file.plan = ['half', 'ENOSPC'];
    rec.append([ev(message({ id: 2, from: 10, to: 20 }))]);
    await rec.flush();
    await rec.flush();
    expect(
      file
        .text()
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).id),
    ).toEqual([undefined, 1, 2]);

    // If the disk never recovers, close cuts the fragment off.
    file.plan = ['half'];
    file.always = 'ENOSPC';
    rec.append([ev(message({ id: 3, from: 10, to: 20 }))]);
    await rec.close();
    expect(file.text().endsWith('\n')).toBe(true);
    expect(file.text().split('\n')).toHaveLength(4);
    expect(rec.droppedEvents).toBe(1);
  });

  it('drops appends after close', async () => {
    const path = join(tempDir(), 'trace.ndjson');
    const rec = recorder({ path, header: { host: 'cli' } });
    await rec.close();
    rec.append(actions(2));
    expect(rec.droppedEvents).toBe(2);
    expect(lines(path)).toHaveLength(1);
  });
});

describe('defaultSessionPath', () => {
  it('names the file by the UTC time with file-system-safe separators', () => {
    const now = new Date(Date.UTC(2026, 10, 23, 12, 1, 2, 345));
    expect(defaultSessionPath('/traces', now)).toBe('/traces/session-2026-11-23T12-01-02.ndjson');
  });
});
