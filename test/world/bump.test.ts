import { describe, expect, it } from 'vitest';
import { bumpUnit, raiseVersion } from '../../main/world/bump';
import { app, job } from '../support/fakes';

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

  it('a versioned NEMachServiceName renames the name and every client of it in the unit', () => {
    const ext = job('com.acme.vpn.tunnel', {
      type: 'SystemExtension',
      bundleVersion: '240',
      machServices: [
        { name: 'ABCDE12345.com.acme.vpn.tunnel', hideUntilCheckIn: false, origin: 'NEMachServiceName' },
      ],
    });
    const client = app('com.acme.vpn', {
      behaviours: [
        { kind: 'subscribe', service: 'ABCDE12345.com.acme.vpn.tunnel', body: {}, privileged: true },
      ],
    });
    const [nextClient, nextExt] = bumpUnit([client, ext], { versionMachServiceName: true });
    expect(nextExt?.machServices[0]?.name).toBe('ABCDE12345.com.acme.vpn.tunnel.v241');
    expect(nextClient?.behaviours[0]).toMatchObject({ service: 'ABCDE12345.com.acme.vpn.tunnel.v241' });
    const [, again] = bumpUnit([client, nextExt!], { versionMachServiceName: true });
    expect(again?.machServices[0]?.name).toBe('ABCDE12345.com.acme.vpn.tunnel.v242');
  });
});
