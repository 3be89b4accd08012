import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, buildBinary } from 'plist';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorld, WorldLoadError } from '../../main/world/load';
import type { JobSpec, World } from '../../main/world/model';

const FIXTURES = join(__dirname, '..', 'fixtures', 'worlds');
const ASSETS = join(__dirname, '..', '..', 'assets', 'worlds');

function jobOf(world: World, label: string): JobSpec {
  const job = world.jobs.find((j) => j.label === label);
  if (!job) throw new Error(`no job ${label}; jobs: ${world.jobs.map((j) => j.label).join(', ')}`);
  return job;
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A world written file by file into a temporary folder. */
function tempWorld(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'xpc-lab-world-'));
  temps.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('the demo VPN world (assets/worlds/acme-vpn)', () => {
  const { world, diagnostics } = loadWorld(join(ASSETS, 'acme-vpn'));

  it('loads clean', () => {
    expect(diagnostics).toEqual([]);
    expect(world.jobs.map((j) => j.label).sort()).toEqual(
      [
        'com.acme.vpn',
        'com.acme.vpn.agent',
        'com.acme.vpn.helper',
        'com.acme.vpn.logparser',
        'com.acme.vpn.tunnel',
      ].sort(),
    );
  });

  it('substitutes $(TeamIdentifierPrefix) in NEMachServiceName and knows the extension for what it is', () => {
    const tunnel = jobOf(world, 'com.acme.vpn.tunnel');
    expect(tunnel.machServices).toEqual([
      { name: 'ABCDE12345.com.acme.vpn.tunnel', hideUntilCheckIn: false, origin: 'NEMachServiceName' },
    ]);
    expect(tunnel).toMatchObject({
      type: 'SystemExtension',
      bundledIn: 'com.acme.vpn',
      sysext: { category: 'network_extension', name: 'AcmeTunnel' },
    });
  });

  it('resolves BundleProgram relative to the app bundle and gives bundled jobs the app\u2019s version', () => {
    expect(jobOf(world, 'com.acme.vpn.helper')).toMatchObject({
      type: 'SMAppServiceDaemon',
      program: '/Applications/Acme VPN.app/Contents/MacOS/AcmeVPNHelper',
      bundledIn: 'com.acme.vpn',
      associatedBundleIds: ['com.acme.vpn'],
      bundleVersion: '240',
    });
    expect(jobOf(world, 'com.acme.vpn.agent')).toMatchObject({
      type: 'LaunchAgent',
      domainKind: 'gui',
      shortVersion: '2.4.0',
    });
    expect(jobOf(world, 'com.acme.vpn.logparser')).toMatchObject({
      type: 'XPCService',
      domainKind: 'pid',
      ownerLabel: 'com.acme.vpn',
    });
  });

  it('reads the world\u2019s initial state', () => {
    expect(world.state).toMatchObject({ vpnConnected: true, developerMode: false });
  });
});

describe('a source tree as Xcode keeps it (fixtures/worlds/xcode-source)', () => {
  const { world, diagnostics } = loadWorld(join(FIXTURES, 'xcode-source'));
  const APP = 'com.example.apple-samplecode.SimpleFirewall';

  it('derives PRODUCT_BUNDLE_IDENTIFIER from the bundle\u2019s path in world.plist, and EXECUTABLE_NAME from its folder', () => {
    expect(jobOf(world, APP)).toMatchObject({
      program: '/Applications/SimpleFirewall.app/Contents/MacOS/SimpleFirewall',
      shortVersion: '1.0',
      bundleVersion: '1',
    });
  });

  it('derives a reverse-DNS bundle folder\u2019s identifier from its name', () => {
    const ext = jobOf(world, `${APP}.SimpleFirewallExtension`);
    expect(ext.machServices[0]?.name).toBe(`ABCDE12345.${APP}.SimpleFirewallExtension`);
    expect(ext.program).toMatch(
      /MacOS\/com\.example\.apple-samplecode\.SimpleFirewall\.SimpleFirewallExtension$/,
    );
    expect(jobOf(world, `${APP}.Helper`).type).toBe('XPCService');
  });

  it('reports a setting it cannot derive, and guesses nothing; a key XPC Lab does not use is only noted', () => {
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'info',
        file: 'Applications/SimpleFirewall.app/Contents/Info.plist',
        key: 'LSMinimumSystemVersion',
        message: expect.stringContaining('$(MACOSX_DEPLOYMENT_TARGET) is not resolved'),
      }),
    ]);
  });

  it('reads entitlements from a .entitlements plist beside the bundle: sandbox and app groups', () => {
    expect(jobOf(world, APP).sandbox).toMatchObject({ enabled: true, appGroups: [`ABCDE12345.${APP}`] });
  });
});

