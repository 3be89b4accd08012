import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPeer, signingIdentity } from '../../main/broker/core/policy/peer-requirement';
import { loadWorld } from '../../main/world/load';

const WORLD = join(__dirname, '..', '..', 'assets', 'worlds', 'auth-plugin');

describe("an authorization plug-in talks to its daemon from Apple's host (XPC-MODEL §10.7)", () => {
  const { world, diagnostics } = loadWorld(WORLD);
  const plugin = world.jobs.find((j) => j.label === 'com.acme.authplugin')!;

  it('is loaded from Library/Security/SecurityAgentPlugins into SecurityAgentHelper', () => {
    expect(plugin.program).toMatch(
      /SecurityAgentHelper-arm64\.xpc\/Contents\/MacOS\/SecurityAgentHelper-arm64$/,
    );
    expect(plugin.signing.teamId).toBe('ABCD12EF34');
    expect(diagnostics.find((d) => d.file?.endsWith('AcmeAuth.bundle'))?.consequence).toMatch(
      /naming com\.acme\.authplugin or team ABCD12EF34 fails with -67050/,
    );
  });

  it("presents the host's signature: Apple, com.apple. identifier, no team", () => {
    expect(signingIdentity(plugin)).toMatchObject({
      identifier: 'com.apple.SecurityAgentHelper',
      anchor: 'apple',
    });
    expect(signingIdentity(plugin).teamId).toBeUndefined();
  });

  it('a requirement naming the plug-in fails with -67050; the Apple-host one passes', () => {
    // The process checkPeer is handed: the host running the plug-in.
    const proc = { state: 'running', job: plugin } as never;
    expect(checkPeer('identifier "com.acme.authplugin" and anchor apple generic', proc)).toMatchObject({
      ok: false,
      status: -67050,
    });
    expect(checkPeer('certificate leaf[subject.OU] = "ABCD12EF34"', proc)).toMatchObject({ status: -67050 });
    expect(checkPeer('anchor apple and info[CFBundleIdentifier] = com.apple.*', proc)).toMatchObject({
      ok: true,
    });
  });
});
