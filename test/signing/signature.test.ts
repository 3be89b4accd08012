import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bufferSource,
  hostArchitecture,
  readCodeSignature,
  readCodeSignatureSparse,
  SignatureError,
} from '../../main/signing';

const BINARIES = join(__dirname, '..', 'fixtures', 'real', 'binaries');

describe('a linker-signed ad-hoc binary (@esbuild/darwin-arm64 0.28.2)', () => {
  const report = readCodeSignatureSparse(join(BINARIES, 'esbuild-darwin-arm64-0.28.2.sparse'));
  const arm64 = report.architectures[0]!;

  it('is a thin arm64 Mach-O', () => {
    expect(report.universal).toBe(false);
    expect(report.format).toBe('Mach-O thin (arm64)');
    expect(report.architectures).toHaveLength(1);
  });

  it('reports identifier, flags and CDHash from its only CodeDirectory', () => {
    expect(arm64.signed).toBe(true);
    expect(arm64.identifier).toBe('a.out');
    expect(arm64.teamId).toBeUndefined();
    expect(arm64.flags).toBe(0x20002);
    expect(arm64.flagNames).toEqual(['adhoc', 'linker-signed']);
    expect(arm64.adhoc).toBe(true);
    expect(arm64.linkerSigned).toBe(true);
    expect(arm64.codeDirectory?.hashTypeName).toBe('sha256');
    expect(arm64.codeDirectory?.cdhash).toBe('faf804ab3def337a0e99314b6092ef431c3d7ab5');
  });

  it('has no certificates and the implicit cdhash designated requirement', () => {
    expect(arm64.certificates).toEqual([]);
    expect(arm64.requirements).toEqual([]);
    expect(arm64.designatedImplicit).toBe(true);
    expect(arm64.designatedRequirement).toBe('cdhash H"faf804ab3def337a0e99314b6092ef431c3d7ab5"');
  });
});

describe('a Developer ID-signed universal binary (@sentry/cli-darwin 3.8.0)', () => {
  const report = readCodeSignatureSparse(join(BINARIES, 'sentry-cli-darwin-3.8.0.sparse'));
  const [x86, arm] = report.architectures;

  it('is universal with an x86_64 and an arm64 slice at their offsets', () => {
    expect(report.universal).toBe(true);
    expect(report.format).toBe('Mach-O universal (x86_64 arm64)');
    expect(report.architectures.map((a) => [a.arch, a.offset, a.size])).toEqual([
      ['x86_64', 16384, 15002704],
      ['arm64', 15024128, 13637040],
    ]);
    expect(hostArchitecture(report).arch).toBe('arm64');
  });

  it('reads each slice’s identifier, team, hardened-runtime flag and CDHash', () => {
    expect(x86?.identifier).toBe('sentry-cli-Darwin-universal');
    expect(arm?.identifier).toBe('sentry_cli-ed605fe0983d3ac0');
    for (const slice of [x86, arm]) {
      expect(slice?.teamId).toBe('97JCY7859U');
      expect(slice?.flags).toBe(0x10000);
      expect(slice?.flagNames).toEqual(['runtime']);
      expect(slice?.adhoc).toBe(false);
      expect(slice?.linkerSigned).toBe(false);
    }
    expect(x86?.codeDirectory?.cdhash).toBe('fcd45ae42c5190bdde8c0709168c2286074aadeb');
    expect(arm?.codeDirectory?.cdhash).toBe('0b061c70be64938c3cefa26bb236f2ef5d6c9425');
  });

  it('decompiles the designated requirement exactly as codesign prints it', () => {
    const dr = (id: string) =>
      `identifier "${id}" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = "97JCY7859U"`;
    expect(x86?.designatedRequirement).toBe(dr('sentry-cli-Darwin-universal'));
    expect(arm?.designatedRequirement).toBe(dr('sentry_cli-ed605fe0983d3ac0'));
    expect(arm?.designatedImplicit).toBe(false);
    expect(arm?.requirements?.map((r) => r.typeName)).toEqual(['designated']);
  });

  it('gives the certificate chain leaf first with its names and Apple OIDs', () => {
    const chain = arm?.certificates ?? [];
    expect(chain.map((c) => c.subject.CN)).toEqual([
      'Developer ID Application: GetSentry LLC (97JCY7859U)',
      'Developer ID Certification Authority',
      'Apple Root CA',
    ]);
    expect(chain[0]?.subject.OU).toBe('97JCY7859U');
    expect(chain[0]?.subject.O).toBe('GetSentry LLC');
    expect(chain[0]?.appleOids).toContain('1.2.840.113635.100.6.1.13');
    expect(chain[1]?.appleOids).toEqual(['1.2.840.113635.100.6.2.6']);
    expect(chain[2]?.appleOids).toEqual([]);
    // Apple Root CA's published SHA-1 fingerprint.
    expect(chain[2]?.sha1).toBe('611e5b662c593a08ff58d14ae22452d198df6c60');
  });

  it('reads the empty entitlements dictionary from both the XML and the DER blob', () => {
    expect(arm?.entitlements).toEqual({});
    expect(arm?.entitlementsDer).toEqual({});
    expect(arm?.entitlementsXml).toContain('<dict/>');
  });
});

