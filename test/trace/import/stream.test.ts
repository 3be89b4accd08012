import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLog, LogImporter, UnknownLogFormatError } from '../../../main/trace/import';
import { importLogFile, LogReadError } from '../../../main/trace/import/file';
import type { TraceEvent } from '../../../main/trace/schema';
import { fixture, fixtureNames, ofKind } from './fixtures';

function writeLog(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'xpc-lab-import-')), name);
  writeFileSync(path, text);
  return path;
}

/** Everything an import reports but its source: a file and the same text in memory name it differently. */
async function importFile(path: string, options: Parameters<typeof importLogFile>[2] = {}) {
  const events: TraceEvent[] = [];
  const { source: _, ...stats } = await importLogFile(path, (e) => events.push(e), options);
  return { ...stats, events };
}

function importWhole(text: string, date?: string) {
  const { source: _, ...result } = importLog(text, date ? { date } : {});
  return { ...result, eventCount: result.events.length };
}

const row = (time: string, pid: number, process: string, message: string) =>
  `2025-08-09 10:11:${time}-0400 0x115ddb   Default     0x0                  ${pid}  0    ${process}: (libxpc.dylib) [com.apple.xpc:connection] ${message}`;

/** Multi-byte characters in process names and messages, where a chunk boundary can fall inside one. */
const UNICODE_LOG = [
  'Timestamp                       Thread     Type        Activity             PID    TTL  ',
  row(
    '55.521570',
    100,
    'Café Ünïcode',
    '[0x1] activating connection: mach=true listener=false peer=false name=com.exämple.svc',
  ),
  row('55.600000', 100, 'Café Ünïcode', '[0x1] invalidated after a failed init'),
  row(
    '56.000000',
    200,
    '日本語アプリ 🎉',
    '[0x2] activating connection: mach=true listener=true peer=false name=com.example.😀',
  ),
  row(
    '56.100000',
    200,
    '日本語アプリ 🎉',
    '[0x2] activated connection: mach=true listener=true peer=false name=com.example.😀',
  ),
].join('\n');

/** Strings with braces, brackets, quotes and escapes: a record splitter must not count them as structure. */
const TRICKY_JSON = `[
  {"timestamp": "2025-07-27 15:47:10.504100-0400", "eventType": "logEvent", "messageType": "Default",
   "processImagePath": "/Applications/Ex \\"ample\\" {1}.app/Contents/MacOS/Ex]ample", "processID": 4242,
   "subsystem": "com.apple.xpc", "category": "connection", "userID": 501,
   "eventMessage": "[0x600002a6c000] activating connection: mach=true listener=false peer=false name=com.example.\\\\}]{["},
  {"timestamp": "2025-07-27 15:47:10.504200-0400", "eventType": "activityCreateEvent", "eventMessage": "é ] } \\" ["},
  {"timestamp": "2025-07-27 15:47:10.504300-0400", "eventType": "logEvent", "messageType": "Error",
   "processImagePath": "/usr/libexec/ünï", "processID": 4243, "subsystem": "com.apple.xpc", "category": "connection",
   "eventMessage": "[0x600000ef7570] invalidated after a failed init", "backtrace": {"frames": [{"imageOffset": 1}, []]}}
]
`;

