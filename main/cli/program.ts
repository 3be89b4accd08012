import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type CliCommand, EXIT } from './command';

/** package.json is two folders up both from main/cli/ (sources) and from dist/main/ (the build). */
function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

const EXIT_HELP = `Exit codes:
  0  success
  1  a check or expectation failed (world errors, a scenario step, connections an upgrade breaks)
  2  usage or input error (unknown option, missing or unreadable file, input in no format it reads)`;

function helpFor(spec: CliCommand): string {
  const lines = ['', spec.examples.length === 1 ? 'Example:' : 'Examples:'];
  for (const e of spec.examples) lines.push(`  $ ${e}`);
  if (spec.json) lines.push('', `With --json it prints: ${spec.json}`);
  return lines.join('\n');
}

/** commander's "error: …" lines carry the command's name, like the commands' own errors. */
function errorsNamed(command: Command, name: string): Command {
  return command.configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, `${name}: `)),
  });
}

function build(commands: readonly CliCommand[], setCode: (code: number) => void): Command {
  const program = errorsNamed(new Command('xpc-lab'), 'xpc-lab')
    .description(
      'A console for brokered XPC: a simulated launchd that runs real helpers, brokers their connections and records every event.',
    )
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .helpCommand('help [command]', "print a command's usage and an example")
    .exitOverride()
    .showHelpAfterError('(xpc-lab --help lists the commands)')
    .addHelpText(
      'after',
      `\nThe built-in demo world is used when a command takes a world folder and none is given.\n\n${EXIT_HELP}`,
    );
  for (const spec of commands) {
    const command = errorsNamed(program.command(spec.name), `xpc-lab ${spec.name}`)
      .summary(spec.summary)
      .description(spec.summary)
      .helpOption('-h, --help', 'print this help')
      .exitOverride()
      .showHelpAfterError(`(xpc-lab help ${spec.name} for usage)`);
    spec.define(command);
    command.addHelpText('after', helpFor(spec)).action(async (...received: unknown[]) => {
      // commander passes the positional values, then the options object, then the command.
      const args = received.slice(0, -2).filter((a) => a !== undefined) as (string | string[])[];
      setCode(await spec.run(args.flat(), command.opts()));
    });
  }
  return program;
}

/**
 * Runs `xpc-lab` with `argv` (the arguments after the program name) and
 * resolves to its exit code: 0 success, 1 a failed check, 2 a usage or input error.
 */
export async function runCli(commands: readonly CliCommand[], argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = build(commands, (c) => {
    code = c;
  });
  const name = argv.find((a) => !a.startsWith('-'));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // Help and --version end by "exiting" 0; every parse error (unknown option or command, missing argument) is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // Whatever else stops a command (InputError, a file the system refuses) is named, and is not a failed check.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`xpc-lab${name ? ` ${name}` : ''}: ${message}\n`);
    return EXIT.usage;
  }
}
