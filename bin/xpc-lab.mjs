#!/usr/bin/env node
import { existsSync } from 'node:fs';

const cli = new URL('../dist/main/cli.mjs', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'xpc-lab: not built yet (dist/main/cli.mjs is missing): run `npm run build` in the XPC Lab folder.\n',
  );
  process.exit(2);
}
const { main } = await import(cli.href);
const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
