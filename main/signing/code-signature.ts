import { createHash } from 'node:crypto';
import { parse as parsePlist } from 'plist';
import { locateXmlProblem } from '../world/plist-lines';
import type { ByteSource } from './byte-source';
import { readCms } from './cms';
import { readDerEntitlements } from './der-entitlements';
import { SignatureError } from './errors';
import { type MachOSlice, readMachOLayout } from './macho';
import { REQUIREMENT_TYPE_NAMES, requirementText } from './requirement-text';
import type {
  ArchitectureSignature,
  CodeDirectorySummary,
  CodeSignatureReport,
  RequirementEntry,
} from './types';

// XPC-MODEL §10.5: blob magics and SuperBlob slots.
const SUPERBLOB = 0xfade0cc0;
const CODEDIRECTORY = 0xfade0c02;
const REQUIREMENTS = 0xfade0c01;
const ENTITLEMENTS_XML = 0xfade7171;
const ENTITLEMENTS_DER = 0xfade7172;
const CMS_WRAPPER = 0xfade0b01;
const SLOT_CODEDIRECTORY = 0;
const SLOT_REQUIREMENTS = 2;
const SLOT_ENTITLEMENTS = 5;
const SLOT_DER_ENTITLEMENTS = 7;
const SLOT_ALTERNATE_FIRST = 0x1000;
const SLOT_ALTERNATE_LAST = 0x1004;
const SLOT_SIGNATURE = 0x10000;
const MAX_BLOBS = 64;

/** Code-signature flags with the names codesign prints (kSecCodeSignature*, cs_blobs.h). */
export const SIGNATURE_FLAG_NAMES: [number, string][] = [
  [0x1, 'host'],
  [0x2, 'adhoc'],
  [0x100, 'hard'],
  [0x200, 'kill'],
  [0x400, 'expires'],
  [0x800, 'restrict'],
  [0x1000, 'enforcement'],
  [0x2000, 'library-validation'],
  [0x10000, 'runtime'],
  [0x20000, 'linker-signed'],
];
export const FLAG_ADHOC = 0x2;
export const FLAG_RUNTIME = 0x10000;
export const FLAG_LINKER_SIGNED = 0x20000;

