import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'plist';
import {
  type ArchitectureSignature,
  type CodeSignatureReport,
  hostArchitecture,
  readCodeSignatureFile,
  SignatureError,
} from '../signing';
import { looksLikeMachO } from '../signing/executable';

export const INSPECT_USAGE = `usage: xpc-lab inspect <bundle-or-binary> [--arch NAME] [--json]
  prints what codesign -dvvv -r- --entitlements - shows: identifier, format, team, flags,
  CDHash, requirements, entitlements and the certificate chain with its Apple OIDs`;

export interface InspectTarget {
  /** The Mach-O file to read. */
  executable: string;
  /** Set when the argument was a bundle. */
  bundle?: string;
}

/** A bundle resolves to Contents/MacOS/<CFBundleExecutable>; anything else is read as a Mach-O. */
export function resolveTarget(path: string): InspectTarget {
  if (!existsSync(path)) throw new SignatureError(path, 'no such file or directory');
  if (!statSync(path).isDirectory()) return { executable: path };
  const info = join(path, 'Contents', 'Info.plist');
  if (!existsSync(info))
    throw new SignatureError(path, 'is a folder but not a bundle (no Contents/Info.plist)');
  let plist: Record<string, unknown>;
  try {
    plist = parse(readFileSync(info, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new SignatureError(info, `is not a property list: ${(error as Error).message}`);
  }
  const name = plist.CFBundleExecutable;
  if (typeof name !== 'string' || name === '') {
    throw new SignatureError(
      info,
      'has no CFBundleExecutable, so the bundle has no main executable to inspect',
    );
  }
  const executable = join(path, 'Contents', 'MacOS', name);
  if (!existsSync(executable)) {
    throw new SignatureError(path, `its main executable Contents/MacOS/${name} does not exist`);
  }
  return { executable, bundle: path };
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The text `codesign -dvvv -r- --entitlements -` prints for one architecture, plus the chain's fields. */
export function formatInspect(
  report: CodeSignatureReport,
  slice: ArchitectureSignature,
  target: InspectTarget,
): string {
  const lines: string[] = [`Executable=${target.executable}`];
  const cd = slice.codeDirectory;
  if (!slice.signed || !cd) return `${lines[0]}\n${target.executable}: code object is not signed at all\n`;
  const kind = target.bundle?.replace(/\/+$/, '').endsWith('.app') ? 'app bundle' : 'bundle';
  const format = target.bundle ? `${kind} with ${report.format}` : report.format;
  lines.push(`Identifier=${slice.identifier}`);
  lines.push(`Format=${format}`);
  const flags = `${hex(slice.flags ?? 0)}(${slice.flagNames?.length ? slice.flagNames.join(',') : 'none'})`;
  lines.push(
    `CodeDirectory v=${cd.version.toString(16)} size=${cd.size} flags=${flags} hashes=${cd.codeSlots}+${cd.specialSlots} location=embedded`,
  );
  lines.push(`Hash type=${cd.hashTypeName} size=${cd.cdhashFull.length / 2}`);
  for (const other of slice.codeDirectories ?? [cd]) {
    lines.push(`CandidateCDHash ${other.hashTypeName}=${other.cdhash}`);
    lines.push(`CandidateCDHashFull ${other.hashTypeName}=${other.cdhashFull}`);
  }
  lines.push(`Hash choices=${(slice.codeDirectories ?? [cd]).map((c) => c.hashTypeName).join(',')}`);
  if (cd.execSegmentBase !== undefined) {
    lines.push(`Executable Segment base=${cd.execSegmentBase}`);
    lines.push(`Executable Segment limit=${cd.execSegmentLimit}`);
    lines.push(`Executable Segment flags=${hex(cd.execSegmentFlags ?? 0)}`);
  }
  lines.push(`Page size=${cd.pageSize}`);
  lines.push(`CDHash=${cd.cdhash}`);
  if (slice.adhoc) {
    lines.push('Signature=adhoc');
  } else {
    lines.push(`Signature size=${slice.signatureSize}`);
    for (const certificate of slice.certificates ?? [])
      lines.push(`Authority=${certificate.subject.CN ?? ''}`);
  }
  lines.push('Info.plist=not bound');
  lines.push(`TeamIdentifier=${slice.teamId ?? 'not set'}`);
  if (cd.runtimeVersion) lines.push(`Runtime Version=${cd.runtimeVersion}`);
  lines.push('Sealed Resources=none');
  lines.push(
    `Internal requirements count=${slice.requirements?.length ?? 0} size=${slice.requirementsSize ?? 12}`,
  );
  for (const requirement of slice.requirements ?? [])
    lines.push(`${requirement.typeName} => ${requirement.text}`);
  if (slice.designatedImplicit) lines.push(`# designated => ${slice.designatedRequirement}`);
  if (slice.entitlementsXml) lines.push(slice.entitlementsXml.trimEnd());
  if (slice.certificates?.length) {
    lines.push('Certificate chain (leaf first):');
    slice.certificates.forEach((certificate, index) => {
      const names = ['CN', 'OU', 'O']
        .filter((key) => certificate.subject[key] !== undefined)
        .map((key) => `${key}=${certificate.subject[key]}`);
      lines.push(`  ${index}: ${names.join(', ')}`);
      lines.push(
        `     Apple OIDs: ${certificate.appleOids.length ? certificate.appleOids.join(', ') : 'none'}`,
      );
      lines.push(`     SHA-1: ${certificate.sha1}`);
    });
  }
  if (report.universal) {
    const others = report.architectures.filter((a) => a !== slice).map((a) => a.arch);
    lines.push(`Other architectures: ${others.join(', ')} (--arch NAME shows one)`);
  }
  return `${lines.join('\n')}\n`;
}

/** `xpc-lab inspect`: 0 when signed and read, 1 when unsigned, 2 on bad input. */
export function inspectCommand(
  args: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): number {
  let values: { json?: boolean; arch?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, arch: { type: 'string' } },
      allowPositionals: true,
    }));
  } catch (error) {
    err(`xpc-lab inspect: ${(error as Error).message}\n${INSPECT_USAGE}\n`);
    return 2;
  }
  const path = positionals[0];
  if (!path || positionals.length > 1) {
    err(`xpc-lab inspect: expected one bundle or binary\n${INSPECT_USAGE}\n`);
    return 2;
  }
  try {
    const target = resolveTarget(path);
    if (!looksLikeMachO(target.executable)) {
      throw new SignatureError(target.executable, 'is not a Mach-O file (no thin or universal Mach-O magic)');
    }
    const report = readCodeSignatureFile(target.executable);
    const slice = values.arch
      ? report.architectures.find((a) => a.arch === values.arch)
      : hostArchitecture(report);
    if (!slice) {
      const have = report.architectures.map((a) => a.arch).join(', ');
      throw new SignatureError(target.executable, `has no ${values.arch} architecture (it has ${have})`);
    }
    if (values.json) {
      out(`${JSON.stringify({ ...target, shown: slice.arch, ...report }, null, 2)}\n`);
    } else {
      out(formatInspect(report, slice, target));
    }
    return slice.signed ? 0 : 1;
  } catch (error) {
    if (error instanceof SignatureError) {
      err(`xpc-lab inspect: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
