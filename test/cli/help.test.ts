import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SPAWNS_TIMEOUT, xpcLab } from './xpc-lab';

const COMMANDS = ['serve', 'validate', 'run', 'import', 'export', 'inspect', 'upgrade'];

describe('xpc-lab help', { timeout: SPAWNS_TIMEOUT }, () => {
  it.each(COMMANDS)(
    '%s: --help, -h and help <command> print the same usage with an example, and exit 0',
    (name) => {
      const long = xpcLab([name, '--help']);
      const short = xpcLab([name, '-h']);
      const viaHelp = xpcLab(['help', name]);
      for (const r of [long, short, viaHelp]) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
      }
      expect(short.stdout).toBe(long.stdout);
      expect(viaHelp.stdout).toBe(long.stdout);
      expect(long.stdout).toMatch(new RegExp(`^Usage: xpc-lab ${name} `));
      expect(long.stdout).toMatch(/\nExamples?:\n {2}\$ xpc-lab /);
      expect(long.stdout).toContain(`$ xpc-lab ${name} `);
      // Every command that prints results documents its --json shape; serve prints an address and runs.
      if (name !== 'serve') expect(long.stdout).toMatch(/--json\s+print[\s\S]*\nWith --json it prints: \{/);
    },
  );

  it('lists every command with a line each, and the exit codes', () => {
    const r = xpcLab(['--help']);
    expect(r.code).toBe(0);
    for (const name of COMMANDS) expect(r.stdout).toMatch(new RegExp(`\\n {2}${name} `));
    expect(r.stdout).toContain('0  success');
    expect(r.stdout).toContain('1  a check or expectation failed');
    expect(r.stdout).toContain('2  usage or input error');
    expect(xpcLab(['help']).stdout).toBe(r.stdout);
  });

  it('--version and -V print the version from package.json', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(xpcLab(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(xpcLab(['-V']).stdout).toBe(`${version}\n`);
  });

  it('no command is a usage error: the help goes to stderr and the exit code is 2', () => {
    const r = xpcLab([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: xpc-lab /);
  });

  it('an unknown command names itself and exits 2', () => {
    const r = xpcLab(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^xpc-lab: unknown command 'frobnicate'\n/);
  });

  it.each(COMMANDS)('%s with an unknown option says which, points at its help, and exits 2', (name) => {
    // run's one required option is given, so the unknown one is what is wrong.
    const r = xpcLab([name, ...(name === 'run' ? ['--scenario', 'x.yaml'] : []), '--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `xpc-lab ${name}: unknown option '--no-such-option'\n(xpc-lab help ${name} for usage)\n`,
    );
  });
});
