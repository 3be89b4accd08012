import { describe, expect, it } from 'vitest';
import type { ServiceEntry } from '../../main/broker/core/namespace';
import { remediesFor } from '../../main/broker/installs/upgrade-report';
import { parseScenario, ScenarioError } from '../../main/scenario/parse';
import { REMEDIES } from '../../main/scenario/schema-upgrade';
import { job } from '../support/fakes';

const parse = (steps: string[]) =>
  parseScenario(['steps:', ...steps.map((s) => `  - ${s}`)].join('\n'), 'up.yaml');

function problem(steps: string[]): string {
  try {
    parse(steps);
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('the scenario parsed');
}

describe('upgrade and system extension steps', () => {
  it('parse into the broker operations they name, with the command defaults', () => {
    const s = parse([
      'upgrade: { app: com.acme.vpn, mode: bump }',
      'upgrade: { app: com.acme.vpn, mode: folder, folder: ../upgrades/acme-vpn-2.5.0, installer: pkg-preinstall, vpnConnected: true }',
      'deleteExtension: com.acme.vpn.tunnel',
      'deactivate: com.acme.vpn.tunnel',
      'activate: com.acme.vpn.tunnel',
      'reboot',
      'reboot: { rebindsNE: true }',
      'restartApp: com.acme.vpn',
      'vpn: disconnected',
    ]);
    expect(s.steps.map((x) => [x.kind, x.arg])).toEqual([
      [
        'upgrade',
        {
          app: 'com.acme.vpn',
          mode: 'bump',
          installer: 'pkg',
          firstLaunch: true,
          replaceAction: 'replace',
          sameVersion: false,
          versionedName: false,
          vpnOnDemand: false,
          postinstallReconnects: false,
        },
      ],
      [
        'upgrade',
        expect.objectContaining({
          mode: 'folder',
          folder: '../upgrades/acme-vpn-2.5.0',
          installer: 'pkg-preinstall',
          vpnConnected: true,
        }),
      ],
      ['deleteExtension', 'com.acme.vpn.tunnel'],
      ['deactivate', 'com.acme.vpn.tunnel'],
      ['activate', 'com.acme.vpn.tunnel'],
      ['reboot', {}],
      ['reboot', { rebindsNE: true }],
      ['restartApp', 'com.acme.vpn'],
      ['vpn', 'disconnected'],
    ]);
  });

  it('a folder upgrade without its folder, or a bump with one, is named', () => {
    expect(problem(['upgrade: { app: com.acme.vpn, mode: folder }'])).toBe(
      'up.yaml: step 1 (upgrade): upgrade: give `folder` with mode folder, and only then',
    );
    expect(problem(['pressure', 'name: install 2.5\n    upgrade: { app: a, mode: bump, folder: x }'])).toBe(
      'up.yaml: step 2 (install 2.5): upgrade: give `folder` with mode folder, and only then',
    );
    expect(problem(['upgrade: { app: a, mode: folder, folder: x, sameVersion: true }'])).toBe(
      'up.yaml: step 1 (upgrade): upgrade: `sameVersion` applies to mode bump only',
    );
    // The versioned name is what the NEMachServiceName template says; the old switch is refused.
    expect(problem(['upgrade: { app: a, mode: bump, versionMachServiceName: true }'])).toContain(
      'versionMachServiceName',
    );
  });

  it('a bad mode, installer or unknown key is named with its field', () => {
    expect(problem(['upgrade: { app: a, mode: copy }'])).toMatch(
      /^up\.yaml: step 1 \(upgrade\): upgrade: mode: Invalid option: expected one of "bump"\|"folder"$/,
    );
    expect(problem(['upgrade: { app: a, mode: bump, installer: dmg }'])).toMatch(
      /^up\.yaml: step 1 \(upgrade\): upgrade: installer: Invalid option/,
    );
    expect(problem(['upgrade: { app: a, mode: bump, vpn: true }'])).toMatch(
      /^up\.yaml: step 1 \(upgrade\): upgrade: Unrecognized key: "vpn"$/,
    );
    expect(problem(['upgrade: { mode: bump }'])).toMatch(/^up\.yaml: step 1 \(upgrade\): upgrade: app: /);
  });

  it('reboot takes only rebindsNE; vpn only connected or disconnected; sysext steps a bundle id', () => {
    expect(problem(['reboot: { rebindsNE: sometimes }'])).toMatch(
      /^up\.yaml: step 1 \(reboot\): reboot: rebindsNE: Invalid input: expected boolean/,
    );
    expect(problem(['reboot: { now: true }'])).toBe(
      'up.yaml: step 1 (reboot): reboot: Unrecognized key: "now"',
    );
    expect(problem(['vpn: up'])).toBe(
      'up.yaml: step 1 (vpn): vpn: Invalid option: expected one of "connected"|"disconnected"',
    );
    expect(problem(['deleteExtension'])).toMatch(
      /^up\.yaml: step 1 \(deleteExtension\): deleteExtension: Invalid input: expected string/,
    );
    expect(problem(['restartApp: ""'])).toMatch(/^up\.yaml: step 1 \(restartApp\): restartApp: /);
  });
});

describe('upgrade, sysext and binding expectations', () => {
  it('parse flat, with the subject under the kind key', () => {
    const s = parse([
      'expect: { upgrade: com.acme.vpn, to: 2.4.1 (241), replaced: [com.acme.vpn.tunnel], broken: 1, remedy: reboot, works: false }',
      'expect: { sysext: com.acme.vpn.tunnel, version: 2.4.0/240, state: terminated waiting to uninstall on reboot }',
      'expect: { sysext: com.acme.vpn.tunnel, listed: false, within: 1s }',
      'expect: { binding: ABCDE12345.com.acme.vpn.tunnel, state: stale, boundTo: 2.4.0 (240) }',
      "expect: { log: 'invalidated after a failed init$', on: c2 }",
    ]);
    expect(s.steps.map((x) => x.arg)).toEqual([
      {
        kind: 'upgrade',
        upgrade: 'com.acme.vpn',
        to: '2.4.1 (241)',
        replaced: ['com.acme.vpn.tunnel'],
        broken: 1,
        remedy: 'reboot',
        works: false,
      },
      {
        kind: 'sysext',
        sysext: 'com.acme.vpn.tunnel',
        version: '2.4.0/240',
        state: 'terminated waiting to uninstall on reboot',
        listed: true,
      },
      { kind: 'sysext', sysext: 'com.acme.vpn.tunnel', listed: false, within: 1000 },
      { kind: 'binding', binding: 'ABCDE12345.com.acme.vpn.tunnel', state: 'stale', boundTo: '2.4.0 (240)' },
      expect.objectContaining({ kind: 'log', on: 'c2', since: 'step' }),
    ]);
  });

  it('bad fields are named with the step and the field', () => {
    expect(problem(['expect: { upgrade: com.acme.vpn, remedy: reinstall }'])).toMatch(
      /^up\.yaml: step 1 \(expect\): expect upgrade: remedy: Invalid option: expected one of "restart-app"\|/,
    );
    expect(problem(['expect: { upgrade: com.acme.vpn, works: true }'])).toBe(
      'up.yaml: step 1 (expect): expect upgrade: `works` needs the `remedy` it is about',
    );
    expect(problem(['expect: { upgrade: com.acme.vpn, broken: -1 }'])).toMatch(
      /^up\.yaml: step 1 \(expect\): expect upgrade: broken: /,
    );
    expect(problem(['expect: { sysext: x, state: uninstalled }'])).toMatch(
      /^up\.yaml: step 1 \(expect\): expect sysext: state: Invalid option: expected one of "activated enabled"\|/,
    );
    expect(problem(['expect: { binding: x, state: dead }'])).toMatch(
      /^up\.yaml: step 1 \(expect\): expect binding: state: Invalid option/,
    );
    expect(problem(['expect: { binding: x }'])).toMatch(
      /^up\.yaml: step 1 \(expect\): expect binding: state: /,
    );
    expect(problem(["expect: { log: x, on: '1' }"])).toBe(
      'up.yaml: step 1 (expect): expect log: on: a connection id such as c1',
    );
  });

  it('an upgrade expectation may not wait: the report is complete when the upgrade step returns', () => {
    expect(problem(['expect: { upgrade: a, within: 1s }'])).toMatch(/Unrecognized key: "within"/);
  });

  it('knows every remedy an upgrade report lists', () => {
    const stale = { name: 'n', domain: 'system', job: job('x'), binding: 'stale' } as unknown as ServiceEntry;
    expect(remediesFor([stale], false).map((r) => r.remedy)).toEqual([...REMEDIES]);
  });
});
