import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../main/scenario/load';
import { parseScenario, ScenarioError } from '../../main/scenario/parse';

function problem(text: string): ScenarioError {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('the scenario parsed');
}

describe('scenario files', () => {
  it('parses actions, bare action names, expectations, durations and patterns', () => {
    const s = parseScenario(
      [
        'name: demo',
        'timeout: 2s',
        'steps:',
        '  - connect: { id: c1, from: com.acme.viewer, to: com.acme.helper }',
        '  - send: { conn: c1, body: { selector: ping }, reply: true }',
        '  - pressure',
        '  - advance: 1.5m',
        '  - name: the look-up fails',
        '    expect: { lookup: com.acme.helper, errno: 159, within: 250ms }',
        "  - expect: { log: '/Sandbox restriction$/i' }",
      ].join('\n'),
      'demo.yaml',
    );
    expect(s).toMatchObject({ name: 'demo', timeoutMs: 2000 });
    expect(s.steps.map((x) => [x.index, x.kind, x.name])).toEqual([
      [1, 'connect', 'connect'],
      [2, 'send', 'send'],
      [3, 'pressure', 'pressure'],
      [4, 'advance', 'advance'],
      [5, 'expect', 'the look-up fails'],
      [6, 'expect', 'expect'],
    ]);
    expect(s.steps[3]).toMatchObject({ arg: 90_000 });
    expect(s.steps[4]).toMatchObject({ arg: { kind: 'lookup', errno: 159, within: 250 } });
    const log = s.steps[5]!.arg as { log: RegExp };
    expect(log.log.test('error = 159: SANDBOX RESTRICTION')).toBe(true);
  });

  it('a bad scenario file gets an error naming the file, the step and the problem', () => {
    const e = problem('steps:\n  - connect: { id: c1, from: com.acme.viewer }\n');
    expect(e.message).toBe(
      'bad.yaml: step 1 (connect): connect: give exactly one of `to` (a service name) or `endpoint` (a connection id)',
    );
    expect(e.step).toEqual({ index: 1, name: 'connect' });
  });

  it('names the step by its name when it has one', () => {
    const e = problem(
      'steps:\n  - pressure\n  - name: wait for the crash\n    expect: { exit: com.acme.helper, cause: exploded }\n',
    );
    expect(e.message).toMatch(
      /^bad\.yaml: step 2 \(wait for the crash\): expect exit: cause: Invalid option/,
    );
  });

  it('an unknown action lists the ones it knows', () => {
    expect(problem('steps:\n  - explode: now\n').message).toMatch(
      /^bad\.yaml: step 1 \(explode\): unknown action "explode"; expected one of start, connect, listen, send/,
    );
  });

  it('two actions in one step are refused', () => {
    expect(problem('steps:\n  - crash: a\n    kill: a\n').message).toBe(
      'bad.yaml: step 1 (crash): one action per step, found crash and kill',
    );
  });

  it('a bad duration, pattern or error name is named with its field', () => {
    expect(problem('steps:\n  - wait: soon\n').message).toBe(
      'bad.yaml: step 1 (wait): wait: a duration such as 500ms, 2s or 1m',
    );
    expect(problem("steps:\n  - expect: { log: '(' }\n").message).toMatch(
      /step 1 \(expect\): expect log: log: not a regular expression/,
    );
    expect(problem('steps:\n  - expect: { conn: c1, error: XPC_ERROR_NOPE }\n').message).toMatch(
      /step 1 \(expect\): expect conn: error: Invalid option/,
    );
  });

  it('an unknown key in an expectation is refused, not ignored', () => {
    expect(problem('steps:\n  - expect: { exit: a, caus: crash }\n').message).toMatch(
      /step 1 \(expect\): expect exit: .*caus/,
    );
  });

  it('YAML syntax errors carry the line and column', () => {
    expect(problem('steps:\n  - name: x\n    pressure\n').message).toBe(
      'bad.yaml: not valid YAML (line 3, column 5): Implicit map keys need to be followed by map values',
    );
  });

  it('a scenario without steps is refused', () => {
    expect(problem('name: empty\nsteps: []\n').message).toBe(
      'bad.yaml: steps: a scenario needs at least one step',
    );
  });

  it('loads from disk, resolving its world against the file, and names a missing file', () => {
    const path = join(tmpdir(), `xpc-lab-scenario-${process.pid}.yaml`);
    writeFileSync(path, 'world: ../somewhere\nsteps:\n  - pressure\n');
    expect(loadScenario(path).world).toBe(join(tmpdir(), '..', 'somewhere'));
    expect(() => loadScenario('/nope/missing.yaml')).toThrow('/nope/missing.yaml: cannot read: ENOENT');
  });
});
