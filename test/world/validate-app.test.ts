import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index';
import { bumpUnit } from '../../main/world/bump';
import { loadWorld } from '../../main/world/load';
import { appUnit, findApp } from '../../main/world/unit';

/** `validate` and the loader pointed at a built app, or at the folder a build puts it in, with no world.plist. */
const BUILT = join(__dirname, '..', 'fixtures', 'worlds', 'built-binary', 'Applications');
const STATS = join(BUILT, 'Stats.app');

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), out };
  } finally {
    write.mockRestore();
  }
}

describe('a built .app is a world', () => {
  it('loads the app and everything it embeds, named from the folder holding it', () => {
    const { world, diagnostics } = loadWorld(STATS);
    expect(world.name).toBe('Stats');
    expect(world.jobs.map((j) => `${j.type} ${j.label} ${j.path}`)).toEqual([
      'App eu.exelban.Stats Stats.app',
      'XPCService eu.exelban.Stats.SMC Stats.app/Contents/XPCServices/eu.exelban.Stats.SMC.xpc/Contents/Info.plist',
      'SMAppServiceDaemon eu.exelban.Stats.SMC.Helper Stats.app/Contents/Library/LaunchDaemons/eu.exelban.Stats.SMC.Helper.plist',
    ]);
    expect(diagnostics).toEqual([]);
  });

  it('a folder holding built apps (a build products folder) loads them all', () => {
    const { world } = loadWorld(BUILT);
    expect(world.jobs.map((j) => j.label)).toEqual([
      'eu.exelban.Stats',
      'eu.exelban.Stats.SMC',
      'eu.exelban.Stats.SMC.Helper',
    ]);
  });

  it('bumps as a world does: version N+1 of every bundle in the app', () => {
    const { world } = loadWorld(STATS);
    const next = bumpUnit(appUnit(world, findApp(world, 'eu.exelban.Stats')!));
    expect(next.map((j) => j.bundleVersion)).toEqual(['541', '541', '541']);
  });

  it('xpc-lab validate <App.app> prints what it found and exits 0 when nothing is wrong', async () => {
    const { code, out } = await cli(['validate', STATS]);
    expect(code).toBe(0);
    expect(out).toBe('Stats: 3 jobs, 0 diagnostics\n');
  });
});

describe('opening a built app from the console', () => {
  it('a built .app and a folder holding one pass the world check; an empty folder still does not', async () => {
    const { checkWorldFolder, worldName } = await import('../../main/hosts/worlds');
    expect(() => checkWorldFolder(STATS)).not.toThrow();
    expect(() => checkWorldFolder(BUILT)).not.toThrow();
    expect(worldName(STATS)).toBe('Stats');
    expect(() => checkWorldFolder(join(STATS, 'Contents', 'Library'))).toThrow(/is not a world/);
  });
});
