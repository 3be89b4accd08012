// Cuts a signature fixture from a real signed Mach-O in an npm package.
//
//   node scripts/cut-signature-fixture.mjs <package>@<version> <file-in-package> <out.sparse>
//
// It runs `npm pack` for the named version, and keeps only the byte ranges of
// the binary that hold its headers (the fat header, each slice's first page
// with its load commands) and each slice's code signature, at their original
// offsets. The output format is read by main/signing/byte-source.ts
// (sparseSource): "XPCLSPRS", u32le JSON header length, JSON
// { size, sha256, ranges: [[offset, length], …] }, then the ranges' bytes.
// It prints the original's size and sha256 for the fixture's .source note.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PAGE = 4096;
const LC_CODE_SIGNATURE = 0x1d;

function fail(message) {
  process.stderr.write(`cut-signature-fixture: ${message}\n`);
  process.exit(2);
}

function sliceRanges(bytes, offset, size) {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
  const magic = view.getUint32(0, false);
  const little = magic === 0xcefaedfe || magic === 0xcffaedfe;
  const is64 = magic === 0xcffaedfe || magic === 0xfeedfacf;
  if (!little && magic !== 0xfeedface && magic !== 0xfeedfacf) fail(`no Mach-O header at offset ${offset}`);
  const headerSize = is64 ? 32 : 28;
  const ncmds = view.getUint32(16, little);
  const sizeofcmds = view.getUint32(20, little);
  const ranges = [[offset, Math.min(size, Math.max(PAGE, headerSize + sizeofcmds))]];
  let at = headerSize;
  for (let i = 0; i < ncmds; i++) {
    const cmd = view.getUint32(at, little);
    if (cmd === LC_CODE_SIGNATURE) {
      ranges.push([offset + view.getUint32(at + 8, little), view.getUint32(at + 12, little)]);
    }
    at += view.getUint32(at + 4, little);
  }
  return ranges;
}

function cut(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== 0xcafebabe && magic !== 0xcafebabf) return sliceRanges(bytes, 0, bytes.length);
  const fat64 = magic === 0xcafebabf;
  const count = view.getUint32(4, false);
  const entry = fat64 ? 32 : 20;
  const ranges = [[0, 8 + count * entry]];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * entry;
    const offset = fat64 ? Number(view.getBigUint64(at + 8, false)) : view.getUint32(at + 8, false);
    const size = fat64 ? Number(view.getBigUint64(at + 16, false)) : view.getUint32(at + 12, false);
    ranges.push(...sliceRanges(bytes, offset, size));
  }
  return ranges;
}

function merge(ranges) {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const [offset, length] of sorted) {
    const last = out.at(-1);
    if (last && offset <= last[0] + last[1]) last[1] = Math.max(last[1], offset + length - last[0]);
    else out.push([offset, length]);
  }
  return out;
}

const [spec, member, output] = process.argv.slice(2);
if (!spec || !member || !output)
  fail('usage: cut-signature-fixture.mjs <package>@<version> <file-in-package> <out.sparse>');
const work = mkdtempSync(join(tmpdir(), 'xpc-lab-cut-'));
try {
  execFileSync('npm', ['pack', spec, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) fail(`npm pack ${spec} produced no tarball`);
  execFileSync('tar', ['xzf', tarball, `package/${member}`], { cwd: work });
  const bytes = readFileSync(join(work, 'package', member));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ranges = merge(cut(bytes));
  const header = Buffer.from(JSON.stringify({ size: bytes.length, sha256, ranges }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const body = ranges.map(([offset, size]) => bytes.subarray(offset, offset + size));
  writeFileSync(output, Buffer.concat([Buffer.from('XPCLSPRS'), length, header, ...body]));
  const kept = ranges.reduce((sum, [, size]) => sum + size, 0);
  process.stdout.write(
    `${spec} ${member}: ${bytes.length} bytes, sha256 ${sha256}; kept ${kept} bytes in ${ranges.length} ranges\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
