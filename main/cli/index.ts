import type { CliCommand } from './command';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { inspectCommand } from './commands/inspect';
import { runCommand } from './commands/run';
import { serveCommand } from './commands/serve';
import { upgradeCommand } from './commands/upgrade';
import { validateCommand } from './commands/validate';
import { runCli } from './program';

/**
 * Every `xpc-lab` command, in the order `xpc-lab --help` lists them. A new
 * command is a file exporting a CliCommand (main/cli/command.ts), or one
 * wrapped with rawArgsCommand, added here.
 */
export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  validateCommand,
  runCommand,
  importCommand,
  exportCommand,
  inspectCommand,
  upgradeCommand,
];

/** Runs `xpc-lab` with the arguments after its name; resolves to the exit code (0, 1 or 2). */
export function main(argv: string[]): Promise<number> {
  return runCli(COMMANDS, argv);
}
