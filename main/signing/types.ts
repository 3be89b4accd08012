/** What a Mach-O's code signature says, per architecture (XPC-MODEL §10.5). */
export interface CertificateSummary {
  /** Subject attributes by short name (CN, OU, O, C, …). */
  subject: Record<string, string>;
  issuer: Record<string, string>;
  /** Apple OIDs (1.2.840.113635.100.6.*) among the certificate's extensions. */
  appleOids: string[];
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-1 of the DER certificate, 40 lowercase hex digits (what `certificate N = H"…"` tests). */
  sha1: string;
}

export interface CodeDirectorySummary {
  /** Slot in the SuperBlob: 0 for the primary, 0x1000+ for alternates. */
  slot: number;
  version: number;
  flags: number;
  hashType: number;
  hashTypeName: string;
  /** Hex: the first 20 bytes of the CodeDirectory blob's hash. */
  cdhash: string;
  /** Hex: the whole hash (CandidateCDHashFull). */
  cdhashFull: string;
  codeSlots: number;
  specialSlots: number;
  pageSize: number;
  size: number;
  platform: number;
  execSegmentBase?: number;
  execSegmentLimit?: number;
  execSegmentFlags?: number;
  runtimeVersion?: string;
}

export interface RequirementEntry {
  /** 1 host, 2 guest, 3 designated, 4 library, 5 plugin. */
  type: number;
  typeName: string;
  text: string;
}

export interface ArchitectureSignature {
  arch: string;
  /** Byte offset of this slice in the file (0 for a thin file). */
  offset: number;
  size: number;
  /** False when the slice has no LC_CODE_SIGNATURE. */
  signed: boolean;
  identifier?: string;
  teamId?: string;
  flags?: number;
  flagNames?: string[];
  /** The CodeDirectory codesign reports (strongest hash type). */
  codeDirectory?: CodeDirectorySummary;
  /** Every CodeDirectory in the signature, primary first. */
  codeDirectories?: CodeDirectorySummary[];
  requirements?: RequirementEntry[];
  /** Bytes of the requirement set blob (codesign's "Internal requirements … size="). */
  requirementsSize?: number;
  /** `designated => …` text; implicit (`# designated => cdhash …`) for ad-hoc code without one. */
  designatedRequirement?: string;
  designatedImplicit?: boolean;
  entitlementsXml?: string;
  entitlements?: Record<string, unknown>;
  entitlementsDer?: Record<string, unknown>;
  /** Leaf first. Empty for ad-hoc and linker-signed code. */
  certificates?: CertificateSummary[];
  signatureSize?: number;
  signingTime?: string;
  adhoc?: boolean;
  linkerSigned?: boolean;
}

export interface CodeSignatureReport {
  file: string;
  /** "Mach-O thin (arm64)" or "Mach-O universal (x86_64 arm64)", as codesign says. */
  format: string;
  universal: boolean;
  architectures: ArchitectureSignature[];
}
