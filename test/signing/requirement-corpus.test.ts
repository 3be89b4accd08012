import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import {
  type CertificateInfo,
  checkRequirement,
  DESIGNATED_HINT,
  type SigningIdentity,
} from '../../main/broker/core/policy/requirement';
import { identityFromSignature } from '../../main/broker/core/policy/signature-identity';
import { hostArchitecture, readCodeSignatureSparse } from '../../main/signing';

const CORPUS = join(__dirname, '..', 'fixtures', 'real', 'requirements');
const BINARIES = join(__dirname, '..', 'fixtures', 'real', 'binaries');

const text = (name: string) => readFileSync(join(CORPUS, name), 'utf8');
/** A C string literal's text as the compiler reads it. */
const cString = (name: string) => text(name).replace(/\\(["\\])/g, '$1');
const plist = (name: string) => parse(text(name)) as Record<string, unknown>;
const authorizedClients = (name: string) => (plist(name).SMAuthorizedClients as string[])[0]!;
const privilegedExecutable = (name: string, label: string) =>
  (plist(name).SMPrivilegedExecutables as Record<string, string>)[label]!;

// Certificate chains as Apple issues them (XPC-MODEL §6.1, §10.5).
const ROOT: CertificateInfo = { subject: { CN: 'Apple Root CA', O: 'Apple Inc.' }, fields: {} };
const WWDR: CertificateInfo = {
  subject: { CN: 'Apple Worldwide Developer Relations Certification Authority' },
  fields: { '1.2.840.113635.100.6.2.1': true },
};
const DEVID_CA: CertificateInfo = {
  subject: { CN: 'Developer ID Certification Authority' },
  fields: { '1.2.840.113635.100.6.2.6': true },
};

function developerId(identifier: string, team: string): SigningIdentity {
  const leaf = {
    subject: { CN: `Developer ID Application: Example (${team})`, OU: team },
    fields: { '1.2.840.113635.100.6.1.13': true as const },
  };
  return { identifier, teamId: team, anchor: 'developer-id', certificates: [leaf, DEVID_CA, ROOT] };
}
function appleDevelopment(identifier: string, commonName: string, team: string): SigningIdentity {
  const leaf = {
    subject: { CN: commonName, OU: team },
    fields: { '1.2.840.113635.100.6.1.12': true as const },
  };
  return { identifier, teamId: team, anchor: 'apple-development', certificates: [leaf, WWDR, ROOT] };
}
function macAppStore(identifier: string, team: string): SigningIdentity {
  const leaf = {
    subject: { CN: 'Apple Mac OS Application Signing', OU: team },
    fields: { '1.2.840.113635.100.6.1.9': true as const },
  };
  return { identifier, teamId: team, anchor: 'mac-app-store', certificates: [leaf, WWDR, ROOT] };
}
const apple = (identifier: string): SigningIdentity => ({ identifier, anchor: 'apple' });

// Real identities read from the cut signature fixtures.
const sentry = identityFromSignature(
  hostArchitecture(readCodeSignatureSparse(join(BINARIES, 'sentry-cli-darwin-3.8.0.sparse'))),
);
const esbuild = identityFromSignature(
  hostArchitecture(readCodeSignatureSparse(join(BINARIES, 'esbuild-darwin-arm64-0.28.2.sparse'))),
);

const MARLKILLER = 'Apple Development: marlkiller@vip.qq.com (L79ZQ6T579)';
const ERIK = 'Mac Developer: Erik Berglund (BXUF2UUW7E)';

interface Case {
  file: string;
  requirement: () => string;
  /** Identities macOS accepts, and identities it refuses with -67050. */
  holds: [string, SigningIdentity][];
  fails: [string, SigningIdentity][];
  pasted?: boolean;
}

const CASES: Case[] = [
  {
    file: '01-smjobbless-reverse-helper-designated-output.txt',
    requirement: () => text('01-smjobbless-reverse-helper-designated-output.txt'),
    pasted: true,
    holds: [
      [
        'the helper signed by that Apple Development certificate',
        appleDevelopment('com.apple.bsd.SMJobBlessHelper', MARLKILLER, 'L79ZQ6T579'),
      ],
    ],
    fails: [
      [
        'the same helper signed with Developer ID of the same team',
        developerId('com.apple.bsd.SMJobBlessHelper', 'L79ZQ6T579'),
      ],
      [
        'another developer’s Apple Development build',
        appleDevelopment(
          'com.apple.bsd.SMJobBlessHelper',
          'Apple Development: Jane Doe (ABCDE12345)',
          'ABCDE12345',
        ),
      ],
    ],
  },
  {
    file: '02-smjobbless-reverse-app-designated-output.txt',
    requirement: () => text('02-smjobbless-reverse-app-designated-output.txt'),
    pasted: true,
    holds: [['the app', appleDevelopment('com.apple.bsd.SMJobBlessApp', MARLKILLER, 'L79ZQ6T579')]],
    fails: [
      [
        'the helper (another identifier)',
        appleDevelopment('com.apple.bsd.SMJobBlessHelper', MARLKILLER, 'L79ZQ6T579'),
      ],
    ],
  },
  {
    file: '03-smjobbless-reverse-helper-Info.plist',
    requirement: () => authorizedClients('03-smjobbless-reverse-helper-Info.plist'),
    holds: [['the app', appleDevelopment('com.apple.bsd.SMJobBlessApp', MARLKILLER, 'L79ZQ6T579')]],
    fails: [
      ['ad-hoc code with that identifier', { identifier: 'com.apple.bsd.SMJobBlessApp', anchor: 'adhoc' }],
    ],
  },
  {
    file: '04-smjobbless-reverse-app-Info.plist',
    requirement: () =>
      privilegedExecutable('04-smjobbless-reverse-app-Info.plist', 'com.apple.bsd.SMJobBlessHelper'),
    holds: [['the helper', appleDevelopment('com.apple.bsd.SMJobBlessHelper', MARLKILLER, 'L79ZQ6T579')]],
    fails: [['sentry-cli (real signature)', sentry]],
  },
  {
    file: '05-surge-mac-designated-output.txt',
    requirement: () => text('05-surge-mac-designated-output.txt'),
    pasted: true,
    holds: [
      ['the Developer ID build', developerId('com.nssurge.surge-mac', 'YCKFLA6N72')],
      ['the Mac App Store build', macAppStore('com.nssurge.surge-mac', 'YCKFLA6N72')],
    ],
    fails: [
      ['a Developer ID build of another team', developerId('com.nssurge.surge-mac', 'ZZZZZ99999')],
      [
        'an Apple Development build of the same team',
        appleDevelopment('com.nssurge.surge-mac', 'Apple Development: Dev (YCKFLA6N72)', 'YCKFLA6N72'),
      ],
    ],
  },
  {
    file: '06-swiftprivilegedhelper-Helper-Info.plist',
    requirement: () => authorizedClients('06-swiftprivilegedhelper-Helper-Info.plist'),
    holds: [
      [
        'the app signed by that Mac Developer certificate',
        appleDevelopment('com.github.erikberglund.SwiftPrivilegedHelperApplication', ERIK, 'BXUF2UUW7E'),
      ],
    ],
    fails: [
      [
        'the app signed with Developer ID',
        developerId('com.github.erikberglund.SwiftPrivilegedHelperApplication', 'BXUF2UUW7E'),
      ],
    ],
  },
  {
    file: '07-swiftprivilegedhelper-app-Info.plist',
    requirement: () =>
      privilegedExecutable(
        '07-swiftprivilegedhelper-app-Info.plist',
        'com.github.erikberglund.SwiftPrivilegedHelper',
      ),
    holds: [
      ['the helper', appleDevelopment('com.github.erikberglund.SwiftPrivilegedHelper', ERIK, 'BXUF2UUW7E')],
    ],
    fails: [
      [
        'the app (another identifier)',
        appleDevelopment('com.github.erikberglund.SwiftPrivilegedHelperApplication', ERIK, 'BXUF2UUW7E'),
      ],
    ],
  },
  {
    file: '08-sap-privileges-anchor-apple.txt',
    requirement: () => text('08-sap-privileges-anchor-apple.txt'),
    holds: [['an Apple binary', apple('com.apple.ls')]],
    fails: [['sentry-cli (Developer ID, real signature)', sentry]],
  },
  {
    file: '10-tn3127-textedit.txt',
    requirement: () => text('10-tn3127-textedit.txt'),
    holds: [['TextEdit', apple('com.apple.TextEdit')]],
    fails: [['Calculator (TN3127 says it fails)', apple('com.apple.calculator')]],
  },
  {
    file: '11-tn3127-cdhash.txt',
    requirement: () => text('11-tn3127-cdhash.txt'),
    holds: [['code with that CDHash', { ...esbuild, cdhash: 'ff19a91b272a49d1a0f16ee54c672da60f0e116f' }]],
    fails: [['esbuild (real CDHash)', esbuild]],
  },
  {
    file: '12-tn3127-anchor-apple-generic.txt',
    requirement: () => text('12-tn3127-anchor-apple-generic.txt'),
    holds: [['sentry-cli (real Developer ID chain)', sentry]],
    fails: [['esbuild (real, ad hoc)', esbuild]],
  },
  {
    file: '13-tn3127-textedit-designated-output.txt',
    requirement: () => text('13-tn3127-textedit-designated-output.txt'),
    pasted: true,
    holds: [['TextEdit', apple('com.apple.TextEdit')]],
    fails: [['a Developer ID app claiming the identifier', developerId('com.apple.TextEdit', 'ABCDE12345')]],
  },
  {
    file: '14-tn3127-xcode-developer-id-designated-output.txt',
    requirement: () => text('14-tn3127-xcode-developer-id-designated-output.txt'),
    pasted: true,
    holds: [
      ['the Developer ID build', developerId('com.example.apple-samplecode.AppWithTool', 'SKMME9E2Y8')],
      ['the Mac App Store build', macAppStore('com.example.apple-samplecode.AppWithTool', 'SKMME9E2Y8')],
    ],
    fails: [
      ['the embedded tool', developerId('com.example.apple-samplecode.AppWithTool.ToolX', 'SKMME9E2Y8')],
    ],
  },
  {
    file: '15-tn3127-numbers-mas-designated-output.txt',
    requirement: () => text('15-tn3127-numbers-mas-designated-output.txt'),
    pasted: true,
    holds: [
      ['Numbers from the Mac App Store', macAppStore('com.apple.iWork.Numbers', 'K36BKF7T3D')],
      ['Numbers signed with Apple’s Developer ID', developerId('com.apple.iWork.Numbers', 'K36BKF7T3D')],
    ],
    fails: [['a Developer ID build of another team', developerId('com.apple.iWork.Numbers', 'ABCDE12345')]],
  },
  {
    file: '16-tn3127-apple-development-designated-output.txt',
    requirement: () => text('16-tn3127-apple-development-designated-output.txt'),
    pasted: true,
    holds: [
      [
        'a leaf whose CN is literally the elided name',
        appleDevelopment('com.example.apple-samplecode.AppWithTool', 'Apple Development: …', 'SKMME9E2Y8'),
      ],
    ],
    fails: [
      ['the Developer ID build', developerId('com.example.apple-samplecode.AppWithTool', 'SKMME9E2Y8')],
    ],
  },
  {
    file: '17-sap-privileges-mobileconfig-mas-or-developer-id.txt',
    requirement: () => text('17-sap-privileges-mobileconfig-mas-or-developer-id.txt'),
    holds: [
      ['the Developer ID extension', developerId('corp.sap.privileges.extension', '7R5ZEU67FQ')],
      ['a Mac App Store build', macAppStore('corp.sap.privileges.extension', '7R5ZEU67FQ')],
    ],
    fails: [['ad-hoc code', { identifier: 'corp.sap.privileges.extension', anchor: 'adhoc' }]],
  },
  {
    file: '18-tn3126-tool-requirement.txt',
    requirement: () => text('18-tn3126-tool-requirement.txt'),
    holds: [['the tool', developerId('com.example.apple-samplecode.AppWithTool.ToolX', 'SKMME9E2Y8')]],
    fails: [['the app', developerId('com.example.apple-samplecode.AppWithTool', 'SKMME9E2Y8')]],
  },
  {
    file: '19-systempolicyrule-example.txt',
    requirement: () => text('19-systempolicyrule-example.txt'),
    holds: [],
    fails: [
      // The example's placeholder OID replaces 1.2.840.113635.100.6.1.13 too, so no real certificate carries it.
      ['the Developer ID build', developerId('com.example.myapp', 'ABCDE12345')],
      ['a real Mac App Store build', macAppStore('com.example.myapp', 'ABCDE12345')],
    ],
  },
  {
    file: '20-lulu-mac-app-store-cn.txt',
    requirement: () => cString('20-lulu-mac-app-store-cn.txt'),
    holds: [['a Mac App Store app', macAppStore('com.example.app', 'ABCDE12345')]],
    fails: [['sentry-cli (real signature)', sentry]],
  },
  {
    file: '21-lulu-ios-app-store-cn.txt',
    requirement: () => cString('21-lulu-ios-app-store-cn.txt'),
    holds: [],
    fails: [['a Mac App Store app', macAppStore('com.example.app', 'ABCDE12345')]],
  },
  {
    file: '22-lulu-anchor-apple-generic.txt',
    requirement: () => text('22-lulu-anchor-apple-generic.txt'),
    holds: [
      ['sentry-cli (real signature)', sentry],
      ['an Apple binary', apple('com.apple.ls')],
    ],
    fails: [['esbuild (real, ad hoc)', esbuild]],
  },
  {
    file: '23-mdnsresponder-BonjourPrefTool-Info.plist',
    requirement: () =>
      (
        (plist('23-mdnsresponder-BonjourPrefTool-Info.plist').XPCService as Record<string, unknown>)
          ._AllowedClients as string[]
      )[0]!,
    holds: [
      ['Apple’s remote service', apple('com.apple.preference.bonjour.remoteservice')],
      [
        'a Mac App Store build of it',
        macAppStore('com.apple.preference.bonjour.remoteservice', 'ABCDE12345'),
      ],
    ],
    fails: [
      ['a Developer ID build of it', developerId('com.apple.preference.bonjour.remoteservice', 'ABCDE12345')],
    ],
  },
];

describe('real requirement strings evaluate as on a Mac', () => {
  it('the corpus holds at least 20 strings, each with its .source', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    for (const c of CASES) expect(text(`${c.file}.source`)).toMatch(/^Source: /);
  });

  describe.each(CASES)('$file', (c) => {
    it.each(c.holds)('holds for %s', (_who, identity) => {
      const check = checkRequirement(c.requirement(), identity);
      expect(check.status, check.message).toBe(0);
    });
    it.each(c.fails)('fails (-67050) for %s', (_who, identity) => {
      const check = checkRequirement(c.requirement(), identity);
      expect(check.status).toBe(-67050);
      expect(check.mismatches?.length).toBeGreaterThan(0);
    });
    it(
      c.pasted
        ? 'is codesign output: the designated => prefix is stripped with a hint'
        : 'compiles as written',
      () => {
        const check = checkRequirement(c.requirement(), apple('x'));
        expect(check.status).not.toBe(-67052);
        expect(check.hint).toBe(c.pasted ? DESIGNATED_HINT : undefined);
      },
    );
  });

  it('says which clause and which field failed', () => {
    const requirement = authorizedClients('06-swiftprivilegedhelper-Helper-Info.plist');
    const check = checkRequirement(
      requirement,
      developerId('com.github.erikberglund.SwiftPrivilegedHelperApplication', 'BXUF2UUW7E'),
    );
    expect(check.mismatches?.[0]).toEqual({
      clause: 'certificate leaf[subject.CN] = "Mac Developer: Erik Berglund (BXUF2UUW7E)"',
      actual: 'the leaf\'s subject.CN is "Developer ID Application: Example (BXUF2UUW7E)"',
    });
    const adhoc = checkRequirement(text('12-tn3127-anchor-apple-generic.txt'), esbuild);
    expect(adhoc.message).toContain('anchor apple generic (ad-hoc code has no certificates)');
  });

  it('`absent` holds only when the entitlement is missing', () => {
    const requirement = 'anchor apple generic and entitlement["com.apple.security.get-task-allow"] absent';
    expect(checkRequirement(requirement, sentry).ok).toBe(true);
    const debug = { ...sentry, entitlements: { 'com.apple.security.get-task-allow': true } };
    const check = checkRequirement(requirement, debug);
    expect(check.status).toBe(-67050);
    expect(check.mismatches?.[0]?.actual).toBe('entitlement[com.apple.security.get-task-allow] is true');
  });
});
