// `npm run fuzz`: bundles fuzz/run.ts with esbuild and runs it; see fuzz/run.ts for the settings.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'fuzz', 'run.mjs');
await build({
  absWorkingDir: root,
  entryPoints: ['fuzz/run.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as __xpcCreateRequire } from 'node:module'; const require = __xpcCreateRequire(import.meta.url);",
  },
});
const result = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
