import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asset, REDRAW, SPAWNS_TIMEOUT, scratch, xpcLab, xpcLabOnTerminal } from './xpc-lab';

const ON_DEMAND = asset('worlds', 'on-demand');

/** Two quick scenarios of the on-demand world, in a folder of their own. */
function twoScenarios(): string {
  const dir = join(scratch(), 'scenarios');
  mkdirSync(dir);
  for (const name of ['on-demand-launch.yaml', 'listener-eperm.yaml'])
    copyFileSync(asset('scenarios', name), join(dir, name));
  return dir;
}

describe('xpc-lab run', { timeout: SPAWNS_TIMEOUT }, () => {
  it('runs a folder of scenarios: a report each, a total, one JUnit suite each, exit 0', () => {
    const out = join(scratch(), 'results.xml');
    const r = xpcLab(['run', ON_DEMAND, '--scenario', twoScenarios(), '--junit', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}Listener fails to activate with EPERM/m);
    expect(r.stdout).toMatch(/^PASS {2}On-demand launch/m);
    expect(r.stdout).toMatch(/\n2 of 2 scenarios passed\n$/);
    const xml = readFileSync(out, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuites tests="\d+" failures="0"/);
  });

  it('--json prints one document; a failed expectation exits 1 and is named in it', () => {
    const dir = twoScenarios();
    const eperm = join(dir, 'listener-eperm.yaml');
    writeFileSync(
      eperm,
      readFileSync(eperm, 'utf8').replace(
        "- expect: { log: 'listener failed to activate: xpc_error=\\[1: Operation not permitted\\]",
        "- expect: { within: 200ms, log: 'listener failed to activate: xpc_error=\\[2: No such file\\]",
      ),
    );
    const r = xpcLab(['run', ON_DEMAND, '--scenario', dir, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      passed: number;
      failed: number;
      scenarios: { name: string; ok: boolean; steps: { ok: boolean; message?: string }[] }[];
    };
    expect(doc).toMatchObject({ ok: false, passed: 1, failed: 1 });
    const failed = doc.scenarios.find((s) => !s.ok)!;
    expect(failed.name).toBe('Listener fails to activate with EPERM');
    expect(failed.steps.filter((s) => !s.ok)).toHaveLength(1);
    expect(doc.scenarios.find((s) => s.ok)?.name).toBe('On-demand launch');
  });

  it('exits 2 for a scenario that cannot be read, before running any', () => {
    const dir = twoScenarios();
    writeFileSync(join(dir, 'zz-bad.yaml'), 'steps:\n  - send: { conn: c1, reply: maybe }\n');
    const r = xpcLab(['run', ON_DEMAND, '--scenario', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^xpc-lab run: .*zz-bad\.yaml: step 1 \(send\): /);
  });

  it('exits 2 without --scenario, and for --trace with more than one scenario', () => {
    const none = xpcLab(['run', ON_DEMAND]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^xpc-lab run: required option '--scenario <file>' not specified/);
    const many = xpcLab([
      'run',
      ON_DEMAND,
      '--scenario',
      twoScenarios(),
      '--trace',
      join(scratch(), 't.ndjson'),
    ]);
    expect(many.code).toBe(2);
    expect(many.stderr).toBe('xpc-lab run: --trace records one scenario; 2 were given\n');
  });

  it('shows which scenario and step it is on when on a terminal', () => {
    const r = xpcLabOnTerminal(['run', ON_DEMAND, '--scenario', asset('scenarios', 'on-demand-launch.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${REDRAW}scenario 1 of 1: On-demand launch`);
    expect(xpcLab(['run', ON_DEMAND, '--scenario', asset('scenarios', 'listener-eperm.yaml')]).stderr).toBe(
      '',
    );
  });
});