describe('a Developer ID binary with hardened-runtime entitlements (@oven/bun-darwin-aarch64 1.4.4)', () => {
  const report = readCodeSignatureSparse(join(BINARIES, 'bun-darwin-aarch64-1.4.4.sparse'));
  const bun = report.architectures[0]!;
  const entitlements = {
    'com.apple.security.cs.allow-jit': true,
    'com.apple.security.cs.allow-unsigned-executable-memory': true,
    'com.apple.security.cs.disable-executable-page-protection': true,
    'com.apple.security.cs.allow-dyld-environment-variables': true,
    'com.apple.security.cs.disable-library-validation': true,
  };

  it('reads identifier, team, flags and CDHash', () => {
    expect(report.format).toBe('Mach-O thin (arm64)');
    expect(bun.identifier).toBe('bun');
    expect(bun.teamId).toBe('7FRXF46ZSN');
    expect(bun.flagNames).toEqual(['runtime']);
    expect(bun.codeDirectory?.pageSize).toBe(16384);
    expect(bun.codeDirectory?.cdhash).toBe('acd8ead5007305eb581fc9e80d834f5c578a5332');
  });

  it('prints a bare identifier in the designated requirement, as the dumper does for a plain word', () => {
    expect(bun.designatedRequirement).toBe(
      'identifier bun and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = "7FRXF46ZSN"',
    );
  });

  it('reads the same entitlements from the XML and the DER blob', () => {
    expect(bun.entitlements).toEqual(entitlements);
    expect(bun.entitlementsDer).toEqual(entitlements);
    expect(bun.certificates?.[0]?.subject.CN).toBe('Developer ID Application: Jarred Sumner (7FRXF46ZSN)');
  });
});

function machO64(commands: Uint8Array[], extra = 0): Uint8Array {
  const sizeofcmds = commands.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(32 + sizeofcmds + extra);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xfeedfacf, true);
  v.setInt32(4, 0x0100000c, true);
  v.setUint32(12, 2, true);
  v.setUint32(16, commands.length, true);
  v.setUint32(20, sizeofcmds, true);
  let at = 32;
  for (const c of commands) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function codeSignatureCommand(dataoff: number, datasize: number): Uint8Array {
  const c = new Uint8Array(16);
  const v = new DataView(c.buffer);
  v.setUint32(0, 0x1d, true);
  v.setUint32(4, 16, true);
  v.setUint32(8, dataoff, true);
  v.setUint32(12, datasize, true);
  return c;
}

describe('bad input gets a clear error naming the file and the problem', () => {
  const read = (bytes: Uint8Array) => () => readCodeSignature(bufferSource('helper', bytes));

  it('an unsigned Mach-O is reported as unsigned, not as an error', () => {
    const report = readCodeSignature(bufferSource('helper', machO64([])));
    expect(report.architectures[0]?.signed).toBe(false);
  });

  it('rejects a file that is not a Mach-O', () => {
    expect(read(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toThrow(
      /^helper: Mach-O header: not a Mach-O file \(magic 0x23212f62\)$/,
    );
    expect(read(new Uint8Array(2))).toThrow(/helper: is 2 bytes long, too short for a Mach-O/);
  });

  it('rejects a Java class file that shares the universal magic', () => {
    const java = new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41]);
    expect(read(java)).toThrow(/lists 65 architectures; not a universal Mach-O/);
  });

  it('rejects LC_CODE_SIGNATURE pointing past the end', () => {
    expect(read(machO64([codeSignatureCommand(4096, 100)]))).toThrow(
      /helper: Mach-O header: LC_CODE_SIGNATURE points at bytes 4096–4196, past the end of the slice \(48 bytes\)/,
    );
  });

  it('rejects a signature that is not a SuperBlob, and a SuperBlob whose blob overruns', () => {
    const bad = machO64([codeSignatureCommand(48, 16)], 16);
    new DataView(bad.buffer).setUint32(48, 0xdeadbeef, false);
    expect(read(bad)).toThrow(/arm64: code signature magic is 0xdeadbeef, expected SuperBlob 0xfade0cc0/);

    const overrun = machO64([codeSignatureCommand(48, 28)], 28);
    const v = new DataView(overrun.buffer);
    v.setUint32(48, 0xfade0cc0, false);
    v.setUint32(52, 28, false);
    v.setUint32(56, 1, false);
    v.setUint32(60, 0, false);
    v.setUint32(64, 20, false);
    v.setUint32(68, 0xfade0c02, false);
    v.setUint32(72, 4000, false);
    expect(read(overrun)).toThrow(/blob in slot 0x0 \(4000 bytes at 20\) runs past the SuperBlob's end/);
  });

  it('a truncated universal table names the architecture', () => {
    const fat = new Uint8Array(28);
    const v = new DataView(fat.buffer);
    v.setUint32(0, 0xcafebabe, false);
    v.setUint32(4, 1, false);
    v.setInt32(8, 0x0100000c, false);
    v.setUint32(16, 0, false);
    v.setUint32(20, 1_000_000, false);
    expect(read(fat)).toThrow(
      /architecture 0 \(arm64\) claims bytes 0–1000000, past the end of the file \(28 bytes\)/,
    );
  });

  it('a cut fixture refuses to read bytes it did not keep', () => {
    const errors: unknown[] = [];
    try {
      readCodeSignatureSparse(join(BINARIES, 'esbuild-darwin-arm64-0.28.2.sparse.source'));
    } catch (error) {
      errors.push(error);
    }
    expect(errors[0]).toBeInstanceOf(SignatureError);
    expect(String(errors[0])).toMatch(/not a cut-signature fixture/);
  });
});
