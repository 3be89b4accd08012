import type { Command } from 'commander';

/** The exit codes every command uses, listed in README's command section. */
export const EXIT = {
  /** The command did its work and every check held. */
  ok: 0,
  /** A check or expectation failed: world errors, a scenario step, an upgrade that breaks connections. */
  failed: 1,
  /** The command could not do its work: a usage error, or input it cannot read or use, or output it cannot write. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure that is the caller's to fix (a missing file, a log in no known
 * style, a bad option value): printed as `xpc-lab <command>: <message>`, exit 2.
 */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/**
 * One `xpc-lab` command. Each lives in its own file and is listed once in
 * main/cli/index.ts; the program gives every one `--help`/`-h`, `help <name>`,
 * its examples and its `--json` shape in the help, and the shared exit codes.
 */
export interface CliCommand {
  /** How it is called: `xpc-lab <name>`. */
  name: string;
  /** One line for `xpc-lab --help`. */
  summary: string;
  /** Adds arguments and options (commander's `.argument()` and `.option()`). */
  define(command: Command): void;
  /** Full command lines shown under "Examples" in its help. */
  examples: readonly string[];
  /** What `--json` prints, shown in its help; absent for a command that prints no results. */
  json?: string;
  /** Does the work; resolves to an exit code from EXIT. Throwing InputError exits 2 with its message. */
  run(args: string[], options: Record<string, unknown>): Promise<number> | number;
}

/**
 * A command written as `(args) => exit code` over its own argument parsing:
 * the program still gives it `--help` with `usage` and the example, and hands
 * it every other argument and option untouched.
 */
export function rawArgsCommand(spec: {
  name: string;
  summary: string;
  /** What follows the command's name in its usage line, e.g. `<bundle-or-binary> [--json]`. */
  usage: string;
  examples: readonly string[];
  json?: string;
  run(args: string[]): Promise<number> | number;
}): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    examples: spec.examples,
    ...(spec.json ? { json: spec.json } : {}),
    define(command) {
      command.usage(spec.usage).allowUnknownOption().allowExcessArguments().argument('[args...]');
    },
    run: (args) => spec.run(args.flat()),
  };
}

/** Prints a value as the one JSON document a command's `--json` promises. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A line for the person at the terminal (progress, warnings, where a file went): stderr, so stdout stays the result. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
