import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentInfo, id_signedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { ProfileError, readProvisioningProfile, unsatisfied } from '../../main/world/provisioning-profile';
import { checkIn, job, setup } from './harness';

const WORLD = join(__dirname, '..', '..', 'assets', 'worlds', 'app-group');
const PROFILE = join(WORLD, 'Applications', 'Acme Share.app', 'Contents', 'embedded.provisionprofile');
const GROUPS = { 'com.apple.security.application-groups': ['ABCDE12345.com.acme.share'] };

describe('provisioning profiles, read as AMFI reads them (XPC-MODEL §10.7)', () => {
  const profile = readProvisioningProfile(readFileSync(PROFILE));

  it('reads the CMS-wrapped plist: name, team, entitlements, expiry', () => {
    expect(profile).toMatchObject({
      name: 'Acme Share Developer ID',
      teamIds: ['ABCDE12345'],
      entitlements: { 'com.apple.security.application-groups': ['ABCDE12345.*'] },
      expiresAt: Date.parse('2027-01-05T10:00:00Z'),
    });
  });

  it('refuses what is not a CMS SignedData, or carries no plist, saying what it is', () => {
    expect(() => readProvisioningProfile(Buffer.from('<?xml version="1.0"?><plist/>'))).toThrow(ProfileError);
    expect(() => readProvisioningProfile(Buffer.from('<?xml version="1.0"?><plist/>'))).toThrow(
      /not a CMS SignedData structure/,
    );
    const other = Buffer.from(
      AsnConvert.serialize(
        new ContentInfo({ contentType: '1.2.840.113549.1.7.1', content: new ArrayBuffer(2) }),
      ),
    );
    expect(() => readProvisioningProfile(other)).toThrow(/not signedData \(1\.2\.840\.113549\.1\.7\.2\)/);
    expect(id_signedData).toBe('1.2.840.113549.1.7.2');
  });

  it('grants a team-scoped group through its wildcard, for its own team, until it expires', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(unsatisfied(profile, GROUPS, 'ABCDE12345', now).keys).toEqual([]);
    expect(unsatisfied(undefined, GROUPS, 'ABCDE12345', now)).toEqual({
      keys: ['com.apple.security.application-groups'],
      why: 'no embedded.provisionprofile',
    });
    expect(unsatisfied(profile, GROUPS, 'ZZZZZ99999', now).why).toBe(
      'the profile is for team ABCDE12345, the signature for ZZZZZ99999',
    );
    expect(unsatisfied(profile, GROUPS, 'ABCDE12345', Date.parse('2028-01-01')).why).toBe(
      'the profile has expired',
    );
    const foreign = { 'com.apple.security.application-groups': ['group.com.other'] };
    expect(unsatisfied(profile, foreign, 'ABCDE12345', now).keys).toEqual([
      'com.apple.security.application-groups',
    ]);
    expect(
      unsatisfied(undefined, { 'com.apple.security.get-task-allow': true }, undefined, now).keys,
    ).toEqual([]);
  });
});

describe('a daemon AMFI did not grant its app group, and one run from Terminal (XPC-MODEL §10.7, §3.2)', () => {
  const daemon = (profile = false) =>
    job('com.example.groupd', {
      entitlements: GROUPS,
      ...(profile ? { provisioningProfile: readProvisioningProfile(readFileSync(PROFILE)) } : {}),
      signing: { anchor: 'developer-id', notarized: false, teamId: 'ABCDE12345' },
      runAtLoad: true,
    });

  it("without a profile: AMFI's two lines, then the listener fails with EPERM", () => {
    const { rec, spawner } = setup([daemon()]);
    const p = spawner.running('com.example.groupd');
    checkIn(p);
    expect(rec.logs()).toEqual(
      expect.arrayContaining([
        'Unsatisfied entitlements: com.apple.security.application-groups',
        'Soft-restriction provisioning profile validation failure: Error Domain=AppleMobileFileIntegrityError Code=-413 "No matching profile found"',
      ]),
    );
    expect(
      rec
        .logs()
        .some((l) => l.endsWith('listener failed to activate: xpc_error=[1: Operation not permitted]')),
    ).toBe(true);
    expect(p.of('listenerFailed')).toMatchObject([{ errno: 1 }]);
  });

  it('with a matching profile it checks in', () => {
    const { rec, spawner } = setup([daemon(true)]);
    checkIn(spawner.running('com.example.groupd'));
    expect(rec.logs().join('\n')).not.toMatch(/Unsatisfied entitlements|listener failed/);
  });

  it('run from Terminal, even with the profile, it has no check-in context: EPERM', () => {
    const { broker, rec, spawner } = setup([daemon(true)]);
    const proc = broker.runFromTerminal('com.example.groupd');
    expect(proc?.fromTerminal).toBe(true);
    expect(spawner.count('com.example.groupd')).toBe(2);
    const terminal = spawner.spawned.at(-1)!;
    checkIn(terminal);
    expect(terminal.of('listenerFailed')).toMatchObject([{ errno: 1 }]);
    expect(rec.logs()).toContain(
      `Two equal instances have unequal identities. <anon<com.example.groupd>(501) pid=${terminal.pid} AUID=501> and <anon<com.example.groupd>(501)(262) pid=${terminal.pid} AUID=262>`,
    );
    expect(rec.of('process.spawn').at(-1)).toMatchObject({ reason: 'terminal', domain: 'gui/501' });
  });
});
