import { describe, expect, it } from 'vitest';
import { csvField, MESSAGE_CSV_COLUMNS, messagesToCsv, redactTrace } from '../../../main/trace/export/csv';
import type { MessageEvent, TraceEvent } from '../../../main/trace/schema';
import { xpcSize } from '../../../main/trace/xpc-value';
import { eventMaker, message, spawn, T0 } from '../event-fixtures';

/** A minimal RFC 4180 reader, so the tests check what a spreadsheet would see rather than our own strings. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

const PAYLOAD = {
  note: 'a, "quoted"\nsecond line',
  count: 42,
  ratio: 0.5,
  ok: true,
  blob: { $xpc: 'data' as const, v: 'c2VjcmV0' },
  list: ['x', 'y'],
};

function events(): TraceEvent[] {
  const ev = eventMaker();
  return [
    ev(spawn(100, 'com.acme.app'), 0),
    ev(message({ id: 1, from: 100, to: 200, key: 'say, "hi"', expectsReply: true, payload: PAYLOAD }), 1.25),
    ev(message({ id: 2, conn: 'p1', from: 200, to: 100, dir: 'reply', replyTo: 1, latencyMs: 2.5 }), 3.75),
  ];
}

describe('csvField', () => {
  it('quotes only fields with commas, quotes or line breaks, doubling inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('one\ntwo')).toBe('"one\ntwo"');
    expect(csvField('one\rtwo')).toBe('"one\rtwo"');
    expect(csvField('')).toBe('');
  });
});

describe('messagesToCsv', () => {
  it('writes a header row and one CRLF-terminated row per message', () => {
    const csv = messagesToCsv(events());
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...MESSAGE_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.slice(0, 10)).toEqual([
      new Date(T0 + 1.25).toISOString(),
      'send',
      'c1',
      '100',
      '200',
      'say, "hi"',
      '10',
      'true',
      '',
      '',
    ]);
    expect(rows[2]!.slice(0, 10)).toEqual([
      new Date(T0 + 3.75).toISOString(),
      'reply',
      'p1',
      '200',
      '100',
      '',
      '10',
      'false',
      '1',
      '2.5',
    ]);
    expect(rows[2]![10]).toBe('');
  });

  it('round-trips a payload with commas, quotes and newlines through the quoting', () => {
    const rows = parseCsv(messagesToCsv(events()));
    expect(JSON.parse(rows[1]![10]!)).toEqual(PAYLOAD);
    expect(rows[1]!.every((field) => typeof field === 'string')).toBe(true);
    expect(rows.every((row) => row.length === MESSAGE_CSV_COLUMNS.length)).toBe(true);
  });

  it('redacts payload values but keeps their types and sizes', () => {
    const rows = parseCsv(messagesToCsv(events(), { redact: true }));
    const redacted = JSON.parse(rows[1]![10]!);
    expect(redacted).toEqual({
      note: `<string, ${xpcSize(PAYLOAD.note)} bytes>`,
      count: '<int64, 2 bytes>',
      ratio: '<double, 3 bytes>',
      ok: '<bool, 4 bytes>',
      blob: `<data, ${xpcSize(PAYLOAD.blob)} bytes>`,
      list: ['<string, 3 bytes>', '<string, 3 bytes>'],
    });
    expect(rows[1]![10]).not.toContain('second line');
    expect(rows[1]![10]).not.toContain('c2VjcmV0');
    // The message's own fields are not secrets and stay as they are.
    expect(rows[1]![5]).toBe('say, "hi"');
  });
});

describe('redactTrace', () => {
  it('replaces message payloads and leaves every other event and field alone', () => {
    const original = events();
    const redacted = redactTrace(original);
    expect(redacted).toHaveLength(original.length);
    expect(redacted[0]).toBe(original[0]);
    expect(redacted[2]).toBe(original[2]);
    const msg = redacted[1] as MessageEvent;
    const { payload, ...rest } = original[1] as MessageEvent;
    expect(msg).toMatchObject(rest);
    expect(msg.payload).toMatchObject({
      count: '<int64, 2 bytes>',
      list: ['<string, 3 bytes>', '<string, 3 bytes>'],
    });
    expect(JSON.stringify(msg)).not.toContain('c2VjcmV0');
    expect(payload).toEqual(PAYLOAD);
  });
});

describe('CSV names and redaction of keys and paths', () => {
  it('names each end by label, with the service, and rounds latency to the microsecond', () => {
    const ev = eventMaker();
    const rows = parseCsv(
      messagesToCsv([
        ev(spawn(100, 'com.acme.app'), 0),
        ev(message({ id: 2, from: 100, to: 200, dir: 'reply', replyTo: 1, latencyMs: 16.895751953125 }), 1),
      ]),
    );
    const at = (name: string) => MESSAGE_CSV_COLUMNS.indexOf(name as (typeof MESSAGE_CSV_COLUMNS)[number]);
    expect(rows[1]![at('latencyMs')]).toBe('16.896');
    expect(rows[1]![at('fromLabel')]).toBe('com.acme.app');
    expect(rows[1]![at('toLabel')]).toBe('');
  });

  it('numbers message keys and cuts absolute paths only when asked', () => {
    const ev = eventMaker();
    const trace = [
      ev(
        {
          ...spawn(100, 'com.acme.app'),
          program: '/Users/jane/Applications/Acme VPN.app/Contents/MacOS/Acme',
        },
        0,
      ),
      ev(message({ id: 1, from: 100, to: 200, key: 'tunnelStatus' }), 1),
      ev(message({ id: 2, from: 100, to: 200, key: 'tunnelStatus' }), 2),
      ev(message({ id: 3, from: 100, to: 200, key: 'routeTable' }), 3),
    ];
    const plain = redactTrace(trace);
    expect(JSON.stringify(plain)).toContain('tunnelStatus');
    expect(JSON.stringify(plain)).toContain('/Users/jane');
    const hidden = redactTrace(trace, { keys: true, paths: true });
    expect(hidden.map((e) => (e.kind === 'message' ? e.key : undefined)).filter(Boolean)).toEqual([
      '<key 1>',
      '<key 1>',
      '<key 2>',
    ]);
    expect(JSON.stringify(hidden)).not.toContain('/Users/jane');
    expect(hidden[0]).toMatchObject({ program: '<path>/Acme' });
  });
});
