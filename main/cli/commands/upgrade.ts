import type { CliCommand } from '../command';
import { upgradeCommand as upgrade } from '../upgrade';

const FLAGS = [
  'bump',
  'versioned-name',
  'on-demand',
  'postinstall-reconnects',
  'developer-mode',
  'json',
] as const;
const VALUES = ['app', 'vpn', 'installer', 'wait', 'junit'] as const;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** `xpc-lab upgrade`: an upgrade run headless with real helpers; exit 1 when the app's connections do not recover. */
export const upgradeCommand: CliCommand = {
  name: 'upgrade',
  summary: 'install version N+1 over an app with real helpers; exit 1 when its connections do not recover',
  define(command) {
    command
      .argument('<old-app-or-world>', 'the installed version: a world folder or an .app inside one')
      .argument('[new-app-or-world]', 'the version installed over it (or --bump)')
      .option('--bump', 'the new version is the old one with every version raised')
      .option(
        '--versioned-name',
        "with --bump: the new build's NEMachServiceName carries $(CURRENT_PROJECT_VERSION)",
      )
      .option('--app <bundle-id>', 'the app to upgrade, when the world holds more than one')
      .option('--vpn <on|off>', 'whether the VPN is connected when the installer runs')
      .option('--installer <kind>', 'pkg, pkg-preinstall or drag')
      .option('--on-demand', 'an on-demand rule reconnects the VPN before the first launch')
      .option('--postinstall-reconnects', "the pkg's postinstall starts the VPN again")
      .option('--developer-mode', 'systemextensionsctl developer mode is on')
      .option('--wait <ms>', 'how long to watch the new app reach its services')
      .option('--json', 'print the result as JSON')
      .option('--junit <file>', 'write a JUnit report, one test case per service the app talks to');
  },
  examples: [
    'xpc-lab upgrade assets/worlds/acme-vpn --bump --vpn on',
    'xpc-lab upgrade last-release/MyVPN.app build/MyVPN.app --installer pkg --junit upgrade.xml',
  ],
  json: '{ "ok", "report": the upgrade report (replaced, why, remedies with costs), "broken": [connection groups with counts], "reach": [{ "service", "recovered", "afterMs", "reachedBefore" }], "waitMs" }',
  run(args, options) {
    const argv = args.filter((a): a is string => typeof a === 'string');
    for (const flag of FLAGS) if (options[camel(flag)]) argv.push(`--${flag}`);
    for (const key of VALUES) {
      const value = options[camel(key)];
      if (typeof value === 'string') argv.push(`--${key}`, value);
    }
    return upgrade(argv);
  },
};
