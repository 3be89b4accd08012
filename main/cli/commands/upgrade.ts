import { rawArgsCommand } from '../command';
import { upgradeCommand as upgrade } from '../upgrade';

/** `xpc-lab upgrade`: an upgrade run headless with real helpers; exit 1 when the app's connections do not recover. */
export const upgradeCommand = rawArgsCommand({
  name: 'upgrade',
  summary: 'install version N+1 over an app with real helpers and report whether its connections survive',
  usage:
    '<old-app-or-world> (<new-app-or-world> | --bump [--versioned-name]) [--app ID] [--vpn on|off] [--installer pkg|pkg-preinstall|drag] [--on-demand] [--postinstall-reconnects] [--developer-mode] [--json] [--junit FILE]',
  examples: [
    'xpc-lab upgrade assets/worlds/acme-vpn --bump --vpn on',
    'xpc-lab upgrade build/1.4/Acme.app build/1.5/Acme.app --installer pkg --junit upgrade.xml',
  ],
  json: '{ "ok", "report": the upgrade report (replaced, why, remedies with costs), "broken": [{ connection groups with counts }], "reach": [{ "service", "recovered", "afterMs", "reachedBefore" }], "waitMs" }',
  run: (args) => upgrade(args),
});