export function flagNames(flags: number): string[] {
  return SIGNATURE_FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

interface HashType {
  name: string;
  algorithm: string;
  size: number;
  /** Higher is preferred when choosing among CodeDirectories, as codesign does. */
  rank: number;
}
const HASH_TYPES: Record<number, HashType> = {
  1: { name: 'sha1', algorithm: 'sha1', size: 20, rank: 1 },
  2: { name: 'sha256', algorithm: 'sha256', size: 32, rank: 3 },
  3: { name: 'sha256-truncated', algorithm: 'sha256', size: 20, rank: 2 },
  4: { name: 'sha384', algorithm: 'sha384', size: 48, rank: 4 },
};

function be(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cString(file: string, where: string, bytes: Uint8Array, offset: number, what: string): string {
  if (offset >= bytes.length)
    throw new SignatureError(file, `${where}: ${what} offset ${offset} is past the CodeDirectory's end`);
  const end = bytes.indexOf(0, offset);
  if (end < 0)
    throw new SignatureError(file, `${where}: ${what} is not NUL-terminated inside the CodeDirectory`);
  return new TextDecoder().decode(bytes.subarray(offset, end));
}

function readCodeDirectory(
  file: string,
  where: string,
  slot: number,
  blob: Uint8Array,
): CodeDirectorySummary & {
  identifier: string;
  teamId?: string;
} {
  const v = be(blob);
  if (blob.length < 44)
    throw new SignatureError(file, `${where}: CodeDirectory is ${blob.length} bytes, too short`);
  const version = v.getUint32(8);
  if (version < 0x20001)
    throw new SignatureError(
      file,
      `${where}: CodeDirectory version 0x${version.toString(16)} is older than any codesign writes`,
    );
  const flags = v.getUint32(12);
  const identOffset = v.getUint32(20);
  const nSpecialSlots = v.getUint32(24);
  const nCodeSlots = v.getUint32(28);
  const hashSize = v.getUint8(36);
  const hashTypeCode = v.getUint8(37);
  const platform = v.getUint8(38);
  const pageSizeLog = v.getUint8(39);
  const hashType = HASH_TYPES[hashTypeCode];
  if (!hashType)
    throw new SignatureError(file, `${where}: CodeDirectory has unknown hash type ${hashTypeCode}`);
  if (hashSize !== hashType.size) {
    throw new SignatureError(
      file,
      `${where}: CodeDirectory hash size ${hashSize} does not fit hash type ${hashType.name}`,
    );
  }
  const identifier = cString(file, where, blob, identOffset, 'identifier');
  let teamId: string | undefined;
  if (version >= 0x20200 && blob.length >= 52) {
    const teamOffset = v.getUint32(48);
    if (teamOffset !== 0) teamId = cString(file, where, blob, teamOffset, 'team identifier');
  }
  const digest = createHash(hashType.algorithm).update(blob).digest();
  const summary: CodeDirectorySummary & { identifier: string; teamId?: string } = {
    identifier,
    slot,
    version,
    flags,
    hashType: hashTypeCode,
    hashTypeName: hashType.name,
    cdhash: digest.subarray(0, 20).toString('hex'),
    cdhashFull: digest.toString('hex'),
    codeSlots: nCodeSlots,
    specialSlots: nSpecialSlots,
    pageSize: pageSizeLog === 0 ? 0 : 2 ** pageSizeLog,
    size: blob.length,
    platform,
    ...(teamId !== undefined ? { teamId } : {}),
  };
  if (version >= 0x20400 && blob.length >= 88) {
    summary.execSegmentBase = Number(v.getBigUint64(64));
    summary.execSegmentLimit = Number(v.getBigUint64(72));
    summary.execSegmentFlags = Number(v.getBigUint64(80));
  }
  if (version >= 0x20500 && blob.length >= 92) {
    const runtime = v.getUint32(88);
    if (runtime !== 0)
      summary.runtimeVersion = `${runtime >>> 16}.${(runtime >>> 8) & 0xff}.${runtime & 0xff}`;
  }
  return summary;
}

function readRequirements(file: string, where: string, blob: Uint8Array): RequirementEntry[] {
  const v = be(blob);
  if (blob.length < 12) throw new SignatureError(file, `${where}: requirement set is too short`);
  const count = v.getUint32(8);
  if (12 + count * 8 > blob.length) {
    throw new SignatureError(
      file,
      `${where}: requirement set lists ${count} requirements, more than its ${blob.length} bytes hold`,
    );
  }
  const out: RequirementEntry[] = [];
  for (let i = 0; i < count; i++) {
    const type = v.getUint32(12 + i * 8);
    const offset = v.getUint32(16 + i * 8);
    const typeName = REQUIREMENT_TYPE_NAMES[type] ?? String(type);
    const label = `${where}: ${typeName} requirement`;
    if (offset + 8 > blob.length)
      throw new SignatureError(file, `${label} starts past the end of the requirement set`);
    const length = v.getUint32(offset + 4);
    if (length < 12 || offset + length > blob.length) {
      throw new SignatureError(file, `${label} (${length} bytes) runs past the end of the requirement set`);
    }
    out.push({ type, typeName, text: requirementText(file, label, blob.subarray(offset, offset + length)) });
  }
  return out;
}

function parseXmlEntitlements(file: string, where: string, xml: string): Record<string, unknown> {
  const fail = (why: string): never => {
    throw new SignatureError(file, `${where}: entitlements XML is not a property list: ${why}`);
  };
  const located = locateXmlProblem(xml);
  if (located) fail(`line ${located.line}: ${located.problem}`);
  // The XML parser reports what it dislikes on the console; it becomes part of the error instead.
  const noise: string[] = [];
  const saved = { error: console.error, warn: console.warn };
  console.error = (...args: unknown[]) => noise.push(args.map(String).join(' '));
  console.warn = console.error;
  let parsed: unknown;
  try {
    parsed = parsePlist(xml);
  } catch (error) {
    fail((error as Error).message);
  } finally {
    console.error = saved.error;
    console.warn = saved.warn;
  }
  const fatal = noise.find((line) => /fatalError|error/i.test(line));
  if (fatal) fail(fatal.replace(/^\[xmldom \w+\]\s*/, '').trim());
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    fail('the top level is not a dictionary');
  return parsed as Record<string, unknown>;
}

/** Reads one slice's embedded signature. */
function readSliceSignature(source: ByteSource, slice: MachOSlice): ArchitectureSignature {
  const base: ArchitectureSignature = {
    arch: slice.arch,
    offset: slice.offset,
    size: slice.size,
    signed: false,
  };
  if (!slice.signature) return base;
  const file = source.name;
  const where = slice.arch;
  const bytes = source.read(slice.signature.offset, slice.signature.size, `${where} code signature`);
  if (bytes.length < 12)
    throw new SignatureError(
      file,
      `${where}: code signature is ${bytes.length} bytes, too short for a SuperBlob`,
    );
  const v = be(bytes);
  const magic = v.getUint32(0);
  if (magic !== SUPERBLOB) {
    throw new SignatureError(
      file,
      `${where}: code signature magic is 0x${magic.toString(16)}, expected SuperBlob 0xfade0cc0`,
    );
  }
  const length = v.getUint32(4);
  if (length > bytes.length || length < 12) {
    throw new SignatureError(
      file,
      `${where}: SuperBlob length ${length} does not fit the ${bytes.length} bytes LC_CODE_SIGNATURE gives it`,
    );
  }
  const count = v.getUint32(8);
  if (count > MAX_BLOBS || 12 + count * 8 > length) {
    throw new SignatureError(
      file,
      `${where}: SuperBlob index of ${count} entries does not fit in ${length} bytes`,
    );
  }
  const blobs = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const slot = v.getUint32(12 + i * 8);
    const offset = v.getUint32(16 + i * 8);
    if (offset + 8 > length)
      throw new SignatureError(
        file,
        `${where}: blob in slot 0x${slot.toString(16)} starts past the SuperBlob's end`,
      );
    const blobLength = v.getUint32(offset + 4);
    if (blobLength < 8 || offset + blobLength > length) {
      throw new SignatureError(
        file,
        `${where}: blob in slot 0x${slot.toString(16)} (${blobLength} bytes at ${offset}) runs past the SuperBlob's end`,
      );
    }
    blobs.set(slot, bytes.subarray(offset, offset + blobLength));
  }
  const blobOf = (slot: number, expected: number, what: string): Uint8Array | undefined => {
    const blob = blobs.get(slot);
    if (!blob) return undefined;
    const found = be(blob).getUint32(0);
    if (found !== expected) {
      throw new SignatureError(
        file,
        `${where}: ${what} blob has magic 0x${found.toString(16)}, expected 0x${expected.toString(16)}`,
      );
    }
    return blob;
  };

  const directories: ReturnType<typeof readCodeDirectory>[] = [];
  for (const [slot, blob] of [...blobs].sort(([a], [b]) => a - b)) {
    const isCd = slot === SLOT_CODEDIRECTORY || (slot >= SLOT_ALTERNATE_FIRST && slot <= SLOT_ALTERNATE_LAST);
    if (!isCd) continue;
    blobOf(slot, CODEDIRECTORY, `CodeDirectory (slot 0x${slot.toString(16)})`);
    directories.push(readCodeDirectory(file, where, slot, blob));
  }
  const primary = directories[0];
  if (!primary) throw new SignatureError(file, `${where}: code signature has no CodeDirectory`);
  // codesign reports the CodeDirectory with the strongest hash it knows.
  const chosen = directories.reduce((best, cd) =>
    (HASH_TYPES[cd.hashType]?.rank ?? 0) > (HASH_TYPES[best.hashType]?.rank ?? 0) ? cd : best,
  );
  const strip = ({
    identifier: _i,
    teamId: _t,
    ...rest
  }: ReturnType<typeof readCodeDirectory>): CodeDirectorySummary => rest;

  const result: ArchitectureSignature = {
    ...base,
    signed: true,
    identifier: chosen.identifier,
    flags: chosen.flags,
    flagNames: flagNames(chosen.flags),
    codeDirectory: strip(chosen),
    codeDirectories: directories.map(strip),
    adhoc: (chosen.flags & FLAG_ADHOC) !== 0,
    linkerSigned: (chosen.flags & FLAG_LINKER_SIGNED) !== 0,
    signatureSize: 0,
    certificates: [],
    requirements: [],
  };
  if (chosen.teamId !== undefined) result.teamId = chosen.teamId;

  const requirements = blobOf(SLOT_REQUIREMENTS, REQUIREMENTS, 'requirement set');
  if (requirements) {
    result.requirements = readRequirements(file, where, requirements);
    result.requirementsSize = requirements.length;
  }
  const designated = result.requirements?.find((r) => r.type === 3);
  if (designated) {
    result.designatedRequirement = designated.text;
    result.designatedImplicit = false;
  } else if (result.adhoc) {
    // Ad-hoc code without an explicit DR: codesign prints the implicit one.
    result.designatedRequirement = `cdhash H"${chosen.cdhash}"`;
    result.designatedImplicit = true;
  }

  const xml = blobOf(SLOT_ENTITLEMENTS, ENTITLEMENTS_XML, 'entitlements');
  if (xml) {
    result.entitlementsXml = new TextDecoder().decode(xml.subarray(8));
    result.entitlements = parseXmlEntitlements(file, where, result.entitlementsXml);
  }
  const der = blobOf(SLOT_DER_ENTITLEMENTS, ENTITLEMENTS_DER, 'DER entitlements');
  if (der) {
    result.entitlementsDer = readDerEntitlements(file, where, der.subarray(8));
    result.entitlements ??= result.entitlementsDer;
  }
  const cms = blobOf(SLOT_SIGNATURE, CMS_WRAPPER, 'CMS signature');
  if (cms) {
    const content = cms.subarray(8);
    result.signatureSize = content.length;
    const summary = readCms(file, where, content);
    result.certificates = summary.certificates;
    if (summary.signingTime) result.signingTime = summary.signingTime;
  }
  return result;
}

/** Reads the code signature of every architecture of a Mach-O (XPC-MODEL §10.5). */
export function readCodeSignature(source: ByteSource): CodeSignatureReport {
  const layout = readMachOLayout(source);
  const architectures = layout.slices.map((slice) => readSliceSignature(source, slice));
  const arches = architectures.map((a) => a.arch).join(' ');
  return {
    file: source.name,
    format: layout.universal ? `Mach-O universal (${arches})` : `Mach-O thin (${arches})`,
    universal: layout.universal,
    architectures,
  };
}

/**
 * The slice a Mac would run and codesign would describe by default: arm64e,
 * then arm64, then x86_64, then the first.
 */
export function hostArchitecture(report: CodeSignatureReport): ArchitectureSignature {
  for (const arch of ['arm64e', 'arm64', 'x86_64']) {
    const found = report.architectures.find((a) => a.arch === arch);
    if (found) return found;
  }
  return report.architectures[0]!;
}
