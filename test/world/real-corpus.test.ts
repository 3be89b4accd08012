import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bumpUnit } from '../../main/world/bump';
import { type Diagnostic, loadWorld } from '../../main/world/load';
import type { JobSpec, World } from '../../main/world/model';
import { appUnit, findApp } from '../../main/world/unit';

/**
 * Worlds made of plists copied byte for byte from public macOS projects
 * (test/fixtures/real/worlds/<name>/, each file with a .source note, each world
 * with a world.note.md saying which files were written for XPC Lab). Each
 * world loads every bundle and job it holds, with no error, and exactly the
 * findings listed here.
 */
const CORPUS = join(__dirname, '..', 'fixtures', 'real', 'worlds');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function load(name: string): { world: World; diagnostics: Diagnostic[] } {
  return loadWorld(join(CORPUS, name));
}

/** A finding as `severity file key`, enough to tell each one apart. */
function found(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.severity} ${d.file ?? '-'} ${d.key ?? '-'}`).sort();
}

function jobs(world: World): string[] {
  return world.jobs.map((j) => `${j.type} ${j.label}`).sort();
}

function jobOf(world: World, label: string): JobSpec {
  const job = world.jobs.find((j) => j.label === label);
  if (!job) throw new Error(`no job ${label}`);
  return job;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const APP_INFO = 'Applications/Coder Desktop.app/Contents/Info.plist';
const VPN_INFO =
  'Applications/Coder Desktop.app/Contents/Library/SystemExtensions/com.coder.Coder-Desktop.VPN.systemextension/Contents/Info.plist';

describe('the corpus itself', () => {
  const worlds = readdirSync(CORPUS).sort();

  it('holds at least eight worlds, each with its note', () => {
    expect(worlds.length).toBeGreaterThanOrEqual(8);
    for (const world of worlds) expect(existsSync(join(CORPUS, world, 'world.note.md')), world).toBe(true);
  });

  it('every file not written for XPC Lab has a .source note naming its repository, path and commit', () => {
    for (const file of filesUnder(CORPUS)) {
      if (/\.(source|note\.md)$/.test(file) || file.endsWith('world.plist')) continue;
      const note = `${file}.source`;
      expect(existsSync(note), relative(CORPUS, file)).toBe(true);
    }
  });

  it('loads every world with no error, and nothing reaches the terminal', () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    const consoleError = vi.spyOn(console, 'error');
    const consoleWarn = vi.spyOn(console, 'warn');
    for (const world of worlds) {
      const { diagnostics } = load(world);
      expect(
        diagnostics.filter((d) => d.severity === 'error'),
        world,
      ).toEqual([]);
    }
    expect(stderr).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
    expect(consoleWarn).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });
});

describe('coder-desktop: GENERATE_INFOPLIST_FILE and a versioned NEMachServiceName (XPC-MODEL §10.1)', () => {
  const { world, diagnostics } = load('coder-desktop');

  it('keeps the app, its system extension and the helper daemon though the source Info.plists have no CFBundleIdentifier', () => {
    expect(jobs(world)).toEqual([
      'App com.coder.Coder-Desktop',
      'LaunchDaemon com.coder.Coder-Desktop.Helper',
      'SystemExtension com.coder.Coder-Desktop.VPN',
    ]);
    expect(found(diagnostics)).toEqual([
      `info ${APP_INFO} CFBundleIdentifier`,
      `info ${APP_INFO} CommitHash`,
      `info ${VPN_INFO} CFBundleIdentifier`,
    ]);
    expect(diagnostics.find((d) => d.file === VPN_INFO)?.message).toContain('GENERATE_INFOPLIST_FILE');
  });

  it('derives the service name from the team and version world.plist gives, with no team-prefix error', () => {
    expect(jobOf(world, 'com.coder.Coder-Desktop.VPN').machServices.map((s) => s.name)).toEqual([
      '4399GN35BJ.com.coder.Coder-Desktop.VPN.1',
    ]);
  });

  it('a world.plist that only sets build settings leaves each job answering on its names', () => {
    expect(jobOf(world, 'com.coder.Coder-Desktop.Helper').behaviours).toEqual([
      { kind: 'reply', delayMs: 0 },
    ]);
    expect(jobOf(world, 'com.coder.Coder-Desktop.VPN').behaviours).toEqual([{ kind: 'reply', delayMs: 0 }]);
  });

  it('a bump derives the next name from the next version; the helper running inside the app goes with it', () => {
    const unit = appUnit(world, findApp(world, 'com.coder.Coder-Desktop')!);
    expect(unit.map((j) => j.label).sort()).toEqual([
      'com.coder.Coder-Desktop',
      'com.coder.Coder-Desktop.Helper',
      'com.coder.Coder-Desktop.VPN',
    ]);
    const next = bumpUnit(unit);
    expect(next.find((j) => j.type === 'SystemExtension')?.machServices[0]?.name).toBe(
      '4399GN35BJ.com.coder.Coder-Desktop.VPN.2',
    );
  });

  it('without world.plist: every bundle still loads; $(TeamIdentifierPrefix) is reported once per file and key, never as a wrong prefix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-coder-'));
    temps.push(dir);
    cpSync(join(CORPUS, 'coder-desktop'), dir, { recursive: true });
    rmSync(join(dir, 'world.plist'));
    const bare = loadWorld(dir);
    expect(jobs(bare.world)).toEqual([
      'App Coder-Desktop',
      'LaunchDaemon com.coder.Coder-Desktop.Helper',
      'SystemExtension com.coder.Coder-Desktop.VPN',
    ]);
    const ne = bare.diagnostics.filter((d) => d.key === 'NetworkExtension.NEMachServiceName');
    expect(ne.map((d) => [d.severity, d.file])).toEqual([
      ['warning', APP_INFO],
      ['warning', VPN_INFO],
    ]);
    expect(ne[1]?.message).toBe(
      '$(TeamIdentifierPrefix), $(CURRENT_PROJECT_VERSION) are not resolved: add TeamIdentifierPrefix, CURRENT_PROJECT_VERSION to buildSettings in world.plist',
    );
    expect(bare.diagnostics.some((d) => d.message.includes('not prefixed by the team ID'))).toBe(false);
    expect(bare.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('lulu: an Xcode template source tree, team from the project settings', () => {
  const { world, diagnostics } = load('lulu');

  it('names the filter extension by its team-prefixed name and finds no error', () => {
    expect(jobs(world)).toEqual([
      'App com.objective-see.lulu.app',
      'SystemExtension com.objective-see.lulu.extension',
    ]);
    const ext = jobOf(world, 'com.objective-see.lulu.extension');
    expect(ext.machServices.map((s) => s.name)).toEqual(['VBG97UB4TA.com.objective-see.lulu']);
    expect(ext.signing.teamId).toBe('VBG97UB4TA');
    expect(ext.sandbox.appGroups).toEqual(['VBG97UB4TA.com.objective-see.lulu']);
    expect(ext).toMatchObject({ bundleVersion: '4.5.1', shortVersion: '4.5.1' });
    expect(found(diagnostics)).toEqual([
      'info Applications/LuLu.app/Contents/Info.plist LSMinimumSystemVersion',
      'info Applications/LuLu.app/Contents/Library/SystemExtensions/com.objective-see.lulu.extension.systemextension/Contents/Info.plist LSMinimumSystemVersion',
    ]);
  });
});

describe('lokinet: a team written out in the name, known from the entitlements', () => {
  const { world, diagnostics } = load('lokinet');

  it('takes the team from the entitlements, so the team-prefixed name is no error; CMake placeholders are named', () => {
    const ext = jobOf(world, 'org.lokinet.network-extension');
    expect(ext.signing.teamId).toBe('SUQ8J2PCT7');
    expect(ext.teamSource).toBe('the entitlements');
    expect(ext.machServices.map((s) => s.name)).toEqual(['SUQ8J2PCT7.org.lokinet.network-extension']);
    expect(ext.bundleVersion).toBeUndefined();
    const ext_info =
      'Applications/Lokinet.app/Contents/Library/SystemExtensions/org.lokinet.network-extension.systemextension/Contents/Info.plist';
    expect(found(diagnostics)).toEqual([
      'info Applications/Lokinet.app/Contents/Info.plist CFBundleShortVersionString',
      'info Applications/Lokinet.app/Contents/Info.plist CFBundleVersion',
      `info ${ext_info} CFBundleShortVersionString`,
      `info ${ext_info} CFBundleVersion`,
    ]);
    expect(diagnostics[1]?.message).toContain('@lokinet_VERSION@, @LOKINET_APPLE_BUILD@');
  });
});

describe('wireguard: versions from .xcconfig files, an app extension, a developer file absent', () => {
  const { world, diagnostics } = load('wireguard');

  it('reads VERSION_NAME and VERSION_ID through Config.xcconfig, loads the login item, names the app extension', () => {
    expect(jobs(world)).toEqual(['App WireGuard', 'App WireGuardLoginItemHelper']);
    expect(jobOf(world, 'WireGuard')).toMatchObject({ shortVersion: '1.0.16', bundleVersion: '27' });
    expect(jobOf(world, 'WireGuardLoginItemHelper').bundledIn).toBe('WireGuard');
    const appex = diagnostics.find((d) => d.file?.endsWith('.appex'));
    expect(appex?.message).toContain('com.apple.networkextension.packet-tunnel');
    const include = diagnostics.find((d) => d.file === 'Config/Config.xcconfig');
    expect(include).toMatchObject({ severity: 'info', line: 2 });
    expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });
});

describe('tailscaled: the daemon plist with a blank line before <?xml', () => {
  const { world, diagnostics } = load('tailscaled');

  it('is loaded as launchd loads it, with a note, not called malformed', () => {
    expect(jobOf(world, 'com.tailscale.tailscaled')).toMatchObject({
      type: 'LaunchDaemon',
      program: '/usr/local/bin/tailscaled',
      runAtLoad: true,
    });
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'info',
        file: 'Library/LaunchDaemons/com.tailscale.tailscaled.plist',
        line: 1,
      }),
    ]);
  });
});

describe('stats: an SMAppService daemon in the SMJobBless place, and a login item', () => {
  const { world, diagnostics } = load('stats');

  it('runs the helper from inside the app with the app versions, and loads the login item', () => {
    expect(jobs(world)).toEqual([
      'App LaunchAtLogin',
      'App eu.exelban.Stats',
      'SMAppServiceDaemon eu.exelban.Stats.SMC.Helper',
    ]);
    expect(jobOf(world, 'eu.exelban.Stats.SMC.Helper')).toMatchObject({
      program: '/Applications/Stats.app/Contents/Library/LaunchServices/eu.exelban.Stats.SMC.Helper',
      bundleVersion: '833',
      bundledIn: 'eu.exelban.Stats',
      associatedBundleIds: ['eu.exelban.Stats'],
      machServices: [expect.objectContaining({ name: 'eu.exelban.Stats.SMC.Helper' })],
    });
    expect(jobOf(world, 'eu.exelban.Stats').sandbox.appGroups).toEqual([
      'RP2S87B72W.eu.exelban.Stats.widgets',
    ]);
    expect(found(diagnostics)).toEqual([
      'info Applications/Stats.app/Contents/Info.plist CFBundleShortVersionString',
      'info Applications/Stats.app/Contents/Info.plist LSMinimumSystemVersion',
      'info Applications/Stats.app/Contents/Library/LoginItems/LaunchAtLogin.app/Contents/Info.plist CFBundleIdentifier',
      'info Applications/Stats.app/Contents/Library/LoginItems/LaunchAtLogin.app/Contents/Info.plist LSMinimumSystemVersion',
    ]);
  });
});

describe('homebrew-services and mdnsresponder: bare launchd plists', () => {
  it('Homebrew agents load clean, a label that differs from its file name included', () => {
    const { world, diagnostics } = load('homebrew-services');
    expect(jobs(world)).toEqual([
      'LaunchAgent homebrew.mxcl.memcached',
      'LaunchAgent homebrew.mxcl.mongodb',
      'LaunchAgent homebrew.mxcl.postgresql@14',
      'LaunchAgent homebrew.mxcl.redis',
    ]);
    expect(jobOf(world, 'homebrew.mxcl.redis')).toMatchObject({
      runAtLoad: true,
      keepAlive: { always: true },
    });
    expect(diagnostics).toEqual([]);
  });

  it("Apple's mDNSResponder daemons load clean and answer on their Mach services", () => {
    const { world, diagnostics } = load('mdnsresponder');
    expect(jobOf(world, 'com.apple.mDNSResponder.reloaded').machServices.map((s) => s.name)).toEqual([
      'com.apple.dnssd.service',
      'com.apple.mDNSResponder.control',
      'com.apple.mDNSResponder.log_utility',
    ]);
    expect(jobOf(world, 'com.apple.mDNSResponder.reloaded').enablePressuredExit).toBeUndefined();
    expect(diagnostics).toEqual([]);
  });
});
