import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, buildBinary, parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { binaryPlistProblem } from '../../main/world/plist-bounds';
import { type Diagnostic, readPlist } from '../../main/world/plist-file';
import { locateXmlProblem } from '../../main/world/plist-lines';
import { doublingBomb, writeBplist } from '../support/bplist';

function read(bytes: Uint8Array | string, name = 'Library/LaunchDaemons/bomb.plist') {
  const path = join(mkdtempSync(join(tmpdir(), 'xpc-lab-plist-')), 'file.plist');
  writeFileSync(path, bytes);
  const diagnostics: Diagnostic[] = [];
  const value = readPlist(path, diagnostics, name);
  return { value, diagnostics };
}

describe('a binary plist is bounded before it is expanded', () => {
  it('refuses a 300-byte file whose objects double at each level, naming the file, without expanding it', () => {
    const bomb = doublingBomb(40);
    expect(bomb.length).toBeLessThan(400);
    const started = performance.now();
    const { value, diagnostics } = read(bomb);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(value).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'Library/LaunchDaemons/bomb.plist',
        message: expect.stringMatching(
          /^malformed binary plist: its objects refer to each other so often that reading it would make more than 1000000 values$/,
        ),
      }),
    ]);
  });

  it('still reads a file whose objects are shared a little (an expansion within the limits)', () => {
    const { value, diagnostics } = read(
      writeBplist([
        {
          dict: [
            [1, 2],
            [3, 2],
          ],
        },
        { ascii: 'Label' },
        { array: [4, 4, 4] },
        { ascii: 'ProgramArguments' },
        { ascii: 'x' },
      ]),
    );
    expect(diagnostics).toEqual([]);
    expect(value).toEqual({ Label: ['x', 'x', 'x'], ProgramArguments: ['x', 'x', 'x'] });
  });

  it('refuses an array that contains itself', () => {
    const { diagnostics } = read(writeBplist([{ array: [1] }, { array: [0] }]));
    expect(diagnostics[0]?.message).toBe(
      'malformed binary plist: object #1 contains itself (a reference cycle)',
    );
  });

  it('refuses nesting deeper than 128 and a key named __proto__', () => {
    const deep = Array.from({ length: 200 }, (_, i) => ({ array: i === 199 ? [] : [i + 1] }));
    expect(read(writeBplist(deep)).diagnostics[0]?.message).toBe(
      'malformed binary plist: values are nested more than 128 deep',
    );
    const proto = read(
      writeBplist([{ dict: [[1, 2]] }, { ascii: '__proto__' }, { dict: [[3, 3]] }, { ascii: 'polluted' }]),
    );
    expect(proto.diagnostics[0]?.message).toBe(
      'malformed binary plist: object #0 is a dictionary with a key named __proto__, which XPC Lab refuses',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a trailer that claims more objects than the limit, or references past the table', () => {
    expect(binaryPlistProblem(writeBplist([{ ascii: 'a' }], 0, { count: 2 ** 40 }))).toBe(
      `the trailer says the file holds ${2 ** 40} objects; XPC Lab reads at most 200000`,
    );
    expect(binaryPlistProblem(writeBplist([{ array: [7] }]))).toBe(
      'object #0 refers to object #7, but the file holds 1 objects',
    );
  });

  it('reads what the plist package writes, unchanged', () => {
    const job = { Label: 'com.example.job', ProgramArguments: ['/usr/bin/true'], KeepAlive: true, Nice: 5 };
    const bytes = buildBinary(job);
    expect(binaryPlistProblem(bytes)).toBeUndefined();
    expect(read(bytes).value).toEqual(parse(build(job)));
  });
});

describe('finding the line of an XML plist problem is linear', () => {
  it('finds the problem at the end of a 640 KB plist in seconds at worst (a quadratic lookup took 38 s)', () => {
    const entries = Array.from(
      { length: 13_000 },
      (_, i) => `\t<key>Key${i}</key>\n\t<string>value ${i}</string>`,
    );
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n${entries.join('\n')}\n\t<key>Last</key>\n</dict>\n</plist>\n`;
    expect(text.length).toBeGreaterThan(600_000);
    const started = performance.now();
    const problem = locateXmlProblem(text);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(problem).toEqual({ line: 3 + 26_000 + 1, problem: '<key>Last</key> has no value' });
  });

  it('stays linear on tags that never close, comments that never end and deep nesting', () => {
    for (const text of [
      `<plist>${'<a'.repeat(200_000)}`,
      `<plist>${'<!--'.repeat(100_000)}`,
      `<plist>${'<!DOCTYPE'.repeat(50_000)}`,
      `<plist>${'<key'.repeat(100_000)}`,
      `<plist>${'<array>'.repeat(100_000)}`,
    ]) {
      const started = performance.now();
      locateXmlProblem(text);
      expect(performance.now() - started).toBeLessThan(5000);
    }
    expect(locateXmlProblem(`<plist>\n${'<array>'.repeat(200)}`)).toEqual({
      line: 2,
      problem: 'elements are nested more than 128 deep',
    });
    expect(locateXmlProblem('<plist>\n<dict>\n<!-- never closed\n')).toEqual({
      line: 3,
      problem: 'a comment is never closed',
    });
  });
});
