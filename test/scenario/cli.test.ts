import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index';

const ROOT = join(__dirname, '..', '..');
const scenario = (name: string) => join(ROOT, 'assets', 'scenarios', name);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const into = (lines: string[]) => (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(into(out));
  vi.spyOn(process.stderr, 'write').mockImplementation(into(err));
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('xpc-lab run', () => {
  it('exits 0 when every expectation holds, and writes the trace and the JUnit report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-run-'));
    const io = capture();
    const code = await main([
      'run',
      join(ROOT, 'assets', 'worlds', 'on-demand'),
      '--scenario',
      scenario('on-demand-launch.yaml'),
      '--trace',
      join(dir, 'out.ndjson'),
      '--junit',
      join(dir, 'out.xml'),
    ]);
    expect(code, io.out() + io.err()).toBe(0);
    expect(io.out()).toMatch(/^PASS {2}On-demand launch/);
    const trace = readFileSync(join(dir, 'out.ndjson'), 'utf8').trim().split('\n');
    expect(JSON.parse(trace[0]!)).toMatchObject({
      format: 'xpc-lab-trace',
      host: 'cli',
      world: 'On-demand launch',
    });
    expect(trace.some((l) => l.includes('"kind":"process.spawn"'))).toBe(true);
    expect(readFileSync(join(dir, 'out.xml'), 'utf8')).toContain('failures="0"');
  });

  it('exits 1 and says which expectation failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-run-'));
    const path = join(dir, 'altered.yaml');
    const text = readFileSync(scenario('listener-eperm.yaml'), 'utf8')
      .replace('world: ../worlds/on-demand', `world: ${join(ROOT, 'assets', 'worlds', 'on-demand')}`)
      .replace(
        'xpc_error=\\[1: Operation not permitted\\]',
        'xpc_error=\\[37: Operation already in progress\\]',
      );
    writeFileSync(
      path,
      text.replace(
        "- expect: { log: 'listener failed to activate: xpc_error=\\[37",
        "- expect: { within: 200ms, log: 'listener failed to activate: xpc_error=\\[37",
      ),
    );
    const io = capture();
    expect(await main(['run', '--scenario', path])).toBe(1);
    expect(io.out()).toContain(
      '✗ step 3: a log line matching /listener failed to activate: xpc_error=\\[37: Operation already in progress\\]/ appears',
    );
    expect(existsSync(join(dir, 'out.xml'))).toBe(false);
  });

  it('exits 2 for a bad scenario file, naming the file, the step and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-run-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'steps:\n  - crash: com.acme.helper\n  - send: { conn: c1, reply: maybe }\n');
    const io = capture();
    expect(await main(['run', join(ROOT, 'assets', 'worlds', 'on-demand'), '--scenario', path])).toBe(2);
    expect(io.err()).toBe(
      `xpc-lab run: ${path}: step 2 (send): send: reply: Invalid input: expected boolean, received string\n`,
    );
  });

  it('exits 2 for an undefined or a multiplying YAML alias, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-run-'));
    const undefinedAlias = join(dir, 'undefined-alias.yaml');
    writeFileSync(undefinedAlias, 'steps:\n  - crash: *helper\n');
    const laughs = join(dir, 'laughs.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h'].entries()) {
      const prev = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    writeFileSync(laughs, `${levels.join('\n')}\nsteps:\n  - crash: com.acme.helper\n`);
    const world = join(ROOT, 'assets', 'worlds', 'on-demand');
    let io = capture();
    expect(await main(['run', world, '--scenario', undefinedAlias])).toBe(2);
    expect(io.err()).toBe(
      `xpc-lab run: ${undefinedAlias}: the alias *helper refers to no anchor (&helper) set before it\n`,
    );
    vi.restoreAllMocks();
    io = capture();
    const started = performance.now();
    expect(await main(['run', world, '--scenario', laughs])).toBe(2);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(io.err()).toMatch(new RegExp(`^xpc-lab run: ${laughs}: its aliases expand to too many values`));
  });
});
