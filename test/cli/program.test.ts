import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliCommand, EXIT, InputError, rawArgsCommand } from '../../main/cli/command';
import { COMMANDS } from '../../main/cli/index';
import { runCli } from '../../main/cli/program';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => err.push(String(chunk)) > 0);
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => vi.restoreAllMocks());

/** A command as a new one is added: a file exporting a CliCommand, listed beside the others. */
const greet: CliCommand = {
  name: 'greet',
  summary: 'say hello',
  define(command) {
    command.argument('<who>', 'whom to greet').option('--json', 'print JSON');
  },
  examples: ['xpc-lab greet world'],
  json: '{ "hello": who }',
  run([who], options) {
    if (who === 'nobody') throw new InputError('nobody is not someone to greet');
    if (options.json) process.stdout.write(`${JSON.stringify({ hello: who })}\n`);
    else process.stdout.write(`hello ${who}\n`);
    return who === 'failure' ? EXIT.failed : EXIT.ok;
  },
};

/** A command that parses its own arguments, wrapped as it is. */
const echo = rawArgsCommand({
  name: 'echo',
  summary: 'print the arguments',
  usage: '<words...> [--loud]',
  examples: ['xpc-lab echo a b --loud'],
  run: (args) => {
    process.stdout.write(`${JSON.stringify(args)}\n`);
    return args.includes('--fail') ? EXIT.failed : EXIT.ok;
  },
});

describe('adding a command', () => {
  const commands = [...COMMANDS, greet, echo];

  it('a CliCommand gets help with its example and --json shape, the exit codes, and errors named', async () => {
    let io = capture();
    expect(await runCli(commands, ['greet', 'world'])).toBe(0);
    expect(io.out()).toBe('hello world\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(commands, ['greet', 'failure', '--json'])).toBe(1);
    expect(io.out()).toBe('{"hello":"failure"}\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(commands, ['greet', 'nobody'])).toBe(2);
    expect(io.err()).toBe('xpc-lab greet: nobody is not someone to greet\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(commands, ['help', 'greet'])).toBe(0);
    expect(io.out()).toContain('Usage: xpc-lab greet [options] <who>');
    expect(io.out()).toContain('Example:\n  $ xpc-lab greet world');
    expect(io.out()).toContain('With --json it prints: { "hello": who }');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(commands, ['--help'])).toBe(0);
    expect(io.out()).toMatch(/\n {2}greet \[options\] <who> +say hello\n/);
  });

  it('a command with its own parsing gets every argument and option untouched, and --help', async () => {
    let io = capture();
    expect(await runCli(commands, ['echo', 'a', '--loud', 'b', '--n=3'])).toBe(0);
    expect(io.out()).toBe('["a","--loud","b","--n=3"]\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(commands, ['echo', '--fail'])).toBe(1);
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(commands, ['echo', '--help'])).toBe(0);
    expect(io.out()).toMatch(/^Usage: xpc-lab echo <words\.\.\.> \[--loud\]\n/);
    expect(io.out()).toContain('$ xpc-lab echo a b --loud');
  });
});
