import { describe, expect, it } from 'vitest';
import {
  type CertificateInfo,
  checkRequirement,
  describeStatus,
  evaluateRequirement,
  OID_DEVELOPER_ID_APPLICATION,
  OSStatus,
  parseRequirement,
  RequirementSyntaxError,
  type SigningIdentity,
} from '../../../main/broker/core/policy/requirement';

const TEAM = 'ABCDE12345';

// XPC-MODEL §6.1, typical designated requirement (Developer ID), verbatim.
const DESIGNATED =
  'identifier "com.example.helper" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = "ABCDE12345"';

const helper: SigningIdentity = { identifier: 'com.example.helper', teamId: TEAM, anchor: 'developer-id' };
const devBuild: SigningIdentity = { ...helper, anchor: 'apple-development' };
const storeApp: SigningIdentity = { ...helper, anchor: 'mac-app-store' };
const appleCode: SigningIdentity = { identifier: 'com.apple.xpc.launchd', anchor: 'apple' };
const adhoc: SigningIdentity = { identifier: 'com.example.helper', anchor: 'adhoc' };
const unsigned: SigningIdentity = { identifier: 'com.example.helper', anchor: 'unsigned' };

const ROOT_SHA1 = '611e5b662c593a08ff58d14ae22452d198df6c60';
const LEAF_SHA1 = '0123456789abcdef0123456789abcdef01234567';
const explicitChain: CertificateInfo[] = [
  { subject: { CN: 'Custom Leaf', OU: 'TEAM000001' }, fields: { '1.2.3.4': 'leaf-value' }, sha1: LEAF_SHA1 },
  { subject: { CN: 'Custom Intermediate' }, fields: {} },
  { subject: { CN: 'Custom Root' }, fields: {}, sha1: ROOT_SHA1.toUpperCase() },
];

function holds(text: string, code: SigningIdentity): boolean {
  return evaluateRequirement(parseRequirement(text), code);
}

