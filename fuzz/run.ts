/**
 * `npm run fuzz`: every target for XPC_LAB_FUZZ_CASES cases (1,000,000 by
 * default), or only those named in XPC_LAB_FUZZ_TARGETS (comma-separated,
 * matched by substring). Prints one line per target and writes the figures
 * to test-output/fuzz.json. Exits 1 if any case escaped, took over 1 s or
 * grew the heap by over 64 MB.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { type FuzzFigures, fuzzTarget } from './check';
import { TARGETS } from './targets';

// The XML parser the plist package uses logs every malformed document; millions of them would bury the figures.
const error = console.error;
console.error = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('[xmldom')) return;
  error(...args);
};
const cases = Number(process.env.XPC_LAB_FUZZ_CASES ?? 1_000_000);
const only = process.env.XPC_LAB_FUZZ_TARGETS?.split(',').map((s) => s.trim().toLowerCase());
const seed = process.env.XPC_LAB_FUZZ_SEED === undefined ? undefined : Number(process.env.XPC_LAB_FUZZ_SEED);
const all: FuzzFigures[] = [];
let failed = false;
let peakRssMb = 0;
for (const target of TARGETS) {
  if (only && !only.some((o) => target.name.toLowerCase().includes(o))) continue;
  const f = fuzzTarget(target, cases, seed);
  peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / (1024 * 1024));
  all.push(f);
  const bad = f.escapes > 0 || f.slowestMs > 1000 || f.maxHeapGrowthMb > 64;
  failed ||= bad;
  process.stdout.write(
    `${bad ? 'FAIL' : 'ok  '} ${f.target.padEnd(26)} ${f.cases} cases, ${f.escapes} escapes, slowest ${f.slowestMs.toFixed(1)} ms, max heap growth ${f.maxHeapGrowthMb.toFixed(1)} MB, ${(f.totalMs / 1000).toFixed(1)} s\n`,
  );
  if (f.firstEscape)
    process.stdout.write(`     first escape: ${f.firstEscape.error}\n     input: ${f.firstEscape.input}\n`);
}
process.stdout.write(`peak RSS ${peakRssMb.toFixed(0)} MB\n`);
mkdirSync('test-output', { recursive: true });
writeFileSync('test-output/fuzz.json', `${JSON.stringify({ cases, peakRssMb, targets: all }, null, 2)}\n`);
process.exit(failed ? 1 : 0);