describe('streaming import: a log split anywhere gives the same events', () => {
  const texts: [string, string][] = [
    ...fixtureNames().map((name): [string, string] => [name, fixture(name)]),
    ['unicode.default.log', UNICODE_LOG],
    ['tricky.json', TRICKY_JSON],
  ];

  // Two large pieces: the format is decided across them. Every boundary is covered by the 1-byte chunks below.
  it.each(texts)('%s: split into two pieces at a thousand places', (_name, text) => {
    const whole = importLog(text, { date: '2025-03-01' });
    expect(whole.events.length).toBeGreaterThan(0);
    const step = Math.max(1, Math.floor(text.length / 1000));
    for (let at = 0; at <= text.length; at += step) {
      const events: TraceEvent[] = [];
      const importer = new LogImporter((e) => events.push(e), { date: '2025-03-01' });
      importer.push(text.slice(0, at));
      importer.push(text.slice(at));
      const stats = importer.end();
      expect(events).toEqual(whole.events);
      expect(stats).toMatchObject({
        format: whole.format,
        linesRead: whole.linesRead,
        linesUsed: whole.linesUsed,
        warnings: whole.warnings,
        eventCount: whole.events.length,
      });
    }
  });

  it.each(texts)('%s: read from a file in chunks of 1, 2, 3, 5 and 64 bytes', async (name, text) => {
    const path = writeLog(name, text);
    const whole = importWhole(text, '2025-03-01');
    for (const chunkBytes of [1, 2, 3, 5, 64]) {
      expect(await importFile(path, { chunkBytes, date: '2025-03-01' })).toEqual(whole);
    }
  });

  it('multi-byte characters split by 1-byte chunks come out whole', async () => {
    const { events } = await importFile(writeLog('unicode.log', UNICODE_LOG), { chunkBytes: 1 });
    const logs = ofKind(events, 'log');
    expect(logs.map((l) => l.process)).toEqual([
      'Café Ünïcode',
      'Café Ünïcode',
      '日本語アプリ 🎉',
      '日本語アプリ 🎉',
    ]);
    expect(ofKind(events, 'connection.state').at(-1)).toMatchObject({
      name: 'com.example.😀',
      to: 'connected',
    });
  });

  it('a json record with braces, brackets and escaped quotes in its strings is one record', () => {
    const result = importLog(TRICKY_JSON);
    expect(result).toMatchObject({ format: 'json', linesRead: 3, linesUsed: 2, warnings: [] });
    expect(ofKind(result.events, 'log').map((l) => [l.process, l.pid])).toEqual([
      ['Ex]ample', 4242],
      ['ünï', 4243],
    ]);
    expect(ofKind(result.events, 'connection.state')[0]?.name).toBe('com.example.\\}]{[');
  });
});

