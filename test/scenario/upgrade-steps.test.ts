import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../main/scenario/parse';
import { textReport } from '../../main/scenario/report';
import { runScenario } from '../../main/scenario/runner';
import { loadWorld } from '../../main/world/load';
import { FakeSpawner } from '../support/fakes';

const ASSETS = join(__dirname, '..', '..', 'assets');

/** The acme-vpn world with helpers the test plays: the steps, not the processes, are under test. */
function run(steps: string[], file = join(ASSETS, 'scenarios', 'inline.yaml')) {
  const { world } = loadWorld(join(ASSETS, 'worlds', 'acme-vpn'));
  const yaml = ['timeout: 200ms', 'steps:', ...steps.map((s) => `  - ${s}`)].join('\n');
  return runScenario({ scenario: parseScenario(yaml, file), world, spawner: new FakeSpawner() });
}

describe('upgrade and system extension steps in the runner', () => {
  it('report what the console would show', async () => {
    const result = await run([
      'upgrade: { app: com.acme.vpn, mode: bump }',
      'restartApp: com.acme.vpn',
      'deactivate: com.acme.vpn.tunnel',
      'activate: com.acme.vpn.tunnel',
      'reboot',
      'deleteExtension: com.acme.vpn.tunnel',
      'vpn: connected',
    ]);
    expect(result.ok, textReport(result)).toBe(true);
    expect(result.steps.map((s) => [s.description, s.message])).toEqual([
      [
        'upgrade com.acme.vpn (bump, pkg)',
        '2.4.0 (240) → 2.4.1 (241) (pkg, VPN connected); replaced com.acme.vpn, com.acme.vpn.tunnel; 0 connection(s) broken; stale: ABCDE12345.com.acme.vpn.tunnel; sequence: preinstall (VPN on) → replace (VPN on) → postinstall (VPN on) → first-launch (VPN on)',
      ],
      ['restartApp com.acme.vpn', 'activation requests: kept'],
      [
        'deactivate com.acme.vpn.tunnel',
        'com.acme.vpn.tunnel (2.4.1/241) [terminated waiting to uninstall on reboot], com.acme.vpn.tunnel (2.4.0/240) [terminated waiting to uninstall on reboot]; stale: none',
      ],
      [
        'activate com.acme.vpn.tunnel',
        'installed; com.acme.vpn.tunnel (2.4.1/241) [activated waiting for user], com.acme.vpn.tunnel (2.4.1/241) [terminated waiting to uninstall on reboot], com.acme.vpn.tunnel (2.4.0/240) [terminated waiting to uninstall on reboot]; stale: none',
      ],
      ['reboot', 'com.acme.vpn.tunnel (2.4.1/241) [activated waiting for user]; stale: none'],
      ['deleteExtension com.acme.vpn.tunnel', 'no extensions; stale: none'],
      ['vpn connected', 'VPN connected'],
    ]);
  });

  it('a folder is read relative to the scenario file', async () => {
    const result = await run([
      'upgrade: { app: com.acme.vpn, mode: folder, folder: ../upgrades/acme-vpn-2.5.0, installer: drag }',
      'expect: { upgrade: com.acme.vpn, to: 2.5.0 (250), replaced: [com.acme.vpn.tunnel], broken: 0 }',
    ]);
    expect(result.ok, textReport(result)).toBe(true);
    expect(result.steps[0]?.description).toBe('upgrade com.acme.vpn (from ../upgrades/acme-vpn-2.5.0, drag)');
  });

  it('what the broker refuses fails the step, names it and stops the run', async () => {
    const result = await run(['upgrade: { app: com.nope, mode: bump, sameVersion: true }', 'reboot']);
    expect(result.ok).toBe(false);
    const report = textReport(result);
    expect(report).toContain('✗ step 1: upgrade com.nope (bump, pkg, sameVersion true)');
    expect(report).toContain('no app com.nope in world "Acme VPN"');
    expect(report).toContain('1 step(s) after the failed action did not run');
  });

  it('an extension the app does not embed, or a folder without an app, is named', async () => {
    const missing = await run(['deleteExtension: com.acme.nope']);
    expect(missing.steps[0]?.message).toBe('no system extension com.acme.nope to delete');
    const folder = await run(['upgrade: { app: com.acme.vpn, mode: folder, folder: ../nowhere }']);
    expect(folder.steps[0]?.message).toBe(
      `${join(ASSETS, 'nowhere')} is not a world folder with an Applications folder in it`,
    );
  });

  it('an upgrade that left nothing stale lists no remedy, and the expectation says why', async () => {
    const result = await run([
      'upgrade: { app: com.acme.vpn, mode: bump, installer: pkg-preinstall }',
      'expect: { upgrade: com.acme.vpn, vpnConnected: false, remedy: reboot }',
    ]);
    expect(result.steps[1]?.message).toBe(
      "the report of com.acme.vpn's upgrade 2.4.0 (240) → 2.4.1 (241): it lists no remedy reboot: no name was left bound to a replaced extension",
    );
  });

  it('an upgrade expectation before any upgrade says so', async () => {
    const result = await run(['expect: { upgrade: com.acme.vpn }']);
    expect(result.steps[0]).toMatchObject({
      ok: false,
      description: 'the last upgrade of com.acme.vpn happened',
      message: 'com.acme.vpn has not been upgraded',
    });
  });

  it('a log expectation `on` a connection the scenario never opened fails at once', async () => {
    const result = await run(["expect: { log: 'failed init', on: c9, within: 0 }"]);
    expect(result.steps[0]?.message).toBe('no connection c9 was opened by the scenario');
  });

  it("a remedy step prints its steps, what each did and its cost in run's output; its outcome is an expectation", async () => {
    const result = await run([
      'upgrade: { app: com.acme.vpn, mode: bump }',
      'remedy: { app: com.acme.vpn, remedy: deactivate-activate }',
      "expect: { outcome: deactivate-activate, recovered: false, needs: '\\(Allow\\)', within: 0 }",
      'expect: { outcome: deactivate-activate, recovered: true, within: 0 }',
    ]);
    const text = textReport(result);
    expect(text).toContain('  ✓ step 2: try deactivate-activate for com.acme.vpn');
    expect(text).toContain(
      '    deactivationRequest for com.acme.vpn.tunnel → 2.4.1 (241) [terminated waiting to uninstall on reboot]',
    );
    expect(text).toContain('    activationRequest for com.acme.vpn.tunnel → [activated waiting for user]');
    expect(text).toMatch(/^ {4}cost: the VPN configuration is deleted/m);
    expect(result.steps[2]?.ok).toBe(true);
    expect(result.steps[3]?.message).toMatch(
      /^after deactivate-activate the app did not recover; needs: the user has to allow/,
    );
  });
});
