import { pathToFileURL } from 'node:url';
import type { HelperSdk } from './sdk';

/**
 * A user's own helper: an ES module whose default export is `(sdk) => void`,
 * written against the small SDK in main/helper/sdk.ts.
 */
export async function runScript(sdk: HelperSdk, path: string): Promise<void> {
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  if (typeof module.default !== 'function')
    throw new Error(`${path} does not default-export a function (sdk) => void`);
  await (module.default as (sdk: HelperSdk) => unknown)(sdk);
}