describe('built bundles with binary plists (fixtures/worlds/built-binary)', () => {
  const { world, diagnostics } = loadWorld(join(FIXTURES, 'built-binary'));

  it('reads binary Info.plists and a binary launchd plist', () => {
    expect(diagnostics).toEqual([]);
    expect(jobOf(world, 'eu.exelban.Stats')).toMatchObject({
      program: '/Applications/Stats.app/Contents/MacOS/Stats',
      bundleVersion: '540',
    });
    expect(jobOf(world, 'eu.exelban.Stats.SMC.Helper')).toMatchObject({
      type: 'SMAppServiceDaemon',
      program: '/Applications/Stats.app/Contents/Library/LaunchServices/eu.exelban.Stats.SMC.Helper',
      associatedBundleIds: ['eu.exelban.Stats'],
    });
  });

  it('without a world.plist: uid 501, the folder\u2019s name, and every job with Mach services answers on them', () => {
    expect(world).toMatchObject({ name: 'built-binary', uid: 501 });
    expect(jobOf(world, 'eu.exelban.Stats.SMC').behaviours).toEqual([{ kind: 'reply', delayMs: 0 }]);
    expect(jobOf(world, 'eu.exelban.Stats').behaviours).toEqual([]);
  });
});

describe('launchd plists as installers write them', () => {
  it('an SMJobBless helper in /Library/LaunchDaemons runs the blessed copy in PrivilegedHelperTools', () => {
    const { world, diagnostics } = loadWorld(join(FIXTURES, 'smjobbless'));
    expect(diagnostics).toEqual([]);
    expect(jobOf(world, 'com.apple.bsd.SMJobBlessHelper')).toMatchObject({
      type: 'LaunchDaemon',
      domainKind: 'system',
      program: '/Library/PrivilegedHelperTools/com.apple.bsd.SMJobBlessHelper',
    });
  });

  it('a folder of bare plists loads with defaults', () => {
    const { world, diagnostics } = loadWorld(join(FIXTURES, 'bare'));
    expect(diagnostics).toEqual([]);
    expect(jobOf(world, 'homebrew.mxcl.redis')).toMatchObject({
      keepAlive: { always: true },
      runAtLoad: true,
      program: '/opt/homebrew/opt/redis/bin/redis-server',
    });
    expect(jobOf(world, 'com.example.vmnetd').machServices).toEqual([
      { name: 'com.example.vmnetd', hideUntilCheckIn: true, origin: 'MachServices' },
    ]);
  });
});

describe('plists in any encoding', () => {
  const agent = {
    Label: 'com.example.agent',
    ProgramArguments: ['/usr/local/bin/agent'],
    MachServices: { 'com.example.agent': true },
  };

  it('a binary plist built with buildBinary loads like its XML twin', () => {
    const xml = loadWorld(tempWorld({ 'Library/LaunchAgents/com.example.agent.plist': build(agent) })).world
      .jobs;
    const bin = loadWorld(tempWorld({ 'Library/LaunchAgents/com.example.agent.plist': buildBinary(agent) }))
      .world.jobs;
    expect(bin).toEqual(xml);
    expect(bin[0]).toMatchObject({ label: 'com.example.agent', domainKind: 'gui' });
  });

  it('a malformed XML plist is a diagnostic with its line, and the rest of the world loads', () => {
    const broken = build(agent).replace(
      '<key>MachServices</key>',
      '<key>MachServices</key>\n<key>Oops</key>',
    );
    const root = tempWorld({
      'Library/LaunchAgents/broken.plist': broken,
      'Library/LaunchDaemons/ok.plist': build({ ...agent, Label: 'com.example.ok' }),
    });
    const { world, diagnostics } = loadWorld(root);
    expect(world.jobs.map((j) => j.label)).toEqual(['com.example.ok']);
    const line = broken.split('\n').findIndex((l) => l.includes('<key>MachServices</key>')) + 1;
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'Library/LaunchAgents/broken.plist',
        line,
        message: `malformed XML plist (line ${line}): <key>MachServices</key> has no value`,
      }),
    ]);
  });

  it('a truncated binary plist is a diagnostic, never a crash', () => {
    const bytes = buildBinary(agent).slice(0, 40);
    const { diagnostics } = loadWorld(tempWorld({ 'Library/LaunchAgents/cut.plist': bytes }));
    expect(diagnostics[0]).toMatchObject({
      severity: 'error',
      file: 'Library/LaunchAgents/cut.plist',
      message: expect.stringMatching(/^malformed binary plist/),
    });
  });

  it('applies Xcode\u2019s modifiers: $(PRODUCT_NAME:rfc1034identifier) and $(PRODUCT_NAME:c99extidentifier)', () => {
    const info = build({
      CFBundleIdentifier: 'com.example.$(PRODUCT_NAME:rfc1034identifier)',
      CFBundleExecutable: '$(EXECUTABLE_NAME)',
      NSPrincipalClass: '$(PRODUCT_MODULE_NAME).App',
    });
    const { world, diagnostics } = loadWorld(
      tempWorld({ 'Applications/My Tool.app/Contents/Info.plist': info }),
    );
    expect(diagnostics).toEqual([]);
    expect(world.jobs[0]).toMatchObject({
      label: 'com.example.My-Tool',
      program: '/Applications/My Tool.app/Contents/MacOS/My Tool',
    });
  });

  it('a missing folder is the one thing that throws', () => {
    expect(() => loadWorld('/nonexistent/world')).toThrow(WorldLoadError);
  });
});
