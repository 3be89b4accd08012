import { ContentInfo, id_signedData, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { parse } from 'plist';

/**
 * What AMFI reads from `Contents/embedded.provisionprofile` (XPC-MODEL §10.7): a CMS SignedData whose
 * encapsulated content is an XML plist.
 */
export interface ProvisioningProfile {
  name?: string;
  teamIds: string[];
  entitlements: Record<string, unknown>;
  provisionedDevices: string[];
  /** ExpirationDate, ms since the epoch. */
  expiresAt?: number;
}

export class ProfileError extends Error {}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Reads a provisioning profile's bytes; anything that is not a CMS-wrapped plist throws ProfileError saying what. */
export function readProvisioningProfile(bytes: Uint8Array): ProvisioningProfile {
  let content: ArrayBuffer | undefined;
  try {
    const info = AsnConvert.parse(bytes, ContentInfo);
    if (info.contentType !== id_signedData)
      throw new ProfileError(
        `the CMS content type is ${info.contentType}, not signedData (${id_signedData})`,
      );
    const signed = AsnConvert.parse(info.content, SignedData);
    const e = signed.encapContentInfo.eContent;
    content = e?.single?.buffer ?? e?.any;
  } catch (error) {
    if (error instanceof ProfileError) throw error;
    throw new ProfileError(`not a CMS SignedData structure: ${(error as Error).message}`);
  }
  if (!content) throw new ProfileError('the CMS structure carries no content (a detached signature)');
  let plist: unknown;
  try {
    plist = parse(Buffer.from(content).toString('utf8'));
  } catch (error) {
    throw new ProfileError(`the signed content is not a plist: ${(error as Error).message}`);
  }
  if (!isDict(plist)) throw new ProfileError('the signed plist is not a dictionary');
  const expires = plist.ExpirationDate;
  return {
    ...(typeof plist.Name === 'string' ? { name: plist.Name } : {}),
    teamIds: strings(plist.TeamIdentifier),
    entitlements: isDict(plist.Entitlements) ? plist.Entitlements : {},
    provisionedDevices: strings(plist.ProvisionedDevices),
    ...(expires instanceof Date ? { expiresAt: expires.getTime() } : {}),
  };
}

/** An entitlement value the profile allows: equal, or matched by a trailing `*` wildcard (`ABCDE12345.*`). */
function allows(allowed: unknown, wanted: string): boolean {
  const values = Array.isArray(allowed) ? allowed : [allowed];
  return values.some(
    (a) => typeof a === 'string' && (a === wanted || (a.endsWith('*') && wanted.startsWith(a.slice(0, -1)))),
  );
}

/**
 * XPC-MODEL §10.7: the entitlements of a signature that a profile does not grant, or why the profile does not
 * apply at all (another team, expired). Empty when every restricted entitlement is satisfied.
 */
export function unsatisfied(
  profile: ProvisioningProfile | undefined,
  wanted: Record<string, unknown>,
  teamId: string | undefined,
  now: number,
): { keys: string[]; why: string } {
  const keys = Object.keys(wanted).filter((k) => RESTRICTED.has(k));
  if (keys.length === 0) return { keys: [], why: '' };
  if (!profile) return { keys, why: 'no embedded.provisionprofile' };
  if (!teamId || !profile.teamIds.includes(teamId))
    return {
      keys,
      why: `the profile is for team ${profile.teamIds.join(', ') || 'none'}, the signature for ${teamId ?? 'none'}`,
    };
  if (profile.expiresAt !== undefined && profile.expiresAt < now)
    return { keys, why: 'the profile has expired' };
  const missing = keys.filter((k) => {
    const want = wanted[k];
    const values = Array.isArray(want) ? want : [want];
    return !values.every((v) =>
      typeof v === 'string' ? allows(profile.entitlements[k], v) : profile.entitlements[k] === v,
    );
  });
  return { keys: missing, why: missing.length ? `the profile does not grant ${missing.join(', ')}` : '' };
}

/**
 * [I] The entitlement AMFI wants a profile for in this model: XPC-MODEL §10.7 names application-groups
 * (seed 002); other restricted entitlements are left out.
 */
const RESTRICTED = new Set(['com.apple.security.application-groups']);
