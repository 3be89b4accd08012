import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'plist';
import { afterEach, describe, expect, it } from 'vitest';
import { signingIdentity } from '../../main/broker/core/policy/peer-requirement';
import { checkRequirement } from '../../main/broker/core/policy/requirement';
import { loadWorld } from '../../main/world/load';
import type { World } from '../../main/world/model';
import { materializeSparse } from './materialize';

const BINARIES = join(__dirname, '..', 'fixtures', 'real', 'binaries');
const SENTRY_DR_CN = 'certificate leaf[subject.CN] = "Developer ID Application: GetSentry LLC (97JCY7859U)"';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A world with Sentry.app, whose Contents/MacOS/sentry-cli is the real
 * Developer ID-signed sentry-cli 3.8.0 binary (cut fixture written back at its
 * offsets), and Plain.app with no executable at all.
 */
function sentryWorld(
  manifest?: Record<string, unknown>,
  executable = 'sentry-cli-darwin-3.8.0.sparse',
): string {
  const root = mkdtempSync(join(tmpdir(), 'xpc-lab-signed-'));
  temps.push(root);
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write(
    'Applications/Sentry.app/Contents/Info.plist',
    build({
      CFBundleIdentifier: 'io.sentry.cli',
      CFBundleExecutable: 'sentry-cli',
      CFBundleVersion: '3.8.0',
    }),
  );
  mkdirSync(join(root, 'Applications/Sentry.app/Contents/MacOS'), { recursive: true });
  materializeSparse(
    join(BINARIES, executable),
    join(root, 'Applications/Sentry.app/Contents/MacOS/sentry-cli'),
  );
  write(
    'Applications/Plain.app/Contents/Info.plist',
    build({ CFBundleIdentifier: 'com.example.plain', CFBundleExecutable: 'Plain' }),
  );
  if (manifest) write('world.plist', build(manifest as never));
  return root;
}

function job(world: World, label: string) {
  const found = world.jobs.find((j) => j.label === label);
  if (!found) throw new Error(`no job ${label}`);
  return found;
}

describe('the signature of a bundle’s main executable is its identity', () => {
  it('team, anchor, identifier and certificate chain come from the real signature', () => {
    const { world, diagnostics } = loadWorld(sentryWorld());
    expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const sentry = job(world, 'io.sentry.cli');
    expect(sentry.signing).toMatchObject({ anchor: 'developer-id', teamId: '97JCY7859U' });
    expect(sentry.signature).toMatchObject({
      file: 'Applications/Sentry.app/Contents/MacOS/sentry-cli',
      arch: 'arm64',
      identifier: 'sentry_cli-ed605fe0983d3ac0',
      teamId: '97JCY7859U',
      flagNames: ['runtime'],
      cdhash: '0b061c70be64938c3cefa26bb236f2ef5d6c9425',
      overridden: [],
    });
    const identity = signingIdentity(sentry);
    expect(checkRequirement(SENTRY_DR_CN, identity).ok).toBe(true);
    expect(checkRequirement(sentry.signature?.designatedRequirement ?? '', identity).ok).toBe(true);
  });

  it('a bundle without an executable keeps the manifest-driven identity', () => {
    const { world } = loadWorld(sentryWorld({ buildSettings: { TeamIdentifierPrefix: 'ABCDE12345.' } }));
    const plain = job(world, 'com.example.plain');
    expect(plain.signature).toBeUndefined();
    expect(plain.signing).toMatchObject({ anchor: 'developer-id', teamId: 'ABCDE12345' });
  });

  it('world.plist overrides the team and the real chain stops applying; the failure names the field', () => {
    const { world } = loadWorld(
      sentryWorld({
        bundles: { 'io.sentry.cli': { signing: { anchor: 'developer-id', teamId: 'ZZZZZ99999' } } },
      }),
    );
    const sentry = job(world, 'io.sentry.cli');
    expect(sentry.signing.teamId).toBe('ZZZZZ99999');
    expect(sentry.signature?.overridden).toEqual(['anchor', 'teamId']);
    const check = checkRequirement(
      'anchor apple generic and certificate leaf[subject.OU] = "97JCY7859U"',
      signingIdentity(sentry),
    );
    expect(check.status).toBe(-67050);
    expect(check.message).toContain(
      'certificate leaf[subject.OU] = "97JCY7859U" (the leaf\'s subject.OU is "ZZZZZ99999")',
    );
  });

  it('an ad-hoc linker-signed executable makes the process ad hoc: certificate constraints fail', () => {
    const { world } = loadWorld(sentryWorld(undefined, 'esbuild-darwin-arm64-0.28.2.sparse'));
    const app = job(world, 'io.sentry.cli');
    expect(app.signing.anchor).toBe('adhoc');
    expect(app.signature?.flagNames).toEqual(['adhoc', 'linker-signed']);
    const check = checkRequirement('anchor apple generic', signingIdentity(app));
    expect(check.message).toContain('ad-hoc code has no certificates');
  });

  it('a broken Mach-O is a warning naming the file, and the app still loads', () => {
    const root = sentryWorld();
    const exe = join(root, 'Applications/Sentry.app/Contents/MacOS/sentry-cli');
    writeFileSync(exe, Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0, 0, 0, 0]));
    const { world, diagnostics } = loadWorld(root);
    expect(job(world, 'io.sentry.cli').signature).toBeUndefined();
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        file: 'Applications/Sentry.app/Contents/MacOS/sentry-cli',
        message: expect.stringMatching(/^code signature cannot be read: .*too short for a Mach-O header$/),
      }),
    );
  });
});
