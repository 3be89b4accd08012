import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bumpUnit, raiseVersion } from '../../main/world/bump';
import { loadWorld } from '../../main/world/load';
import { appUnit, findApp } from '../../main/world/unit';
import { app, job } from '../support/fakes';

const ASSETS = join(__dirname, '..', '..', 'assets', 'worlds');

describe('bump: version N+1 without a folder', () => {
  it('raises the last number of a version string', () => {
    expect(raiseVersion('240')).toBe('241');
    expect(raiseVersion('2.4.0')).toBe('2.4.1');
    expect(raiseVersion('1.0b7')).toBe('1.0b8');
    expect(raiseVersion('beta')).toBe('beta.1');
    expect(raiseVersion(undefined)).toBe('1');
  });

  it('raises CFBundleVersion and CFBundleShortVersionString of the app and its embedded bundles, and leaves the input alone', () => {
    const unit = [
      app('com.acme.vpn', { bundleVersion: '240', shortVersion: '2.4.0' }),
      job('com.acme.vpn.helper', { bundleVersion: '240', shortVersion: '2.4.0' }),
    ];
    const next = bumpUnit(unit);
    expect(next.map((j) => [j.bundleVersion, j.shortVersion])).toEqual([
      ['241', '2.4.1'],
      ['241', '2.4.1'],
    ]);
    expect(unit[0]?.bundleVersion).toBe('240');
  });

  it('derives every templated name again from the new version: a versioned NEMachServiceName and its client change, an unversioned one stays', () => {
    const { world: w } = loadWorld(join(ASSETS, 'acme-vpn-versioned'));
    const unit = appUnit(w, findApp(w, 'com.acme.vpn')!);
    const next = bumpUnit(unit);
    const ext = next.find((j) => j.label === 'com.acme.vpn.tunnel');
    expect(unit.find((j) => j.label === 'com.acme.vpn.tunnel')?.machServices[0]?.name).toBe(
      'ABCDE12345.com.acme.vpn.tunnel.240',
    );
    expect(ext?.machServices[0]?.name).toBe('ABCDE12345.com.acme.vpn.tunnel.241');
    expect(next.find((j) => j.label === 'com.acme.vpn')?.behaviours[0]).toMatchObject({
      service: 'ABCDE12345.com.acme.vpn.tunnel.241',
    });
    expect(next.find((j) => j.label === 'com.acme.vpn.agent')?.behaviours[1]).toMatchObject({
      service: 'ABCDE12345.com.acme.vpn.tunnel.241',
    });
    expect(bumpUnit(next).find((j) => j.label === 'com.acme.vpn.tunnel')?.machServices[0]?.name).toBe(
      'ABCDE12345.com.acme.vpn.tunnel.242',
    );
    const { world: plain } = loadWorld(join(ASSETS, 'acme-vpn'));
    const plainNext = bumpUnit(appUnit(plain, findApp(plain, 'com.acme.vpn')!));
    expect(plainNext.find((j) => j.label === 'com.acme.vpn.tunnel')?.machServices[0]?.name).toBe(
      'ABCDE12345.com.acme.vpn.tunnel',
    );
  });
});
