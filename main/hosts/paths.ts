import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this file with assets/ and package.json. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assets'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find XPC Lab's package folder above ${from}`);
}

export const DEMO_WORLD = 'acme-vpn';

export function demoWorldPath(): string {
  return join(packageRoot(), 'assets', 'worlds', DEMO_WORLD);
}

export function rendererDir(): string {
  const dir = join(packageRoot(), 'dist', 'renderer');
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(
      'the console is not built (dist/renderer/index.html is missing): run `npm run build` first',
    );
  return dir;
}
