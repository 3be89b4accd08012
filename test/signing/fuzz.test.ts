import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bufferSource,
  readCodeSignature,
  requirementText,
  SignatureError,
  sparseSource,
} from '../../main/signing';
import { materializeSparse } from './materialize';

const BINARIES = join(__dirname, '..', 'fixtures', 'real', 'binaries');

/** The esbuild fixture written back out and read into memory (10 MB, mostly zero). */
function esbuildBytes(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-fuzz-'));
  try {
    const out = join(dir, 'esbuild');
    materializeSparse(join(BINARIES, 'esbuild-darwin-arm64-0.28.2.sparse'), out);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function outcome(run: () => unknown): 'ok' | 'signature-error' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof SignatureError) return 'signature-error';
    throw error;
  }
}

describe('malformed signatures give a SignatureError, never another exception', () => {
  const original = esbuildBytes();
  const view = new DataView(original.buffer, original.byteOffset, original.byteLength);
  /** LC_CODE_SIGNATURE's dataoff: where the SuperBlob starts. */
  const signatureStart = (() => {
    const ncmds = view.getUint32(16, true);
    let at = 32;
    for (let i = 0; i < ncmds; i++) {
      if (view.getUint32(at, true) === 0x1d) return view.getUint32(at + 8, true);
      at += view.getUint32(at + 4, true);
    }
    throw new Error('the fixture has no LC_CODE_SIGNATURE');
  })();

  it('survives random byte changes in the headers and the signature', () => {
    // The header page and the SuperBlob's index and CodeDirectory header are where the parser looks.
    const where = fc.oneof(
      fc.integer({ min: 0, max: 4095 }),
      fc.integer({ min: signatureStart, max: signatureStart + 300 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(where, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const saved = edits.map(([at]) => [at, original[at]!] as const);
          for (const [at, value] of edits) original[at] = value;
          try {
            expect(['ok', 'signature-error']).toContain(
              outcome(() => readCodeSignature(bufferSource('fuzzed', original))),
            );
          } finally {
            for (const [at, value] of saved.reverse()) original[at] = value;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(['sentry-cli-darwin-3.8.0.sparse', 'bun-darwin-aarch64-1.4.4.sparse'])(
    'survives random byte changes anywhere in the kept ranges of %s (CMS, DER entitlements, requirements)',
    (name) => {
      const fixture = new Uint8Array(readFileSync(join(BINARIES, name)));
      const dataStart = 12 + new DataView(fixture.buffer, fixture.byteOffset).getUint32(8, true);
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.integer({ min: dataStart, max: fixture.length - 1 }),
              fc.integer({ min: 0, max: 255 }),
            ),
            {
              minLength: 1,
              maxLength: 16,
            },
          ),
          (edits) => {
            const bytes = fixture.slice();
            for (const [at, value] of edits) bytes[at] = value;
            expect(['ok', 'signature-error']).toContain(
              outcome(() => readCodeSignature(sparseSource(name, bytes))),
            );
          },
        ),
        // Each run parses a CMS signature; a loaded machine makes that slow.
        { numRuns: 25 },
      );
    },
    120_000,
  );

  it('survives truncation anywhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: original.length }), (length) => {
        expect(['ok', 'signature-error']).toContain(
          outcome(() => readCodeSignature(bufferSource('cut', original.subarray(0, length)))),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('decompiles random requirement bytes or refuses them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        const blob = new Uint8Array(12 + body.length);
        const v = new DataView(blob.buffer);
        v.setUint32(0, 0xfade0c00);
        v.setUint32(4, blob.length);
        v.setUint32(8, 1);
        blob.set(body, 12);
        expect(['ok', 'signature-error']).toContain(outcome(() => requirementText('r', 'requirement', blob)));
      }),
      { numRuns: 300 },
    );
  });
});
