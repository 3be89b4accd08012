import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../main/scenario/parse';
import { junitReport, textReport } from '../../main/scenario/report';
import { runScenario } from '../../main/scenario/runner';
import { app, FakeSpawner, job, world } from '../support/fakes';

function run(yaml: string) {
  const agent = job('com.example.agent', { type: 'LaunchAgent', domainKind: 'gui', runAtLoad: true });
  return runScenario({
    scenario: parseScenario(yaml, 'inline.yaml'),
    world: world([app('com.example.app'), agent]),
    spawner: new FakeSpawner(),
  });
}

describe('the scenario runner', () => {
  it('steps before `start` act on a world not yet booted', async () => {
    const result = await run(
      [
        'steps:',
        '  - disable: gui/501/com.example.agent',
        '  - start',
        "  - expect: { log: 'Bootstrap failed: 119: Service is disabled' }",
        '  - expect: { running: com.example.agent, is: false, within: 0 }',
      ].join('\n'),
    );
    expect(result.ok, textReport(result)).toBe(true);
  });

  it('without a `start` step the world boots before the first step', async () => {
    const result = await run(
      'steps:\n  - expect: { spawn: com.example.agent, reason: speculative, since: start }\n',
    );
    expect(result.ok, textReport(result)).toBe(true);
  });

  it('an action that cannot be carried out stops the run, names the step and skips the rest', async () => {
    const result = await run(
      [
        'timeout: 100ms',
        'steps:',
        '  - connect: { id: c1, from: com.example.nobody, to: com.example.agent }',
        '  - pressure',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    expect(textReport(result)).toContain('✗ step 1: connect');
    expect(textReport(result)).toContain('com.example.nobody is not running');
    expect(textReport(result)).toContain('1 step(s) after the failed action did not run');
    expect(junitReport(result)).toContain('<skipped/>');
  });

  it('launchctl and SMAppService steps report what launchctl and the API said', async () => {
    const result = await run(
      'steps:\n  - bootout: gui/501/com.example.nope\n  - register: com.example.nope\n',
    );
    expect(result.steps.map((s) => s.message)).toEqual([
      '3: No such process',
      'status .notFound: Error Domain=SMAppServiceErrorDomain Code=8 "Job plist not found"',
    ]);
  });
});
