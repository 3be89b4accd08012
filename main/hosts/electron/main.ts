import { join } from 'node:path';
import * as electron from 'electron';
import { helperEntryPath } from '../helper-path';
import { demoWorldPath } from '../paths';
import { runElectronHost } from './host';

// `electron . <world-dir>` in development, `XPC Lab <world-dir>` packaged; --world=<dir> in either.
const args = process.argv.slice(process.defaultApp ? 2 : 1);
const worldArg =
  args.find((a) => a.startsWith('--world='))?.slice('--world='.length) ??
  args.find((a) => !a.startsWith('-'));
const distDir = join(__dirname, '..');

runElectronHost(electron, {
  worldDir: worldArg ?? demoWorldPath(),
  distDir,
  helperEntry: helperEntryPath(distDir),
}).catch((error: unknown) => {
  process.stderr.write(
    `XPC Lab could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  electron.app.exit(1);
});