function syntaxErrorOf(text: string): RequirementSyntaxError {
  try {
    parseRequirement(text);
  } catch (error) {
    if (error instanceof RequirementSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${text}`);
}

describe('anchors', () => {
  it('anchor apple accepts only Apple’s own code', () => {
    expect(holds('anchor apple', appleCode)).toBe(true);
    expect(holds('anchor apple', helper)).toBe(false);
    expect(holds('anchor apple', storeApp)).toBe(false);
  });

  it('anchor apple generic accepts a Developer ID signature', () => {
    expect(holds('anchor apple generic', helper)).toBe(true);
  });

  it('anchor apple generic accepts Apple Development, Mac App Store and Apple’s own signatures', () => {
    expect(holds('anchor apple generic', devBuild)).toBe(true);
    expect(holds('anchor apple generic', storeApp)).toBe(true);
    expect(holds('anchor apple generic', appleCode)).toBe(true);
  });

  it('anchor apple generic rejects ad-hoc code', () => {
    expect(holds('anchor apple generic', adhoc)).toBe(false);
  });

  it('anchor trusted holds for code chained to the Apple Root CA, and only the anchor is trusted', () => {
    expect(holds('anchor trusted', helper)).toBe(true);
    expect(holds('certificate root trusted', helper)).toBe(true);
    expect(holds('certificate -1 trusted', helper)).toBe(true);
    expect(holds('certificate leaf trusted', helper)).toBe(false);
    expect(holds('certificate 1 trusted', helper)).toBe(false);
  });

  it('anchor H"…" compares the anchor certificate’s SHA-1, whatever the letter case', () => {
    const code = { ...helper, certificates: explicitChain };
    expect(holds(`anchor H"${ROOT_SHA1}"`, code)).toBe(true);
    expect(holds(`anchor H"${ROOT_SHA1.toUpperCase()}"`, code)).toBe(true);
    expect(holds(`anchor H"${LEAF_SHA1}"`, code)).toBe(false);
  });

  it('certificate <pos> = H"…" checks the certificate at that position', () => {
    const code = { ...helper, certificates: explicitChain };
    expect(holds(`certificate leaf = H"${LEAF_SHA1}"`, code)).toBe(true);
    expect(holds(`certificate root = H"${LEAF_SHA1}"`, code)).toBe(false);
    expect(holds(`certificate 1 = H"${LEAF_SHA1}"`, code)).toBe(false);
  });
});

describe('certificate chains', () => {
  it('a Developer ID chain has the Developer ID CA intermediate and a Developer ID Application leaf', () => {
    expect(holds('certificate 1[field.1.2.840.113635.100.6.2.6] exists', helper)).toBe(true);
    expect(holds('certificate leaf[field.1.2.840.113635.100.6.1.13] exists', helper)).toBe(true);
    expect(holds('certificate leaf[field.1.2.840.113635.100.6.1.12] exists', helper)).toBe(false);
    expect(holds('certificate 1[field.1.2.840.113635.100.6.2.1] exists', helper)).toBe(false);
    expect(holds(`certificate leaf[subject.OU] = ${TEAM}`, helper)).toBe(true);
  });

  it('an Apple Development chain has the WWDR intermediate and an Apple Development leaf', () => {
    expect(holds('certificate 1[field.1.2.840.113635.100.6.2.1] exists', devBuild)).toBe(true);
    expect(holds('certificate leaf[field.1.2.840.113635.100.6.1.12] exists', devBuild)).toBe(true);
    expect(holds('certificate leaf[field.1.2.840.113635.100.6.1.13] exists', devBuild)).toBe(false);
  });

  it('a Mac App Store chain has the WWDR intermediate and the team in the leaf OU', () => {
    expect(holds('certificate 1[field.1.2.840.113635.100.6.2.1]', storeApp)).toBe(true);
    expect(holds(`certificate leaf[subject.OU] = "${TEAM}"`, storeApp)).toBe(true);
    expect(holds('certificate 1[field.1.2.840.113635.100.6.2.6]', storeApp)).toBe(false);
  });

  it('Apple’s own code has a "Software Signing" leaf under the "Apple Root CA"', () => {
    expect(holds('certificate leaf[subject.CN] = "Software Signing"', appleCode)).toBe(true);
    expect(holds('certificate root[subject.CN] = "Apple Root CA"', appleCode)).toBe(true);
    expect(holds('certificate anchor[subject.CN] = "Apple Root CA"', helper)).toBe(true);
  });

  it('leaf is 0, root and anchor are -1, and negative positions count from the anchor end', () => {
    const intermediate = 'field.1.2.840.113635.100.6.2.6';
    expect(holds(`certificate 1[${intermediate}]`, helper)).toBe(true);
    expect(holds(`certificate -2[${intermediate}]`, helper)).toBe(true);
    expect(holds(`certificate 0[field.${OID_DEVELOPER_ID_APPLICATION}]`, helper)).toBe(true);
    expect(holds('certificate 2[subject.CN] = "Apple Root CA"', helper)).toBe(true);
    expect(holds('certificate 3[subject.CN] exists', helper)).toBe(false);
    expect(holds('certificate -4[subject.CN] exists', helper)).toBe(false);
  });

  it('a leaf without a team has no subject.OU', () => {
    const noTeam: SigningIdentity = { identifier: 'com.example.helper', anchor: 'developer-id' };
    expect(holds('certificate leaf[subject.OU] exists', noTeam)).toBe(false);
    expect(holds('certificate leaf[subject.OU] exists', helper)).toBe(true);
  });

  it('explicit certificates replace the chain derived from the anchor', () => {
    const code = { ...helper, certificates: explicitChain };
    expect(holds('certificate leaf[subject.OU] = TEAM000001', code)).toBe(true);
    expect(holds(`certificate leaf[subject.OU] = ${TEAM}`, code)).toBe(false);
    expect(holds('certificate 1[field.1.2.840.113635.100.6.2.6]', code)).toBe(false);
    expect(holds('certificate leaf[field.1.2.3.4] = leaf-value', code)).toBe(true);
  });

  it('certificate <pos>[extension.OID] reads the certificate’s fields', () => {
    expect(holds('certificate leaf[extension.1.2.840.113635.100.6.1.13]', helper)).toBe(true);
    expect(holds('certificate leaf[extension.1.2.840.113635.100.6.1.18]', helper)).toBe(false);
  });

  it('every certificate constraint is false for ad-hoc code', () => {
    const code: SigningIdentity = { ...adhoc, teamId: TEAM, certificates: explicitChain };
    const constraints = [
      'anchor apple',
      'anchor apple generic',
      'anchor trusted',
      `anchor H"${ROOT_SHA1}"`,
      'certificate leaf trusted',
      `certificate leaf = H"${LEAF_SHA1}"`,
      'certificate leaf[subject.OU] exists',
      'certificate leaf[subject.CN] = *Leaf',
      'certificate leaf[field.1.2.3.4] exists',
      'certificate root[extension.1.2.3.4]',
    ];
    for (const constraint of constraints) expect(holds(constraint, code), constraint).toBe(false);
  });

  it('the negation of a certificate constraint holds for ad-hoc code', () => {
    expect(holds('!anchor apple generic', adhoc)).toBe(true);
    expect(holds('identifier com.example.helper and !certificate leaf[subject.OU] exists', adhoc)).toBe(true);
  });
});

describe('identifier, cdhash, notarized and platform', () => {
  it('identifier is an exact match, with or without "="', () => {
    expect(holds('identifier "com.example.helper"', helper)).toBe(true);
    expect(holds('identifier com.example.helper', helper)).toBe(true);
    expect(holds('identifier = com.example.helper', helper)).toBe(true);
    expect(holds('identifier com.example', helper)).toBe(false);
    expect(holds('identifier com.example.helper2', helper)).toBe(false);
    expect(holds('identifier COM.EXAMPLE.HELPER', helper)).toBe(false);
  });

  it('identifier takes no wildcards', () => {
    expect(syntaxErrorOf('identifier com.example.*').found).toBe("'*'");
    expect(holds('identifier "com.example.*"', helper)).toBe(false);
  });

  it('cdhash matches the code directory hash whatever the letter case', () => {
    const code = { ...helper, cdhash: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' };
    expect(holds('cdhash H"abcdef0123456789abcdef0123456789abcdef01"', code)).toBe(true);
    expect(holds('cdhash H"bbcdef0123456789abcdef0123456789abcdef01"', code)).toBe(false);
    expect(holds('cdhash H"abcdef0123456789abcdef0123456789abcdef01"', helper)).toBe(false);
  });

  it('notarized holds only for notarized code', () => {
    expect(holds('notarized', { ...helper, notarized: true })).toBe(true);
    expect(holds('notarized', { ...helper, notarized: false })).toBe(false);
    expect(holds('notarized', helper)).toBe(false);
  });

  it('platform = N compares the platform number', () => {
    expect(holds('platform = 1', { ...appleCode, platform: 1 })).toBe(true);
    expect(holds('platform = 2', { ...appleCode, platform: 1 })).toBe(false);
    expect(holds('platform = 1', appleCode)).toBe(false);
  });
});

describe('info and entitlement match suffixes', () => {
  const sandboxed: SigningIdentity = {
    ...helper,
    info: {
      CFBundleVersion: '10.2',
      CFBundleIdentifier: 'com.example.helper',
      LSMinimumSystemVersion: '13.0',
    },
    entitlements: {
      'com.apple.security.app-sandbox': true,
      'com.apple.security.network.client': false,
      'com.apple.security.application-groups': [`${TEAM}.com.example.shared`, 'group.com.example'],
      'com.apple.developer.team-identifier': TEAM,
    },
  };

  it('entitlement[key] exists holds only for an entitlement the code has', () => {
    expect(holds('entitlement["com.apple.security.app-sandbox"] exists', sandboxed)).toBe(true);
    expect(holds('entitlement["com.apple.security.get-task-allow"] exists', sandboxed)).toBe(false);
    expect(holds('entitlement["com.apple.security.app-sandbox"] exists', helper)).toBe(false);
  });

  it('an entitlement set to false does not exist', () => {
    expect(holds('entitlement["com.apple.security.network.client"] exists', sandboxed)).toBe(false);
  });

  it('a boolean entitlement equals true', () => {
    expect(holds('entitlement["com.apple.security.app-sandbox"] = true', sandboxed)).toBe(true);
    expect(holds('entitlement["com.apple.security.app-sandbox"] = false', sandboxed)).toBe(false);
  });

  it('an omitted match suffix means exists', () => {
    expect(holds('info[CFBundleVersion]', sandboxed)).toBe(true);
    expect(holds('info[CFBundleShortVersionString]', sandboxed)).toBe(false);
  });

  it('info[key] = value compares the whole string', () => {
    expect(holds('info[CFBundleIdentifier] = com.example.helper', sandboxed)).toBe(true);
    expect(holds('info[CFBundleIdentifier] = com.example', sandboxed)).toBe(false);
  });

  it('< > <= >= compare runs of digits by value', () => {
    expect(holds('info[CFBundleVersion] > 9.9', sandboxed)).toBe(true);
    expect(holds('info[CFBundleVersion] < 9.9', sandboxed)).toBe(false);
    expect(holds('info[CFBundleVersion] >= 10.2', sandboxed)).toBe(true);
    expect(holds('info[CFBundleVersion] <= 10.2', sandboxed)).toBe(true);
    expect(holds('info[CFBundleVersion] < 10.10', sandboxed)).toBe(true);
    expect(holds('info[LSMinimumSystemVersion] >= 14.0', sandboxed)).toBe(false);
  });

  it('prefix, suffix and contains wildcards', () => {
    expect(holds('info[CFBundleIdentifier] = com.example*', sandboxed)).toBe(true);
    expect(holds('info[CFBundleIdentifier] = *.helper', sandboxed)).toBe(true);
    expect(holds('info[CFBundleIdentifier] = *example*', sandboxed)).toBe(true);
    expect(holds('info[CFBundleIdentifier] = helper*', sandboxed)).toBe(false);
    expect(holds('info[CFBundleIdentifier] = *com', sandboxed)).toBe(false);
    expect(holds('info[CFBundleIdentifier] = *sample*', sandboxed)).toBe(false);
  });

  it('wildcards match only outside quotes', () => {
    const starred: SigningIdentity = { ...helper, info: { Name: '*helper' } };
    expect(holds('info[CFBundleIdentifier] = *"helper"', sandboxed)).toBe(true);
    expect(holds('info[CFBundleIdentifier] = "*helper"', sandboxed)).toBe(false);
    expect(holds('info[Name] = "*helper"', starred)).toBe(true);
    expect(holds('info[Name] = "*help"*', starred)).toBe(true);
  });

  it('an array value matches when any element does', () => {
    const groups = 'entitlement["com.apple.security.application-groups"]';
    expect(holds(`${groups} = "group.com.example"`, sandboxed)).toBe(true);
    expect(holds(`${groups} = ${TEAM}.*`, sandboxed)).toBe(true);
    expect(holds(`${groups} = "group.com.other"`, sandboxed)).toBe(false);
  });

  it('keys inherited from Object.prototype do not exist', () => {
    expect(holds('info[constructor] exists', sandboxed)).toBe(false);
    expect(holds('entitlement[toString]', sandboxed)).toBe(false);
  });
});

describe('operators, comments and strings', () => {
  it('! binds tighter than and, and tighter than or', () => {
    // (!anchor apple) and identifier x: false; !(anchor apple and identifier x) would be true.
    expect(holds('! anchor apple and identifier other.id', helper)).toBe(false);
    // (!anchor apple generic) or identifier …: true; !(anchor apple generic or identifier …) would be false.
    expect(holds('! anchor apple generic or identifier com.example.helper', helper)).toBe(true);
    expect(parseRequirement('!anchor apple or notarized')).toEqual({
      kind: 'or',
      left: { kind: 'not', operand: { kind: 'anchorApple' } },
      right: { kind: 'notarized' },
    });
  });

  it('and binds tighter than or', () => {
    // anchor apple generic or (anchor apple and notarized): true; (… or anchor apple) and notarized would be false.
    expect(holds('anchor apple generic or anchor apple and notarized', helper)).toBe(true);
  });

  it('parentheses override precedence', () => {
    expect(holds('(anchor apple generic or anchor apple) and notarized', helper)).toBe(false);
    expect(holds('!(anchor apple and identifier other.id)', helper)).toBe(true);
  });

  it('and and or are left-associative', () => {
    expect(parseRequirement('notarized and anchor apple and anchor apple generic')).toEqual({
      kind: 'and',
      left: { kind: 'and', left: { kind: 'notarized' }, right: { kind: 'anchorApple' } },
      right: { kind: 'anchorAppleGeneric' },
    });
    expect(parseRequirement('notarized or anchor apple or anchor apple generic')).toEqual({
      kind: 'or',
      left: { kind: 'or', left: { kind: 'notarized' }, right: { kind: 'anchorApple' } },
      right: { kind: 'anchorAppleGeneric' },
    });
  });

  it('!! cancels out', () => {
    expect(holds('!!anchor apple generic', helper)).toBe(true);
  });

  it('comments are ignored between any tokens', () => {
    const text =
      '/* lead */ identifier /* a */ = /* b */ "com.example.helper" /* c */ and /**/ anchor apple generic /* end */';
    expect(holds(text, helper)).toBe(true);
  });

  it('quoted strings take backslash escapes', () => {
    const code: SigningIdentity = { ...helper, info: { Quote: 'say "hi"\\now' } };
    expect(holds('info[Quote] = "say \\"hi\\"\\\\now"', code)).toBe(true);
  });

  it('bare strings may contain "-" and "_"', () => {
    const code: SigningIdentity = { ...helper, identifier: 'com.example.my-helper_2' };
    expect(holds('identifier com.example.my-helper_2', code)).toBe(true);
  });
});

describe('syntax errors', () => {
  it('a syntax error gives -67052 with the position', () => {
    const result = checkRequirement('anchor apple and identifier', helper);
    expect(result.status).toBe(-67052);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('position 27');
  });

  it('the message names the position, what was expected and what was found', () => {
    const error = syntaxErrorOf('anchor apple and identifier');
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(-67052);
    expect(error.position).toBe(27);
    expect(error.message).toBe(
      "requirement syntax error at position 27: expected a string after 'identifier', found end of input",
    );
  });

  it.each([
    ['', 0],
    ['anchor', 6],
    ['anchor google', 7],
    ['identifier foo bar', 15],
    ['(anchor apple', 13],
    ['anchor apple )', 13],
    ['identifier "unterminated', 24],
    ['anchor apple /* open', 20],
    ['cdhash H"abc"', 9],
    ['cdhash "0123456789abcdef0123456789abcdef01234567"', 7],
    ['certificate middle trusted', 12],
    ['certificate leaf[subject.XX] exists', 17],
    ['certificate leaf[field.abc] exists', 17],
    ['certificate leaf[subject.CN', 27],
    ['certificate leaf', 16],
    ['info[CFBundleVersion] != 1', 22],
    ['info[CFBundleVersion] < *1', 24],
    ['entitlement[] exists', 12],
    ['platform 1', 9],
    ['platform = x', 11],
    ['identifier and', 11],
    ['anchor apple @', 13],
    ['anchor apple and', 16],
  ])('%j is rejected at position %i', (text, position) => {
    expect(syntaxErrorOf(text).position).toBe(position);
  });

  it('a hash constant needs exactly 40 hex digits', () => {
    expect(syntaxErrorOf(`cdhash H"${'0'.repeat(39)}"`).expected).toBe('40 hex digits in the hash constant');
    expect(syntaxErrorOf(`cdhash H"${'g'.repeat(40)}"`).position).toBe(9);
  });
});

describe('checkRequirement', () => {
  it('the typical Developer ID designated requirement of §6.1 holds for a matching helper and fails (-67050) for another team', () => {
    expect(checkRequirement(DESIGNATED, helper)).toEqual({
      status: 0,
      ok: true,
      message: describeStatus(0),
    });
    const other = checkRequirement(DESIGNATED, { ...helper, teamId: 'ZZZZZ99999' });
    expect(other.status).toBe(-67050);
    expect(other.ok).toBe(false);
    expect(other.message).toBe(
      '-67050 errSecCSReqFailed: the code failed the requirement: certificate leaf[subject.OU] = ABCDE12345 (the leaf\'s subject.OU is "ZZZZZ99999")',
    );
    expect(other.mismatches).toEqual([
      {
        clause: 'certificate leaf[subject.OU] = ABCDE12345',
        actual: 'the leaf\'s subject.OU is "ZZZZZ99999"',
      },
    ]);
  });

  it('the typical designated requirement fails for another identifier, an Apple Development build and ad-hoc code', () => {
    expect(checkRequirement(DESIGNATED, { ...helper, identifier: 'com.example.other' }).status).toBe(-67050);
    expect(checkRequirement(DESIGNATED, devBuild).status).toBe(-67050);
    expect(checkRequirement(DESIGNATED, { ...adhoc, teamId: TEAM }).status).toBe(-67050);
  });

  it('unsigned code gives -67062', () => {
    const result = checkRequirement('!anchor apple', unsigned);
    expect(result).toEqual({ status: -67062, ok: false, message: describeStatus(-67062) });
  });

  it('unsigned code satisfies no requirement, not even a negated one', () => {
    expect(holds('!anchor apple', unsigned)).toBe(false);
  });

  it('a vanished process gives -67065', () => {
    const result = checkRequirement('anchor apple generic', undefined);
    expect(result.status).toBe(-67065);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('errSecCSNoSuchCode');
  });

  it('a syntax error is reported before the peer is looked at', () => {
    expect(checkRequirement('anchor', undefined).status).toBe(-67052);
    expect(checkRequirement('anchor', unsigned).status).toBe(-67052);
  });
});

describe('OSStatus', () => {
  it('OSStatus holds the §6.2 table', () => {
    expect(OSStatus).toEqual({
      [-67050]: 'errSecCSReqFailed',
      [-67051]: 'errSecCSReqUnsupported',
      [-67052]: 'errSecCSReqInvalid',
      [-67062]: 'errSecCSUnsigned',
      [-67030]: 'errSecCSInfoPlistFailed',
      [-67061]: 'errSecCSSignatureFailed',
      [-67065]: 'errSecCSNoSuchCode',
      [-67063]: 'errSecCSGuestInvalid',
      [-67034]: 'errSecCSStaticCodeChanged',
      [-67054]: 'errSecCSBadResource',
      [-67022]: 'errSecCSUnsignedNestedCode',
    });
  });

  it('describeStatus gives the code, its name and its meaning', () => {
    expect(describeStatus(-67050)).toBe('-67050 errSecCSReqFailed: the code failed the requirement');
    expect(describeStatus(-67030)).toMatch(/^-67030 errSecCSInfoPlistFailed: .*Info\.plist/);
    expect(describeStatus(-1)).toBe('-1 unknown OSStatus');
  });
});
