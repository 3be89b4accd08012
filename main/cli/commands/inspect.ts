import type { CliCommand } from '../command';
import { inspectCommand as inspect } from '../inspect';

/** `xpc-lab inspect`: a bundle's or binary's code signature as `codesign -dvvv -r- --entitlements -` shows it. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'print the code signature of a bundle or Mach-O binary, as codesign -dvvv -r- shows it',
  define(command) {
    command
      .argument('<bundle-or-binary>', 'an .app/.xpc/.systemextension bundle, or a Mach-O file')
      .option('--arch <name>', 'the architecture of a universal binary to show (the host one by default)')
      .option('--json', 'print every architecture as JSON');
  },
  examples: [
    'xpc-lab inspect "/Applications/Acme VPN.app"',
    'xpc-lab inspect build/Release/helper --arch x86_64 --json',
  ],
  json: '{ "executable", "bundle"?, "shown": arch, "format", "architectures": [{ "arch", "signed", "identifier", "teamId", "flags", "flagNames", "cdhash", "requirements", "entitlements", "certificates" }] }',
  run([path], options) {
    return inspect([
      path!,
      ...(typeof options.arch === 'string' ? ['--arch', options.arch] : []),
      ...(options.json ? ['--json'] : []),
    ]);
  },
};