describe('importLogFile', () => {
  it('reports progress in bytes, rising to the file size', async () => {
    const text = fixture('lookup-159.json');
    const path = writeLog('lookup-159.json', text);
    const size = statSync(path).size;
    const progress: [number, number][] = [];
    await importLogFile(path, () => {}, {
      chunkBytes: 512,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress[0]).toEqual([0, size]);
    expect(progress.at(-1)).toEqual([size, size]);
    expect(progress.length).toBeGreaterThan(size / 512);
    const done = progress.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('hands events on while the file is still being read and keeps none of them', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) =>
      row(
        `${String(10 + Math.floor(i / 100)).padStart(2, '0')}.${String(i % 100).padStart(6, '0')}`,
        100 + (i % 7),
        'App',
        `[0x${(i % 50).toString(16)}] activating connection: mach=true listener=false peer=false name=com.example.svc`,
      ),
    );
    const path = writeLog('many.log', lines.join('\n'));
    const seen: string[] = [];
    let seq = 0;
    const stats = await importLogFile(
      path,
      (e) => {
        expect(e.seq).toBe(seq++);
        if (seen.at(-1) !== 'event') seen.push('event');
      },
      { chunkBytes: 16 * 1024, onProgress: () => seen.push('progress') },
    );
    expect(seen.indexOf('event')).toBeLessThan(seen.lastIndexOf('progress'));
    expect(seen.filter((s) => s === 'event').length).toBeGreaterThan(2);
    expect(stats.eventCount).toBe(seq);
    expect(stats).not.toHaveProperty('events');
    expect(stats).toMatchObject({ format: 'default', linesRead: 2000, linesUsed: 2000 });
  });

  it('a truncated json array warns and keeps the records before the cut, wherever the cut falls', async () => {
    const text = fixture('lookup-159.json');
    const lastStart = text.lastIndexOf('\n  {');
    const lastEnd = text.lastIndexOf('}');
    const previousEnd = text.lastIndexOf('}', lastStart);
    const all = importLog(text);
    const allButLast = importLog(`${text.slice(0, previousEnd + 1)}\n]`);
    const cuts: [number, typeof all][] = [
      [lastStart + 1, allButLast],
      [lastStart + 40, allButLast],
      [lastEnd - 1, allButLast],
      [lastEnd + 1, all],
    ];
    for (const [cut, expected] of cuts) {
      const { events, linesRead, warnings } = await importFile(writeLog('cut.json', text.slice(0, cut)), {
        chunkBytes: 7,
      });
      expect(events).toEqual(expected.events);
      expect(linesRead).toBe(expected.linesRead);
      expect(warnings).toContainEqual({
        line: expected.linesRead,
        message: 'the JSON array is cut short: read up to its last complete record',
      });
    }
    expect(allButLast.events.length).toBeGreaterThan(0);
  });

  it('a record that is not valid JSON is named and skipped; the records around it are read', async () => {
    const good = (pid: number) =>
      JSON.stringify({
        timestamp: '2025-07-27 15:47:10.504100-0400',
        processImagePath: '/bin/App',
        processID: pid,
        eventMessage: `[0x${pid}] activating connection: mach=true listener=false peer=false name=a`,
      });
    const text = `[\n${good(1)},\n{"timestamp": 2025-07-27},\n${good(2)}\n]\n`;
    const { events, linesRead, warnings } = await importFile(writeLog('bad.json', text));
    expect(linesRead).toBe(3);
    expect(ofKind(events, 'connection.state').map((e) => e.pid)).toEqual([1, 2]);
    expect(warnings).toEqual([
      { line: 2, message: expect.stringMatching(/^record 2 \(text line 3\) is not valid JSON/) },
    ]);
  });

  it('a file with no XPC line gets UnknownLogFormatError naming the file', async () => {
    const path = writeLog('notes.txt', 'just some words\nand some more\n');
    const error = await importLogFile(path, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownLogFormatError);
    expect(
      (error as Error).message.startsWith(`${path}: none of its 2 lines is a libxpc or launchd line`),
    ).toBe(true);
  });

  it('a file that cannot be read gets LogReadError naming it and saying why', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'xpc-lab-import-')), 'missing.log');
    const error = await importLogFile(path, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogReadError);
    expect((error as Error).message).toBe(`cannot read log ${path}: the folder or file does not exist`);
  });

  it('an error thrown by onEvent is the caller’s own, not a read error', async () => {
    const path = writeLog('one.log', UNICODE_LOG);
    const boom = new Error('disk full');
    await expect(
      importLogFile(path, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('a failed look-up reported by both sides', () => {
  const launchd = (time: string, pid: number) =>
    `2026-10-06 00:30:${time} Df launchd[1:2f3] (gui/501 [100023]) <Warning>: denied lookup: name = com.example.svc, requestor = App[${pid}], error = 159: Sandbox restriction`;
  const libxpc = (time: string, pid: number, message: string) =>
    `2026-10-06 00:30:${time} Df App[${pid}:a4e001] [com.apple.xpc:connection] ${message}`;
  const failed = '[0x600002a6c000] failed to do a bootstrap look-up: xpc_error=[159: Unknown error: 159]';
  const activating =
    '[0x7] activating connection: mach=true listener=false peer=false name=com.example.other';

  it('is one lookup, handed on only once complete, with the events after it still in order', () => {
    const text = [
      libxpc('17.000', 53926, failed),
      libxpc('17.400', 53926, activating),
      launchd('17.900', 53926),
      libxpc('18.000', 53926, '[0x600002a6c000] invalidated after a failed init'),
    ].join('\n');
    const received: TraceEvent[] = [];
    const importer = new LogImporter((e) => received.push(structuredClone(e)));
    importer.push(text);
    importer.end();
    expect(received.map((e) => e.seq)).toEqual(received.map((_, i) => i));
    const lookups = ofKind(received, 'lookup');
    expect(lookups).toEqual([
      expect.objectContaining({
        conn: '0x600002a6c000@53926',
        name: 'com.example.svc',
        domain: 'gui/501',
        errno: 159,
      }),
    ]);
  });

  it('more than a second apart in log time, the two reports are two lookups', () => {
    const text = [
      libxpc('17.000', 53926, failed),
      libxpc('18.500', 53926, activating),
      launchd('18.600', 53926),
    ].join('\n');
    expect(ofKind(importLog(text).events, 'lookup').map((e) => e.name)).toEqual([
      '<unknown>',
      'com.example.svc',
    ]);
  });
});
