import type { ArchitectureSignature, CertificateSummary } from '../../../signing/types';
import {
  OID_APPLE_DEVELOPMENT,
  OID_DEVELOPER_ID_APPLICATION,
  OID_DEVELOPER_ID_CA,
  OID_WWDR_CA,
} from './requirement-chain';
import type { CertificateInfo, SigningAnchor, SigningIdentity } from './requirement-types';

/** Apple Root CA's SHA-1 fingerprint; the anchor `anchor apple generic` asks for (XPC-MODEL §6.1). */
const APPLE_ROOT_CA_SHA1 = '611e5b662c593a08ff58d14ae22452d198df6c60';
/** Leaf marker of a Mac App Store signing certificate (XPC-MODEL §10.5). */
export const OID_MAC_APP_STORE = '1.2.840.113635.100.6.1.9';

export function certificateInfo(
  summary: Pick<CertificateSummary, 'subject' | 'appleOids' | 'sha1'>,
): CertificateInfo {
  return {
    subject: summary.subject,
    fields: Object.fromEntries(summary.appleOids.map((oid) => [oid, true as const])),
    sha1: summary.sha1,
  };
}

/**
 * Which kind of signer a real certificate chain shows (XPC-MODEL §6.1, §10.5).
 * [I] A chain that does not end at the Apple Root CA counts as ad hoc: its
 * certificates are not trusted for any certificate-based constraint.
 */
export function anchorOf(signature: ArchitectureSignature): SigningAnchor {
  if (!signature.signed) return 'unsigned';
  const chain = signature.certificates ?? [];
  if (signature.adhoc || chain.length === 0) return 'adhoc';
  const root = chain.at(-1);
  if (root?.sha1 !== APPLE_ROOT_CA_SHA1) return 'adhoc';
  const leaf = chain[0]?.appleOids ?? [];
  const issuer = chain[1]?.appleOids ?? [];
  if (leaf.includes(OID_DEVELOPER_ID_APPLICATION) || issuer.includes(OID_DEVELOPER_ID_CA))
    return 'developer-id';
  if (leaf.includes(OID_MAC_APP_STORE)) return 'mac-app-store';
  if (leaf.includes(OID_APPLE_DEVELOPMENT) || issuer.includes(OID_WWDR_CA)) return 'apple-development';
  return 'apple';
}

/** The identity a process presents when its executable carries this signature (XPC-MODEL §10.5). */
export function identityFromSignature(signature: ArchitectureSignature): SigningIdentity {
  const anchor = anchorOf(signature);
  return {
    identifier: signature.identifier ?? '',
    anchor,
    ...(signature.teamId ? { teamId: signature.teamId } : {}),
    ...(signature.codeDirectory ? { cdhash: signature.codeDirectory.cdhash } : {}),
    ...(signature.entitlements ? { entitlements: signature.entitlements } : {}),
    certificates: anchor === 'adhoc' ? [] : (signature.certificates ?? []).map(certificateInfo),
  };
}
