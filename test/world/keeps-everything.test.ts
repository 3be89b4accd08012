import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadWorld } from '../../main/world/load';

/** Worlds written here, file by file (inputs made for these tests, not taken from a project). */
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function worldOf(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-world-'));
  temps.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const plist = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n${body}</dict>\n</plist>\n`;

const APP = 'Applications/Tunnel.app';
const EXT = `${APP}/Contents/Library/SystemExtensions/com.example.tunnel.ext.systemextension`;
const DAEMON = `${APP}/Contents/Library/LaunchDaemons/com.example.tunnel.helper.plist`;

const extInfo = (name: string) =>
  plist(
    `<key>CFBundleIdentifier</key><string>com.example.tunnel.ext</string>\n<key>NetworkExtension</key><dict><key>NEMachServiceName</key><string>${name}</string></dict>\n`,
  );
const daemon = plist(
  '<key>Label</key><string>com.example.tunnel.helper</string>\n<key>BundleProgram</key><string>Contents/MacOS/helper</string>\n<key>MachServices</key><dict><key>com.example.tunnel.helper</key><true/></dict>\n',
);

describe('a problem is a diagnostic on its item, never a reason to drop what is inside it', () => {
  it('an app whose Info.plist is malformed still brings its system extension and daemon', () => {
    const dir = worldOf({
      [`${APP}/Contents/Info.plist`]: plist(
        '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n<key>Oops</key>\n',
      ),
      [`${EXT}/Contents/Info.plist`]: extInfo('$(TeamIdentifierPrefix)com.example.tunnel.ext'),
      [DAEMON]: daemon,
      'world.plist': plist(
        '<key>buildSettings</key><dict><key>DEVELOPMENT_TEAM</key><string>ABCDE12345</string></dict>\n',
      ),
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs.map((j) => `${j.type} ${j.label}`).sort()).toEqual([
      'App Tunnel',
      'SMAppServiceDaemon com.example.tunnel.helper',
      'SystemExtension com.example.tunnel.ext',
    ]);
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({
      file: `${APP}/Contents/Info.plist`,
      message: expect.stringContaining('<key>Oops</key> has no value'),
    });
    expect(world.jobs.find((j) => j.type === 'SystemExtension')?.bundledIn).toBe('Tunnel');
    expect(world.jobs.find((j) => j.type === 'SystemExtension')?.machServices[0]?.name).toBe(
      'ABCDE12345.com.example.tunnel.ext',
    );
    expect(diagnostics.some((d) => d.message.startsWith('no bundles or launchd jobs'))).toBe(false);
  });

  it('a world.plist that only sets buildSettings leaves every job answering on its names: no "never checks in"', () => {
    const dir = worldOf({
      [`${APP}/Contents/Info.plist`]: plist(
        '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n',
      ),
      [DAEMON]: daemon,
      'world.plist': plist(
        '<key>buildSettings</key><dict><key>MARKETING_VERSION</key><string>1.0</string></dict>\n',
      ),
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs.find((j) => j.label === 'com.example.tunnel.helper')?.behaviours).toEqual([
      { kind: 'reply', delayMs: 0 },
    ]);
    expect(diagnostics).toEqual([]);
  });
});

describe('team prefixes: known from the project, never judged when unresolved', () => {
  it('$(TeamIdentifierPrefix) with no team anywhere is one warning per file and key, and no "not prefixed" error', () => {
    const dir = worldOf({
      [`${APP}/Contents/Info.plist`]: plist(
        '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n',
      ),
      [`${EXT}/Contents/Info.plist`]: extInfo('$(TeamIdentifierPrefix)com.example.vpn'),
    });
    const { diagnostics } = loadWorld(dir);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: `${EXT}/Contents/Info.plist`,
        key: 'NetworkExtension.NEMachServiceName',
        message:
          '$(TeamIdentifierPrefix) is not resolved: add TeamIdentifierPrefix to buildSettings in world.plist',
      }),
    ]);
  });

  it.each([
    ['com.apple.developer.team-identifier', '<string>ABCDE12345</string>'],
    ['com.apple.application-identifier', '<string>ABCDE12345.com.example.tunnel.ext</string>'],
    ['keychain-access-groups', '<array><string>ABCDE12345.com.example.shared</string></array>'],
  ])('a name prefixed by the team that %s names is no error', (key, value) => {
    const dir = worldOf({
      [`${APP}/Contents/Info.plist`]: plist(
        '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n',
      ),
      [`${EXT}/Contents/Info.plist`]: extInfo('ABCDE12345.com.example.tunnel.ext'),
      [`${APP}/Contents/Library/SystemExtensions/com.example.tunnel.ext.entitlements`]: plist(
        `<key>${key}</key>${value}\n`,
      ),
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs.find((j) => j.type === 'SystemExtension')?.signing.teamId).toBe('ABCDE12345');
    expect(diagnostics).toEqual([]);
  });

  it('the one team another bundle of the project names counts as known', () => {
    const dir = worldOf({
      [`${APP}/Contents/Info.plist`]: plist(
        '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n',
      ),
      'Applications/Tunnel.entitlements': plist(
        '<key>com.apple.security.application-groups</key><array><string>ABCDE12345.com.example.tunnel</string></array>\n',
      ),
      [`${EXT}/Contents/Info.plist`]: extInfo('ABCDE12345.com.example.tunnel.ext'),
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs.find((j) => j.type === 'SystemExtension')).toMatchObject({
      signing: { teamId: 'ABCDE12345' },
      teamSource: "the project's other files",
    });
    expect(diagnostics).toEqual([]);
  });

  it('a name prefixed by another team is still the error it was', () => {
    const dir = worldOf({
      [`${APP}/Contents/Info.plist`]: plist(
        '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n',
      ),
      [`${EXT}/Contents/Info.plist`]: extInfo('ZZZZZ99999.com.example.tunnel.ext'),
      'world.plist': plist(
        '<key>buildSettings</key><dict><key>DEVELOPMENT_TEAM</key><string>ABCDE12345</string></dict>\n',
      ),
    });
    const { diagnostics } = loadWorld(dir);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        key: 'NetworkExtension.NEMachServiceName',
        message: expect.stringContaining('is not prefixed by the team ID (ABCDE12345.)'),
      }),
    ]);
  });
});

describe('what a plist parser says goes into diagnostics with its line', () => {
  it('a key written twice is a warning naming both lines; the later value wins', () => {
    const dir = worldOf({
      'Library/LaunchDaemons/com.example.d.plist': plist(
        '<key>Label</key><string>com.example.d</string>\n<key>ProgramArguments</key><array><string>/usr/bin/old</string></array>\n<key>RunAtLoad</key><true/>\n<key>ProgramArguments</key><array><string>/usr/bin/new</string></array>\n',
      ),
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs[0]?.program).toBe('/usr/bin/new');
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'Library/LaunchDaemons/com.example.d.plist',
        line: 8,
        message:
          'the key ProgramArguments appears twice in one dictionary (lines 6 and 8); the later value wins',
      }),
    ]);
  });

  it('blank lines before <?xml are loaded, with a note; line numbers count them', () => {
    const dir = worldOf({
      'Library/LaunchDaemons/com.example.d.plist': `\n\n${plist('<key>Label</key><string>com.example.d</string>\n<key>Program</key><string>/a</string>\n<key>Program</key><string>/b</string>\n')}`,
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs.map((j) => j.program)).toEqual(['/b']);
    expect(diagnostics.map((d) => [d.severity, d.line])).toEqual([
      ['warning', 9],
      ['info', 1],
    ]);
  });

  it("the XML parser's warnings are findings with their line and never reach stderr", () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    const consoleError = vi.spyOn(console, 'error');
    const dir = worldOf({
      'Library/LaunchAgents/com.example.a.plist': plist(
        '<key>Label</key><string>com.example.a</string>\n<key>Program</key><string>/usr/bin/a</string>\n<key>Note</key><string>a&nbsp;b</string>\n',
      ),
      'Library/LaunchAgents/com.example.b.plist':
        '<?xml version="1.0"?>\n<plist version="1.0">\n<dict>\n<key>Label</key>\n<string>com.example.b</string>\n</dict>\n</plist>\n<plist>',
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(stderr).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(world.jobs.map((j) => j.label)).toContain('com.example.a');
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'Library/LaunchAgents/com.example.a.plist',
        line: 7,
        message: 'XML error (line 7): entity not found:&nbsp;',
      }),
      expect.objectContaining({
        severity: 'error',
        file: 'Library/LaunchAgents/com.example.b.plist',
        line: 8,
        message: 'malformed XML plist (line 8): <plist> is never closed',
      }),
    ]);
  });
});

describe('identity from a code signature (main/world/identity.ts)', () => {
  const files = () => ({
    [`${APP}/Contents/Info.plist`]: plist(
      '<key>CFBundleIdentifier</key><string>com.example.tunnel</string>\n<key>CFBundleExecutable</key><string>Tunnel</string>\n',
    ),
    [`${APP}/Contents/MacOS/Tunnel`]: 'not really a Mach-O',
    [`${EXT}/Contents/Info.plist`]: extInfo('$(TeamIdentifierPrefix)com.example.tunnel.ext'),
    [`${EXT}/Contents/MacOS/com.example.tunnel.ext`]: 'not really a Mach-O',
  });
  const reader = (path: string) =>
    path.endsWith('/com.example.tunnel.ext')
      ? {
          teamId: 'SIGNED1234',
          entitlements: { 'com.apple.security.application-groups': ['SIGNED1234.com.example.group'] },
        }
      : undefined;

  it("the signature's team and entitlements make the identity, and the templates follow them", () => {
    const { world, diagnostics } = loadWorld(worldOf(files()), { signatureOf: reader });
    const ext = world.jobs.find((j) => j.type === 'SystemExtension');
    expect(ext).toMatchObject({ signing: { teamId: 'SIGNED1234' }, teamSource: 'the code signature' });
    expect(ext?.sandbox.appGroups).toEqual(['SIGNED1234.com.example.group']);
    expect(ext?.machServices[0]?.name).toBe('SIGNED1234.com.example.tunnel.ext');
    expect(diagnostics).toEqual([]);
  });

  it('world.plist still overrides it, to simulate a differently signed build', () => {
    const dir = worldOf({
      ...files(),
      'world.plist': plist(
        '<key>bundles</key><dict><key>com.example.tunnel.ext</key><dict><key>signing</key><dict><key>teamId</key><string>OTHER56789</string></dict></dict></dict>\n',
      ),
    });
    const { world } = loadWorld(dir, { signatureOf: reader });
    expect(world.jobs.find((j) => j.type === 'SystemExtension')).toMatchObject({
      signing: { teamId: 'OTHER56789' },
      teamSource: 'world.plist',
      machServices: [expect.objectContaining({ name: 'OTHER56789.com.example.tunnel.ext' })],
    });
  });
});

describe('OpenStep plists', () => {
  it('a leading comment does not make an OpenStep plist XML', () => {
    const dir = worldOf({
      'Library/LaunchAgents/com.example.o.plist':
        '// written by hand\n/* an OpenStep plist */\n{ Label = "com.example.o"; ProgramArguments = ("/usr/bin/o"); MachServices = { "com.example.o" = 1; }; }\n',
    });
    const { world, diagnostics } = loadWorld(dir);
    expect(world.jobs.map((j) => [j.label, j.program, j.machServices.map((s) => s.name)])).toEqual([
      ['com.example.o', '/usr/bin/o', ['com.example.o']],
    ]);
    expect(diagnostics).toEqual([]);
  });
});
