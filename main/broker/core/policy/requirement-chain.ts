import type {
  CertificateInfo,
  CertificatePosition,
  SigningAnchor,
  SigningIdentity,
} from './requirement-types';

// XPC-MODEL §6.1, "Common Apple OIDs".
/** Intermediate is the Developer ID CA. */
export const OID_DEVELOPER_ID_CA = '1.2.840.113635.100.6.2.6';
/** Leaf is a Developer ID Application certificate. */
export const OID_DEVELOPER_ID_APPLICATION = '1.2.840.113635.100.6.1.13';
/** Intermediate is the WWDR CA (Apple Development and Mac App Store). */
export const OID_WWDR_CA = '1.2.840.113635.100.6.2.1';
/** Leaf is an Apple Development certificate. */
export const OID_APPLE_DEVELOPMENT = '1.2.840.113635.100.6.1.12';
/** Leaf is a Developer ID kext certificate. */
export const OID_DEVELOPER_ID_KEXT = '1.2.840.113635.100.6.1.18';

/** XPC-MODEL §6.1: `anchor apple generic` is anything chained to the Apple Root CA. */
const APPLE_ROOTED: ReadonlySet<SigningAnchor> = new Set([
  'apple',
  'developer-id',
  'apple-development',
  'mac-app-store',
]);

export function isAppleRooted(anchor: SigningAnchor): boolean {
  return APPLE_ROOTED.has(anchor);
}

// [I] XPC Lab's own decision: subject names beyond the §6.1 "Apple Root CA" and
// "Software Signing" are illustrative, and derived certificates carry no sha1.
const APPLE_ROOT_CA: CertificateInfo = {
  subject: { CN: 'Apple Root CA', OU: 'Apple Certification Authority', O: 'Apple Inc.', C: 'US' },
  fields: {},
};

function intermediate(commonName: string, oid: string): CertificateInfo {
  return {
    subject: { CN: commonName, OU: 'Apple Certification Authority', O: 'Apple Inc.', C: 'US' },
    fields: { [oid]: true },
  };
}

function developerLeaf(
  kind: string,
  teamId: string | undefined,
  fields: CertificateInfo['fields'],
): CertificateInfo {
  const subject: Record<string, string> = { CN: teamId ? `${kind}: ${teamId}` : kind };
  if (teamId) subject.OU = teamId;
  return { subject, fields };
}

function defaultChain(anchor: SigningAnchor, teamId: string | undefined): CertificateInfo[] {
  switch (anchor) {
    case 'developer-id':
      return [
        developerLeaf('Developer ID Application', teamId, { [OID_DEVELOPER_ID_APPLICATION]: true }),
        intermediate('Developer ID Certification Authority', OID_DEVELOPER_ID_CA),
        APPLE_ROOT_CA,
      ];
    case 'apple-development':
      return [
        developerLeaf('Apple Development', teamId, { [OID_APPLE_DEVELOPMENT]: true }),
        intermediate('Apple Worldwide Developer Relations Certification Authority', OID_WWDR_CA),
        APPLE_ROOT_CA,
      ];
    case 'mac-app-store':
      return [
        developerLeaf('Apple Mac OS Application Signing', teamId, {}),
        intermediate('Apple Worldwide Developer Relations Certification Authority', OID_WWDR_CA),
        APPLE_ROOT_CA,
      ];
    case 'apple':
      return [
        { subject: { CN: 'Software Signing', O: 'Apple Inc.', C: 'US' }, fields: {} },
        {
          subject: { CN: 'Apple Code Signing Certification Authority', O: 'Apple Inc.', C: 'US' },
          fields: {},
        },
        APPLE_ROOT_CA,
      ];
    default:
      return [];
  }
}

/**
 * The chain, leaf first. Ad-hoc and unsigned code have none, which makes every
 * certificate-based constraint false (XPC-MODEL §6.1).
 */
export function certificateChain(code: SigningIdentity): readonly CertificateInfo[] {
  if (!isAppleRooted(code.anchor)) return [];
  return code.certificates ?? defaultChain(code.anchor, code.teamId);
}

/** XPC-MODEL §6.1: non-negative positions count from the leaf, negative ones from the anchor. */
export function certificateAt(
  chain: readonly CertificateInfo[],
  position: CertificatePosition,
): CertificateInfo | undefined {
  return chain.at(position);
}

// [I] XPC Lab's own decision: the only anchor in the simulated system trust
// store is the Apple Root CA, so a certificate is trusted when it is the anchor
// of an Apple-rooted chain.
export function isTrusted(chain: readonly CertificateInfo[], position: CertificatePosition): boolean {
  const index = position >= 0 ? position : chain.length + position;
  return chain.length > 0 && index === chain.length - 1;
}
