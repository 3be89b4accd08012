import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../main/world/plist-file';
import { readXcconfig, worldXcconfig } from '../../main/world/xcconfig';

/** .xcconfig files written here for the test, in the forms Xcode documents. */
const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-xcconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.xcconfig build settings', () => {
  it('reads assignments, follows #include, prefers the macOS conditional, and keeps URLs whole', () => {
    writeFileSync(
      join(dir, 'Base.xcconfig'),
      'MARKETING_VERSION = 2.1 // the shipped version\nTEAM_NOTE = x\n',
    );
    writeFileSync(
      join(dir, 'App.xcconfig'),
      [
        '#include "Base.xcconfig"',
        '#include? "Local.xcconfig"',
        'DEVELOPMENT_TEAM = ',
        'DEVELOPMENT_TEAM[sdk=macosx*] = ABCDE12345',
        'DEVELOPMENT_TEAM[sdk=iphoneos*] = IOSTEAM123',
        'SU_FEED = https://example.com/appcast.xml',
        'OTHER_FLAGS = $(inherited) -DX',
        '',
      ].join('\n'),
    );
    const diagnostics: Diagnostic[] = [];
    expect(readXcconfig(join(dir, 'App.xcconfig'), dir, diagnostics)).toEqual({
      MARKETING_VERSION: '2.1',
      TEAM_NOTE: 'x',
      DEVELOPMENT_TEAM: 'ABCDE12345',
      SU_FEED: 'https://example.com/appcast.xml',
      OTHER_FLAGS: '-DX',
    });
    expect(diagnostics).toEqual([]);
  });

  it('a missing #include is an info finding with its line; a file another includes is read through it', () => {
    writeFileSync(join(dir, 'Top.xcconfig'), '// header\n#include "Missing.xcconfig"\nA = 1\n');
    const diagnostics: Diagnostic[] = [];
    const settings = worldXcconfig(dir, diagnostics);
    expect(settings).toMatchObject({ A: '1', DEVELOPMENT_TEAM: 'ABCDE12345' });
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'info', file: 'Top.xcconfig', line: 2 }),
    ]);
  });
});
