// `npm start`: the desktop app on the demo world. Where Electron's binary cannot
// be obtained (it is downloaded on first run), say so in one line and serve the
// same console from the headless host instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function electronBinary() {
  // Resolving `electron` downloads the binary when it is missing; do it in a child so a
  // failed download cannot take this process with it, and keep its noise out of the way.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (probe.status === 0 && probe.stdout) return { path: probe.stdout };
  const lines = (probe.stderr || probe.error?.message || '').split('\n').map((l) => l.trim());
  const download = lines.find(
    (l) => /fetch failed|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|download/i.test(l) && !l.startsWith('Downloading'),
  );
  const error = lines.find((l) => l.startsWith('Error:'));
  return {
    reason:
      [error?.replace(/^Error: /, ''), download && `download: ${download}`].filter(Boolean).join('; ') ||
      'it could not be started',
  };
}

const found = process.env.XPC_LAB_HEADLESS ? { reason: 'XPC_LAB_HEADLESS is set' } : electronBinary();
if (found.path) {
  const child = spawn(found.path, ['.', ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  process.stderr.write(
    `XPC Lab: Electron's binary is not available (${found.reason}); starting the headless host instead.\n`,
  );
  const world = args.find((a) => a.startsWith('--world='))?.slice('--world='.length);
  const child = spawn(
    process.execPath,
    [require.resolve('../bin/xpc-lab.mjs'), 'serve', ...(world ? [world] : [])],
    { stdio: 'inherit' },
  );
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}
