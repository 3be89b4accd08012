// `npm run bench`: bundles each benchmark with esbuild and runs it. Each one
// measures a baseline in the same run and reports the ratio.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const only = process.argv.slice(2);
const benches = readdirSync('bench').filter(
  (f) => f.endsWith('.ts') && (only.length === 0 || only.some((o) => f.includes(o))),
);
for (const file of benches) {
  const outfile = join('bench', 'out', file.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join('bench', file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    external: ['bufferutil', 'utf-8-validate', 'playwright-core'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  process.stdout.write(`\n== ${file}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', outfile], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
