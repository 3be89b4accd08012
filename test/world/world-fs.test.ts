import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorld, WorldLoadError } from '../../main/world/load';
import { filesUnder, memoryFs } from '../../main/world/world-fs';

const ASSETS = join(__dirname, '..', '..', 'assets', 'worlds');

describe('a world held in memory', () => {
  it('loads as the same world, with the same diagnostics, as the folder it was read from', () => {
    for (const name of ['pebble-notes', 'acme-vpn', 'northwind-guard']) {
      const onDisk = loadWorld(join(ASSETS, name));
      const root = `/memory/${name}`;
      const inMemory = loadWorld(root, { fs: memoryFs(root, filesUnder(join(ASSETS, name))) });
      expect(inMemory.world.jobs.length).toBeGreaterThan(0);
      const shown = (w: typeof onDisk.world, from: string) =>
        JSON.parse(JSON.stringify(w.jobs).replaceAll(from, '<root>'));
      expect(shown(inMemory.world, root)).toEqual(shown(onDisk.world, join(ASSETS, name)));
      expect(inMemory.diagnostics).toEqual(onDisk.diagnostics);
    }
  });

  it('reports a changed file in memory as it would on disk: the file named, the line given', () => {
    const root = '/memory/pebble';
    const files = filesUnder(join(ASSETS, 'pebble-notes'));
    files['world.plist'] = Buffer.from('<plist><dict><key>name</key></dict>');
    const { diagnostics } = loadWorld(root, { fs: memoryFs(root, files) });
    expect(diagnostics[0]).toMatchObject({ severity: 'error', file: 'world.plist' });
    expect(diagnostics[0]?.message).toMatch(/XML/);
  });

  it('refuses a folder that is not there, and a file given as the world', () => {
    const fs = memoryFs('/memory/w', { 'world.plist': '<plist><dict/></plist>' });
    expect(() => loadWorld('/memory/other', { fs })).toThrow(WorldLoadError);
    expect(() => loadWorld('/memory/w/world.plist', { fs })).toThrow(/not a world folder/);
  });
});
