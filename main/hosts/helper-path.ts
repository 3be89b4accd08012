import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the built helper program is: beside the running bundle in dist/, or
 * in dist/ of the project when running from source (tests).
 */
export function helperEntryPath(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, 'helper', 'entry.mjs'), join(dir, 'dist', 'helper', 'entry.mjs')]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error('the helper program dist/helper/entry.mjs is missing: run `npm run build` first');
}
