import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectCommand } from '../../main/cli/inspect';
import { materializeSparse } from './materialize';

const BINARIES = join(__dirname, '..', 'fixtures', 'real', 'binaries');
const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sentry = join(dir, 'sentry-cli');
materializeSparse(join(BINARIES, 'sentry-cli-darwin-3.8.0.sparse'), sentry);
const esbuild = join(dir, 'esbuild');
materializeSparse(join(BINARIES, 'esbuild-darwin-arm64-0.28.2.sparse'), esbuild);

function inspect(...args: string[]) {
  let out = '';
  let err = '';
  const code = inspectCommand(
    args,
    (t) => {
      out += t;
    },
    (t) => {
      err += t;
    },
  );
  return { code, out, err, lines: out.split('\n') };
}

describe('xpc-lab inspect', () => {
  it('prints a Developer ID universal binary as codesign -dvvv -r- does (arm64 slice)', () => {
    const { code, lines } = inspect(sentry);
    expect(code).toBe(0);
    expect(lines).toContain('Identifier=sentry_cli-ed605fe0983d3ac0');
    expect(lines).toContain('Format=Mach-O universal (x86_64 arm64)');
    expect(lines).toContain(
      'CodeDirectory v=20500 size=105959 flags=0x10000(runtime) hashes=3300+7 location=embedded',
    );
    expect(lines).toContain('CDHash=0b061c70be64938c3cefa26bb236f2ef5d6c9425');
    expect(lines).toContain('TeamIdentifier=97JCY7859U');
    expect(lines).toContain('Authority=Developer ID Application: GetSentry LLC (97JCY7859U)');
    expect(lines).toContain('Authority=Developer ID Certification Authority');
    expect(lines).toContain('Authority=Apple Root CA');
    expect(lines).toContain(
      'designated => identifier "sentry_cli-ed605fe0983d3ac0" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = "97JCY7859U"',
    );
    expect(lines).toContain(
      '  0: CN=Developer ID Application: GetSentry LLC (97JCY7859U), OU=97JCY7859U, O=GetSentry LLC',
    );
    expect(lines).toContain('     Apple OIDs: 1.2.840.113635.100.6.1.33, 1.2.840.113635.100.6.1.13');
  });

  it('--arch picks the other slice', () => {
    const { code, lines } = inspect(sentry, '--arch', 'x86_64');
    expect(code).toBe(0);
    expect(lines).toContain('Identifier=sentry-cli-Darwin-universal');
    expect(lines).toContain('CDHash=fcd45ae42c5190bdde8c0709168c2286074aadeb');
  });

  it('says an ad-hoc linker-signed binary is so', () => {
    const { code, lines } = inspect(esbuild);
    expect(code).toBe(0);
    expect(lines).toContain('Format=Mach-O thin (arm64)');
    expect(lines).toContain(
      'CodeDirectory v=20400 size=82206 flags=0x20002(adhoc,linker-signed) hashes=2566+0 location=embedded',
    );
    expect(lines).toContain('Signature=adhoc');
    expect(lines).toContain('TeamIdentifier=not set');
    expect(lines).toContain('# designated => cdhash H"faf804ab3def337a0e99314b6092ef431c3d7ab5"');
    expect(lines.some((l) => l.startsWith('Authority='))).toBe(false);
  });

  it('reads a bundle through Contents/MacOS/<CFBundleExecutable>, and --json gives the whole report', () => {
    const app = join(dir, 'Sentry.app');
    mkdirSync(join(app, 'Contents', 'MacOS'), { recursive: true });
    writeFileSync(join(app, 'Contents', 'Info.plist'), build({ CFBundleExecutable: 'sentry-cli' }));
    materializeSparse(
      join(BINARIES, 'sentry-cli-darwin-3.8.0.sparse'),
      join(app, 'Contents', 'MacOS', 'sentry-cli'),
    );
    expect(inspect(app).lines).toContain('Format=app bundle with Mach-O universal (x86_64 arm64)');
    const json = JSON.parse(inspect(app, '--json').out);
    expect(json.shown).toBe('arm64');
    expect(json.architectures.map((a: { teamId: string }) => a.teamId)).toEqual(['97JCY7859U', '97JCY7859U']);
  });

  it('exits 2 with a clear error on bad input', () => {
    const text = join(dir, 'script.sh');
    writeFileSync(text, '#!/bin/sh\necho hi\n');
    expect(inspect(text)).toMatchObject({
      code: 2,
      err: `xpc-lab inspect: ${text}: is not a Mach-O file (no thin or universal Mach-O magic)\n`,
    });
    expect(inspect(join(dir, 'missing'))).toMatchObject({
      code: 2,
      err: `xpc-lab inspect: ${join(dir, 'missing')}: no such file or directory\n`,
    });
    expect(inspect(sentry, '--arch', 'ppc').err).toContain('has no ppc architecture (it has x86_64, arm64)');
    expect(inspect().code).toBe(2);
    const empty = join(dir, 'Empty.app');
    mkdirSync(join(empty, 'Contents'), { recursive: true });
    writeFileSync(join(empty, 'Contents', 'Info.plist'), build({ CFBundleIdentifier: 'x' }));
    expect(inspect(empty).err).toContain('has no CFBundleExecutable');
  });
});
