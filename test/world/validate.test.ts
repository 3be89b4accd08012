import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorld } from '../../main/world/load';
import type { Diagnostic } from '../../main/world/plist-file';

const FIXTURES = join(__dirname, '..', 'fixtures', 'worlds');
const ASSETS = join(__dirname, '..', '..', 'assets', 'worlds');
const APP = 'Applications/Leaky VPN.app/Contents';

describe('the mistakes world reports each mistake (fixtures/worlds/mistakes)', () => {
  const { diagnostics } = loadWorld(join(FIXTURES, 'mistakes'));
  const find = (test: (d: Diagnostic) => boolean) => diagnostics.filter(test);

  it('an NEMachServiceName not prefixed by the team ID or an app group', () => {
    expect(find((d) => d.key === 'NetworkExtension.NEMachServiceName')).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: `${APP}/Library/SystemExtensions/com.leaky.vpn.tunnel.systemextension/Contents/Info.plist`,
        message:
          'com.leaky.vpn.tunnel is not prefixed by the team ID (LEAKY12345.) or by an app group the extension belongs to',
        consequence: expect.stringContaining('XPC-MODEL §5.3'),
      }),
    ]);
  });

  it('a system extension and a daemon that try to reach a LaunchAgent\u2019s service', () => {
    const reach = find((d) => d.message.includes('a namespace it cannot see'));
    expect(reach.map((d) => d.key)).toEqual([
      'bundles.com.leaky.vpn.helper.behaviours[1].service',
      'bundles.com.leaky.vpn.tunnel.behaviours[1].service',
    ]);
    expect(reach[0]?.consequence).toMatch(/error 3 \(No such process\).*4099/);
  });

  it('a label used by two jobs, worded as the SMJobBless → SMAppService collision', () => {
    expect(find((d) => d.key === 'Label')).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: `${APP}/Library/LaunchDaemons/com.leaky.vpn.helper.plist`,
        message:
          'the label com.leaky.vpn.helper is also used by Library/LaunchDaemons/com.leaky.vpn.helper.plist',
        consequence: expect.stringContaining('Bootstrap failed: 17: File exists'),
      }),
    ]);
  });

  it('a MachServices name the job\u2019s process never checks in', () => {
    expect(find((d) => d.key === 'MachServices.com.leaky.vpn.updater.xpc')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'Library/LaunchDaemons/com.leaky.vpn.updater.plist',
      }),
    ]);
  });

  it('an XPC service outside its app', () => {
    expect(find((d) => d.file === 'Library/XPCServices/com.leaky.vpn.parser.xpc')).toEqual([
      expect.objectContaining({ severity: 'error', consequence: expect.stringContaining('error = 147') }),
    ]);
  });

  it('a malformed plist, with its line', () => {
    expect(find((d) => d.file === 'Library/LaunchAgents/com.leaky.vpn.menu.plist')).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 17,
        message: 'malformed XML plist (line 17): </string> closes <dict>, opened on line 14',
      }),
    ]);
  });

  it('an unresolved $(VAR), and an Endpoint Security extension on the deprecated default name', () => {
    expect(find((d) => d.key === 'CFBundleShortVersionString')[0]?.message).toMatch(
      /^\$\(MARKETING_VERSION\) is not resolved/,
    );
    expect(find((d) => d.key === 'NSEndpointSecurityMachServiceName')[0]?.message).toContain(
      'LEAKY12345.com.leaky.vpn.guard.xpc',
    );
  });

  it('reports nothing else', () => {
    expect(diagnostics).toHaveLength(9);
  });
});

describe('the demo worlds (assets/worlds)', () => {
  it('acme-vpn validates clean', () => {
    expect(loadWorld(join(ASSETS, 'acme-vpn')).diagnostics).toEqual([]);
  });

  it('northwind-guard reports the sandboxed host app\u2019s 159 (F-789330)', () => {
    const { diagnostics } = loadWorld(join(ASSETS, 'northwind-guard'));
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        key: 'bundles.com.northwind.guard.behaviours[0].service',
        message:
          'com.northwind.guard is sandboxed and has no mach-lookup exception for NWGD123456.com.northwind.guard.es.xpc',
        consequence: expect.stringContaining('159'),
      }),
    ]);
  });

  it('orbit-backup reports the SMJobBless → SMAppService label collision (XPC-MODEL §4.6)', () => {
    const { diagnostics } = loadWorld(join(ASSETS, 'orbit-backup'));
    expect(diagnostics).toEqual([
      expect.objectContaining({ key: 'Label', consequence: expect.stringContaining('XPC-MODEL §4.6') }),
    ]);
  });

  it('pebble-notes validates clean: the app and its helper meet on an app-group name', () => {
    expect(loadWorld(join(ASSETS, 'pebble-notes')).diagnostics).toEqual([]);
  });
});
