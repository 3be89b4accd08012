// Builds every part of XPC Lab with esbuild: main (CLI, Electron host),
// the helper program, the preload and the renderer.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const watchless = { logLevel: 'warning', absWorkingDir: root, sourcemap: 'linked', legalComments: 'none' };
const node = {
  ...watchless,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['bufferutil', 'utf-8-validate'],
};
// ESM bundles that pull in CommonJS packages (ws) need a require().
const esmBanner = {
  js: "import { createRequire as __xpcCreateRequire } from 'node:module'; const require = __xpcCreateRequire(import.meta.url);",
};

const started = performance.now();
mkdirSync(join(out, 'renderer'), { recursive: true });
await Promise.all([
  build({
    ...node,
    entryPoints: ['main/cli/index.ts'],
    outfile: 'dist/main/cli.mjs',
    format: 'esm',
    banner: esmBanner,
  }),
  build({
    ...node,
    entryPoints: ['main/hosts/electron/main.ts'],
    outfile: 'dist/main/electron.cjs',
    format: 'cjs',
    external: [...node.external, 'electron'],
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
  }),
  build({
    ...node,
    entryPoints: ['main/helper/entry.ts'],
    outfile: 'dist/helper/entry.mjs',
    format: 'esm',
    banner: esmBanner,
  }),
  build({
    ...node,
    entryPoints: ['preload/index.ts'],
    outfile: 'dist/preload/index.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...watchless,
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'esm',
    entryPoints: ['renderer/main.tsx'],
    outfile: 'dist/renderer/app.js',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  }),
]);
copyFileSync(join(root, 'renderer', 'index.html'), join(out, 'renderer', 'index.html'));
copyFileSync(join(root, 'assets', 'icon.svg'), join(out, 'renderer', 'icon.svg'));
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
