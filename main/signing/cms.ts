import { createHash } from 'node:crypto';
import { ContentInfo, id_signedData, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { type Certificate, type Name, Time } from '@peculiar/asn1-x509';
import { SignatureError } from './errors';
import type { CertificateSummary } from './types';

/** XPC-MODEL §6.1: Apple's code-signing certificate markers live under this arc. */
const APPLE_OID_ARC = '1.2.840.113635.100.6.';
const SIGNING_TIME = '1.2.840.113549.1.9.5';

const SUBJECT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.13': 'D',
  '1.2.840.113549.1.9.1': 'email',
  '0.9.2342.19200300.100.1.1': 'UID',
};

function nameFields(name: Name): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rdn of name) {
    for (const attribute of rdn) {
      const key = SUBJECT_NAMES[attribute.type] ?? attribute.type;
      out[key] = attribute.value.toString();
    }
  }
  return out;
}

function sameName(a: Name, b: Name): boolean {
  return Buffer.from(AsnConvert.serialize(a)).equals(Buffer.from(AsnConvert.serialize(b)));
}

function summarise(certificate: Certificate): CertificateSummary {
  const tbs = certificate.tbsCertificate;
  const der = Buffer.from(AsnConvert.serialize(certificate));
  const appleOids = (tbs.extensions ?? [])
    .map((extension) => extension.extnID)
    .filter((oid) => oid.startsWith(APPLE_OID_ARC));
  return {
    subject: nameFields(tbs.subject),
    issuer: nameFields(tbs.issuer),
    appleOids,
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex'),
    notBefore: tbs.validity.notBefore.getTime().toISOString(),
    notAfter: tbs.validity.notAfter.getTime().toISOString(),
    sha1: createHash('sha1').update(der).digest('hex'),
  };
}

export interface CmsSummary {
  /** Leaf (the signer) first, then each issuer found in the blob. */
  certificates: CertificateSummary[];
  signingTime?: string;
}

/** Parses the CMS signature blob's DER (after its 8-byte blob header). */
export function readCms(file: string, where: string, der: Uint8Array): CmsSummary {
  if (der.length === 0) return { certificates: [] };
  let signed: SignedData;
  try {
    // A copy of just these bytes: the parser otherwise works over the whole buffer the view sits in.
    const info = AsnConvert.parse(der.slice(), ContentInfo);
    if (info.contentType !== id_signedData) {
      throw new Error(`content type ${info.contentType} is not signedData`);
    }
    signed = AsnConvert.parse(info.content, SignedData);
  } catch (error) {
    throw new SignatureError(file, `${where}: CMS signature is not valid DER: ${(error as Error).message}`);
  }
  const all = (signed.certificates ?? [])
    .map((choice) => choice.certificate)
    .filter((c): c is Certificate => c !== undefined);
  const signer = signed.signerInfos[0];
  let leaf: Certificate | undefined;
  const sid = signer?.sid.issuerAndSerialNumber;
  if (sid) {
    const serial = Buffer.from(sid.serialNumber);
    leaf = all.find(
      (c) =>
        Buffer.from(c.tbsCertificate.serialNumber).equals(serial) &&
        sameName(c.tbsCertificate.issuer, sid.issuer),
    );
  }
  leaf ??= all[0];
  const chain: Certificate[] = [];
  for (let at = leaf; at && !chain.includes(at) && chain.length < all.length; ) {
    chain.push(at);
    const current: Certificate = at;
    if (sameName(current.tbsCertificate.subject, current.tbsCertificate.issuer)) break;
    at = all.find((c) => c !== current && sameName(c.tbsCertificate.subject, current.tbsCertificate.issuer));
  }
  let signingTime: string | undefined;
  const attribute = signer?.signedAttrs?.find((a) => a.attrType === SIGNING_TIME);
  if (attribute?.attrValues[0]) {
    try {
      signingTime = AsnConvert.parse(attribute.attrValues[0], Time).getTime().toISOString();
    } catch {
      // A malformed signing time leaves the time unknown; the chain is still reported.
    }
  }
  return { certificates: chain.map(summarise), ...(signingTime ? { signingTime } : {}) };
}
