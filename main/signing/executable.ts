import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { build } from 'plist';
import type { ProcessSignature } from '../trace/schema';
import { hostArchitecture } from './code-signature';
import { readCodeSignatureFile } from './index';
import type { ArchitectureSignature, CodeSignatureReport } from './types';

const MACHO_MAGICS = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe, 0xcafebabf]);

/** Whether a file starts like a Mach-O (thin or universal); scripts and data files do not. */
export function looksLikeMachO(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
    return MACHO_MAGICS.has(head.readUInt32BE(0));
  } finally {
    closeSync(fd);
  }
}

/** The console's and the event stream's view of one slice's signature. */
export function summarizeSignature(
  report: CodeSignatureReport,
  slice: ArchitectureSignature,
  file: string,
): ProcessSignature | undefined {
  if (!slice.signed || !slice.codeDirectory) return undefined;
  const entitlements =
    slice.entitlementsXml ?? (slice.entitlements ? build(slice.entitlements as never) : undefined);
  return {
    file,
    format: report.format,
    arch: slice.arch,
    identifier: slice.identifier ?? '',
    ...(slice.teamId ? { teamId: slice.teamId } : {}),
    flags: slice.flags ?? 0,
    flagNames: slice.flagNames ?? [],
    cdhash: slice.codeDirectory.cdhash,
    hashType: slice.codeDirectory.hashTypeName,
    ...(slice.designatedRequirement ? { designatedRequirement: slice.designatedRequirement } : {}),
    designatedImplicit: slice.designatedImplicit ?? false,
    ...(entitlements ? { entitlements } : {}),
    certificates: (slice.certificates ?? []).map((c) => ({
      subject: c.subject,
      appleOids: c.appleOids,
      sha1: c.sha1,
    })),
    overridden: [],
  };
}

export interface ExecutableSignature {
  report: CodeSignatureReport;
  /** The slice a Mac runs (arm64 first). */
  slice: ArchitectureSignature;
  summary: ProcessSignature;
}

/**
 * The signature of an executable at `path`, or undefined when there is no such
 * file, it is not a Mach-O (a script) or it is unsigned. A Mach-O whose
 * signature is malformed throws SignatureError naming the file and the fault.
 * `shownAs` is the path to show (relative to the world).
 */
export function readExecutableSignature(path: string, shownAs = path): ExecutableSignature | undefined {
  if (!looksLikeMachO(path)) return undefined;
  const report = readCodeSignatureFile(path);
  const slice = hostArchitecture(report);
  const summary = summarizeSignature(report, slice, shownAs);
  return summary ? { report, slice, summary } : undefined;
}
