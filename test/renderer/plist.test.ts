import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { toPlistXml } from '../../renderer/inspect/plist';

describe('a payload as an XML plist', () => {
  it('maps plist types one to one and reads back with a plist parser', () => {
    const xml = toPlistXml({
      selector: 'tunnelStatus',
      up: true,
      down: false,
      count: 42,
      ratio: 0.5,
      big: { $xpc: 'int64', v: '9007199254740993' },
      whole: { $xpc: 'double', v: 3 },
      blob: { $xpc: 'data', v: 'AAEC' },
      when: { $xpc: 'date', v: '1700000000123456789' },
      list: ['a', 1, []],
      nested: { empty: {}, text: 'a < b & c > d' },
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')).toBe(true);
    const back = parse(xml) as Record<string, unknown>;
    expect(back).toMatchObject({
      selector: 'tunnelStatus',
      up: true,
      down: false,
      count: 42,
      ratio: 0.5,
      whole: 3,
      list: ['a', 1, []],
      nested: { empty: {}, text: 'a < b & c > d' },
    });
    expect(Array.from(back.blob as Uint8Array)).toEqual([0, 1, 2]);
    expect((back.when as Date).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(xml).toContain('<integer>9007199254740993</integer>');
    expect(xml).toContain('<real>3.0</real>');
  });

  it('keeps XPC types that plists lack as tagged dictionaries', () => {
    const xml = toPlistXml({
      id: { $xpc: 'uuid', v: '0F3E1C2A-1111-2222-3333-444455556666' },
      nothing: { $xpc: 'null' },
      region: { $xpc: 'shmem', v: 3, size: 4096 },
      n: { $xpc: 'uint64', v: '18446744073709551615' },
    });
    expect(parse(xml)).toEqual({
      id: { $xpc: 'uuid', v: '0F3E1C2A-1111-2222-3333-444455556666' },
      nothing: { $xpc: 'null' },
      region: { $xpc: 'shmem', v: 3, size: 4096 },
      n: { $xpc: 'uint64', v: '18446744073709551615' },
    });
  });
});
