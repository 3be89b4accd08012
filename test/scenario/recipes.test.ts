import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildProcessSpawner } from '../../main/hosts/headless/child-spawner';
import { helperEntryPath } from '../../main/hosts/helper-path';
import { loadScenario } from '../../main/scenario/load';
import { parseScenario } from '../../main/scenario/parse';
import { junitReport, textReport } from '../../main/scenario/report';
import { runScenario } from '../../main/scenario/runner';
import type { Scenario } from '../../main/scenario/schema';
import { loadWorld } from '../../main/world/load';

const SCENARIOS = join(__dirname, '..', '..', 'assets', 'scenarios');
const files = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

let spawner: ChildProcessSpawner | undefined;
afterEach(() => spawner?.dispose());

async function run(scenario: Scenario) {
  if (!scenario.world) throw new Error(`${scenario.file} names no world`);
  const { world, diagnostics } = loadWorld(scenario.world);
  spawner = new ChildProcessSpawner(helperEntryPath());
  return runScenario({ scenario, world, diagnostics, spawner });
}

describe('the XPC-MODEL §8 recipes, run with real helpers', () => {
  it('covers every recipe the issue names', () => {
    expect(files).toEqual([
      'app-group-profile.yaml',
      'auth-plugin-peer.yaml',
      'code-signing-67050.yaml',
      'endpoint-listener-dies.yaml',
      'keepalive-crash-loop.yaml',
      'launch-conditions.yaml',
      'listener-eperm.yaml',
      'log-text-launchd.yaml',
      'log-text-sysextd.yaml',
      'ne-upgrade-developer-mode-same-version.yaml',
      'ne-upgrade-invalidates.yaml',
      'ne-upgrade-preinstall-on-demand.yaml',
      'ne-upgrade-remedy-deactivate-activate.yaml',
      'ne-upgrade-remedy-delete-app.yaml',
      'ne-upgrade-remedy-delete.yaml',
      'ne-upgrade-remedy-pkg-preinstall.yaml',
      'ne-upgrade-remedy-reboot.yaml',
      'ne-upgrade-remedy-versioned-name.yaml',
      'on-demand-launch.yaml',
      'reconnect-after-bootout.yaml',
      'requirement-absent-and-pasted-designated.yaml',
      'sandbox-lookup-159.yaml',
      'smjobbless-to-smappservice.yaml',
      'stale-disabled-override.yaml',
      'sysext-to-agent.yaml',
      'transactions-idle-exit.yaml',
      'unix-socket.yaml',
    ]);
  });

  for (const file of files) {
    it(`${file}: every expectation holds`, async () => {
      const result = await run(loadScenario(join(SCENARIOS, file)));
      expect(result.ok, textReport(result)).toBe(true);
      expect(result.steps).toHaveLength(result.scenario.steps.length);
    });
  }
});

describe('a failing expectation', () => {
  const path = join(SCENARIOS, 'sandbox-lookup-159.yaml');
  const altered = () =>
    parseScenario(
      readFileSync(path, 'utf8').replace(
        '{ lookup: com.acme.helper, errno: 159 }',
        '{ lookup: com.acme.helper, errno: 3, within: 300ms }',
      ),
      path,
    );

  it('fails the run with a report naming the step, what was seen and the events around it', async () => {
    const result = await run({ ...altered(), world: join(SCENARIOS, '..', 'worlds', 'sandbox-lookup') });
    expect(result.ok).toBe(false);
    const report = textReport(result);
    expect(report).toMatch(/^FAIL {2}Sandbox lookup fails with 159/);
    expect(report).toContain('✗ step 3: the look-up of com.acme.helper fails with errno 3 within 300ms');
    expect(report).toContain('the look-up of com.acme.helper failed with error 159 (Sandbox restriction)');
    const context =
      report
        .split('events around it:\n')[1]
        ?.split('\n')
        .filter((l) => l.startsWith('      #')) ?? [];
    expect(context.length).toBeGreaterThanOrEqual(5);
    expect(context.length).toBeLessThanOrEqual(10);
    expect(context.join('\n')).toContain('lookup com.acme.helper by pid');
    expect(result.steps.filter((s) => !s.ok).map((s) => s.index)).toEqual([3]);
  });

  it('is a <failure> in the JUnit report; the other steps pass', async () => {
    const result = await run({ ...altered(), world: join(SCENARIOS, '..', 'worlds', 'sandbox-lookup') });
    const xml = junitReport(result);
    expect(xml).toContain(`<testsuite name="Sandbox lookup fails with 159"`);
    expect(xml).toContain(`tests="${result.scenario.steps.length}" failures="1"`);
    expect(
      xml.match(
        /<failure message="the look-up of com.acme.helper failed with error 159 \(Sandbox restriction\)">/g,
      ),
    ).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(result.scenario.steps.length);
  });
});

describe('a scenario that expects the reboot remedy to work (XPC-MODEL §5.4 says it does not)', () => {
  const path = join(SCENARIOS, 'ne-upgrade-remedy-reboot.yaml');
  const altered = (): Scenario => {
    const scenario = parseScenario(
      readFileSync(path, 'utf8')
        .replace(
          '{ upgrade: com.acme.vpn, remedy: reboot, works: false }',
          '{ upgrade: com.acme.vpn, remedy: reboot }',
        )
        .replace(
          '{ conn: c1, state: invalidated, error: XPC_ERROR_CONNECTION_INVALID, nsError: 4099 }',
          '{ conn: c1, state: connected, within: 300ms }',
        ),
      path,
    );
    return { ...scenario, world: join(SCENARIOS, scenario.world!) };
  };

  it('fails with a report naming each step, what was seen instead and the events around it', async () => {
    const result = await run(altered());
    expect(result.ok).toBe(false);
    expect(result.steps.filter((s) => !s.ok).map((s) => s.index)).toEqual([2, 10]);
    const report = textReport(result);
    expect(report).toMatch(/^FAIL {2}A reboot does not fix the stale binding/);
    expect(report).toContain('✗ step 2: the last upgrade of com.acme.vpn says reboot works');
    expect(report).toContain(
      'the report of com.acme.vpn\'s upgrade 2.4.0 (240) → 2.4.1 (241): it says reboot does not work: [I] XPC-MODEL §5.4: "rebooting does not help in some reports"',
    );
    expect(report).toContain('✗ step 10: connection c1 reaches connected within 300ms');
    expect(report).toMatch(
      /is invalidated \(XPC_ERROR_CONNECTION_INVALID\): ABCDE12345\.com\.acme\.vpn\.tunnel is still bound to the replaced com\.acme\.vpn\.tunnel 2\.4\.0 \(240\), now \[terminated waiting to uninstall on reboot\]/,
    );
    expect(report).toMatch(/upgrade com\.acme\.vpn 2\.4\.0 \(240\) → 2\.4\.1 \(241\) \(pkg, VPN connected\)/);
    expect(report).toMatch(/log Acme VPN\[\d+\]: \[0x[0-9a-f]+\] invalidated after a failed init/);
    // The run goes on after a failed expectation: the second reboot still fixes it.
    expect(result.steps).toHaveLength(result.scenario.steps.length);
    expect(result.steps.at(-1)).toMatchObject({
      ok: true,
      description: expect.stringMatching(/^c2 receives a reply/),
    });
  });
});
