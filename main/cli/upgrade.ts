import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type { UpgradeCommand, UpgradeReport } from '../../preload/contract';
import { ChildProcessSpawner } from '../hosts/headless/child-spawner';
import { helperEntryPath } from '../hosts/helper-path';
import { startWithProgress } from '../hosts/startup';
import { Session } from '../session/session';
import { upgradeApp } from '../session/upgrade-commands';
import type { BrokenGroup } from '../trace/upgrade-story';
import { loadWorld } from '../world/load';
import type { JobSpec, World } from '../world/model';

/** The app relaunches, its services start on demand and its pollers send: on a loaded machine this takes seconds. */
const CLI_WAIT_MS = 15_000;

export const UPGRADE_USAGE = `usage: xpc-lab upgrade <old-app-or-world> <new-app-or-world> [options]
       xpc-lab upgrade <old-app-or-world> --bump [options]

Installs the new version over the old one with real helpers, headless, and
reports what was replaced, which connections broke and why, and which remedies
work at what cost. Exits 0 when the app's connections recover without user
action, 1 when they do not, 2 on a usage or input error.

options:
  --bump                   the new version is the old one with every version raised
  --versioned-name         with --bump: the extension's NEMachServiceName carries its build version
  --app <bundle-id>        the app to upgrade, when the world holds more than one
  --vpn on|off             the VPN's state when the installer starts (default: as the world has it)
  --installer pkg|pkg-preinstall|drag   (default pkg)
  --on-demand              a VPN on-demand rule reconnects the tunnel before the first launch
  --postinstall-reconnects the package's postinstall starts the VPN again
  --developer-mode         systemextensionsctl developer on
  --wait <ms>              how long the app may take to reach its services again (default ${CLI_WAIT_MS})
  --json                   print the result as JSON
  --junit <file>           write the result as JUnit XML

example:
  xpc-lab upgrade build/last-release/MyVPN.app build/Release/MyVPN.app --vpn on --junit upgrade.xml`;

class UsageError extends Error {}

/** A world folder, or an .app inside one's Applications folder: the world and, for an .app, which app. */
function locate(path: string, what: string): { root: string; appPath?: string } {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`${what} ${path}: no such file or folder`);
  if (!statSync(abs).isDirectory())
    throw new UsageError(`${what} ${path}: not a folder (an .app or a world)`);
  if (abs.endsWith('.app')) {
    const at = abs.lastIndexOf(`${sep}Applications${sep}`);
    if (at < 0)
      throw new UsageError(
        `${what} ${path}: an .app must sit in an Applications folder laid out like a Mac's disk`,
      );
    return { root: abs.slice(0, at), appPath: abs.slice(at + 1) };
  }
  if (!existsSync(resolve(abs, 'Applications')))
    throw new UsageError(
      `${what} ${path}: neither an .app nor a world folder with an Applications folder in it`,
    );
  return { root: abs };
}

function pickApp(world: World, appPath: string | undefined, wanted: string | undefined): JobSpec {
  const apps = world.jobs.filter((j) => j.type === 'App');
  if (wanted) {
    const app = apps.find((a) => a.label === wanted || a.bundleId === wanted);
    if (!app)
      throw new UsageError(
        `--app ${wanted}: the world holds ${apps.map((a) => a.label).join(', ') || 'no app'}`,
      );
    return app;
  }
  if (appPath) {
    const app = apps.find((a) => a.path === appPath || basename(a.path) === basename(appPath));
    if (!app) throw new UsageError(`${appPath}: the world "${world.name}" has no such app`);
    return app;
  }
  if (apps.length !== 1)
    throw new UsageError(
      `the world "${world.name}" holds ${apps.length} apps (${apps.map((a) => a.label).join(', ')}); name one with --app`,
    );
  return apps[0] as JobSpec;
}

/** The services the app's own behaviours talk to: the connections whose recovery decides. */
function appServices(world: World, app: string): string[] {
  const job = world.jobs.find((j) => j.type === 'App' && j.label === app);
  const names = (job?.behaviours ?? []).flatMap((b) => ('service' in b ? [b.service] : []));
  return [...new Set(names)];
}

interface Reach {
  name: string;
  recovered: boolean;
  afterMs: number;
  /** False: the old app never reached it either, so the upgrade is not to blame and it does not count. */
  reachedBefore: boolean;
}

export interface UpgradeResult {
  ok: boolean;
  report: UpgradeReport;
  broken: BrokenGroup[];
  reach: Reach[];
  waitMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs the upgrade in a live headless session with real helpers, and watches the new app reach its services. */
export async function runUpgrade(
  worldRoot: string,
  appLabelOrPath: { appPath?: string; app?: string },
  command: Omit<UpgradeCommand, 'app'>,
  waitMs: number,
): Promise<UpgradeResult> {
  const { world, diagnostics } = loadWorld(worldRoot);
  for (const d of diagnostics.filter((x) => x.severity === 'error'))
    process.stderr.write(`world ${d.file ? `${d.file}: ` : ''}${d.message}\n`);
  const app = pickApp(world, appLabelOrPath.appPath, appLabelOrPath.app);
  const spawner = new ChildProcessSpawner(helperEntryPath());
  const session = new Session({ world, spawner, host: 'headless', diagnostics });
  // Which of the app's services have accepted it, from the first event on.
  const accepted = new Set<string>();
  const unsubscribe = session.hub.subscribe((e) => {
    if (e.kind !== 'connection.state' || e.side !== 'peer' || e.to !== 'connected' || e.peerPid === undefined)
      return;
    if (session.hub.model.state.processes[e.peerPid]?.label !== app.label) return;
    const at = e.name.indexOf('.peer[');
    accepted.add(at >= 0 ? e.name.slice(0, at) : e.name);
  });
  try {
    const startup = startWithProgress(session);
    await startup.done;
    // Before: the old app has had the time to reach what it talks to.
    const before = appServices(world, app.label);
    for (let waited = 0; waited < waitMs && !before.every((n) => accepted.has(n)); waited += 100)
      await sleep(100);
    const reachedBefore = new Set(before.filter((n) => accepted.has(n)));
    const watch = (name: string) =>
      session.broker.upgrades.remedies.watchRecovery(app.label, [name], waitMs).done;
    let report: UpgradeReport;
    try {
      report = upgradeApp(session, { ...command, app: app.label } as UpgradeCommand);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const names = appServices(session.broker.world, app.label);
    // A versioned name is new after the upgrade; it counts if the name it replaces was reached before.
    const wasReached = (name: string) =>
      reachedBefore.has(name) ||
      [...reachedBefore].some((b) => name.startsWith(`${b}.`) || b.startsWith(`${name}.`)) ||
      !before.includes(name);
    const reach = await Promise.all(
      names.map(async (name) => ({ name, ...(await watch(name)), reachedBefore: wasReached(name) })),
    );
    // Let the app's last retries land in the model, so the counts are what a user would see.
    await sleep(50);
    return {
      ok: reach.every((r) => r.recovered || !r.reachedBefore),
      report,
      broken: session.hub.model.state.upgradeStory?.broken ?? [],
      reach,
      waitMs,
    };
  } finally {
    unsubscribe();
    session.dispose();
    spawner.dispose();
  }
}

function brokenLine(g: BrokenGroup): string {
  const what = g.logLine ?? g.became;
  const ns = g.nsErrorCode !== undefined ? ` (NSError ${g.nsErrorCode})` : '';
  const count = g.count > 1 ? ` ×${g.count}` : '';
  return `${g.process} → ${g.name} (${g.side}) ${what}${ns}${count}`;
}

/** The human summary: what was replaced, what broke and why, what to try, and the verdict. */
export function upgradeText(r: UpgradeResult): string {
  const { report } = r;
  const lines = [
    `${report.app} ${report.from} → ${report.to} (${report.installer}; VPN ${report.vpnConnected ? 'connected' : 'off'} when the extension was replaced; developer mode ${report.developerMode ? 'on' : 'off'})`,
  ];
  if (report.sequence?.length)
    lines.push(
      `installer: ${report.sequence.map((s) => `${s.step} (VPN ${s.vpnConnected ? 'on' : 'off'})`).join(' → ')}`,
    );
  lines.push('', 'replaced:');
  for (const j of report.replaced)
    lines.push(`  ${j.label} (${j.type}) ${j.from ?? 'absent'} → ${j.to ?? 'removed'}: ${j.action}`);
  lines.push('', 'connections that broke:');
  if (r.broken.length === 0) lines.push('  none');
  for (const g of r.broken) lines.push(`  ${g.app ? '!' : '-'} ${brokenLine(g)}`);
  lines.push('', 'why:');
  for (const w of report.why) lines.push(`  - ${w}`);
  if (report.remedies.length > 0) {
    lines.push('', 'remedies:');
    for (const m of report.remedies) {
      const verdict = m.verdict ?? (m.works ? 'works' : 'fails');
      lines.push(
        `  ${verdict === 'works' ? '✓' : verdict === 'fails' ? '✗' : '~'} ${m.remedy} (${verdict}): ${m.why}`,
      );
      if (m.costs?.length) lines.push(`      cost: ${m.costs.join('; ')}`);
    }
  }
  lines.push('', 'after the upgrade, without user action:');
  for (const x of r.reach)
    lines.push(
      `  ${x.recovered ? '✓' : x.reachedBefore ? '✗' : '-'} ${report.app} → ${x.name}: ${x.recovered ? `accepted after ${x.afterMs} ms` : `not accepted within ${r.waitMs} ms${x.reachedBefore ? '' : ' (nor before the upgrade: not counted)'}`}`,
    );
  lines.push(
    '',
    r.ok
      ? `PASS  ${report.app}'s connections recover by themselves after the upgrade`
      : `FAIL  ${report.app}'s connections do not recover without user action`,
  );
  return lines.join('\n');
}

const xml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** JUnit XML: one test case per service the app talks to, failing when it is not reached again. */
export function upgradeJunit(r: UpgradeResult): string {
  const suite = `xpc-lab upgrade ${r.report.app} ${r.report.from} → ${r.report.to}`;
  const failures = r.reach.filter((x) => !x.recovered && x.reachedBefore).length;
  const cases = r.reach.map((x) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(`${r.report.app} reaches ${x.name} after the upgrade`)}" time="${(x.afterMs / 1000).toFixed(3)}"`;
    if (x.recovered) return `${open}/>`;
    if (!x.reachedBefore)
      return `${open}>\n      <skipped message="not reached before the upgrade either"/>\n    </testcase>`;
    const related = r.broken.filter((g) => g.name === x.name);
    const body = [
      `not accepted within ${r.waitMs} ms`,
      ...related.map(brokenLine),
      ...r.report.why.filter((w) => w.includes(x.name)),
    ].join('\n');
    return `${open}>\n      <failure message="${xml(`${x.name} not reached without user action`)}">${xml(body)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${r.reach.length}" failures="${failures}">`,
    `  <testsuite name="${xml(suite)}" tests="${r.reach.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      bump: { type: 'boolean' },
      'versioned-name': { type: 'boolean' },
      app: { type: 'string' },
      vpn: { type: 'string' },
      installer: { type: 'string' },
      'on-demand': { type: 'boolean' },
      'postinstall-reconnects': { type: 'boolean' },
      'developer-mode': { type: 'boolean' },
      wait: { type: 'string' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  return { values, positionals };
}

/** `xpc-lab upgrade`: 0 when the app's connections recover without user action, 1 when not, 2 on usage or input error. */
export async function upgradeCommand(args: string[]): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`xpc-lab upgrade: ${message}\n`);
    return 2;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return fail(`${(error as Error).message}\n${UPGRADE_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${UPGRADE_USAGE}\n`);
    return 0;
  }
  const [oldPath, newPath, ...extra] = positionals;
  if (!oldPath) return fail(`name the old app or world\n${UPGRADE_USAGE}`);
  if (extra.length > 0) return fail(`unexpected argument "${extra[0]}"`);
  if (values.bump && newPath) return fail('give either a new app or world, or --bump, not both');
  if (!values.bump && !newPath) return fail('name the new app or world, or give --bump');
  if (values['versioned-name'] && !values.bump)
    return fail('--versioned-name applies to --bump; a new app carries its own NEMachServiceName');
  if (values.vpn !== undefined && values.vpn !== 'on' && values.vpn !== 'off')
    return fail(`--vpn must be on or off, got "${values.vpn}"`);
  const installer = values.installer ?? 'pkg';
  if (installer !== 'pkg' && installer !== 'pkg-preinstall' && installer !== 'drag')
    return fail(`--installer must be pkg, pkg-preinstall or drag, got "${installer}"`);
  const waitMs = values.wait === undefined ? CLI_WAIT_MS : Number(values.wait);
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 600_000)
    return fail(`--wait must be a whole number of milliseconds up to 600000, got "${values.wait}"`);
  try {
    const old = locate(oldPath, 'old');
    const next = newPath ? locate(newPath, 'new') : undefined;
    const command: Omit<UpgradeCommand, 'app'> = {
      type: 'upgrade',
      mode: next ? 'folder' : 'bump',
      ...(next ? { folder: next.root } : {}),
      installer,
      firstLaunch: true,
      replaceAction: 'replace',
      sameVersion: false,
      versionedName: values['versioned-name'] ?? false,
      ...(values.vpn === undefined ? {} : { vpnConnected: values.vpn === 'on' }),
      ...(values['developer-mode'] ? { developerMode: true } : {}),
      ...(values['on-demand'] ? { vpnOnDemand: true } : {}),
      ...(values['postinstall-reconnects'] ? { postinstallReconnects: true } : {}),
    };
    const result = await runUpgrade(
      old.root,
      { ...(old.appPath ? { appPath: old.appPath } : {}), ...(values.app ? { app: values.app } : {}) },
      command,
      waitMs,
    );
    if (values.junit) writeFileSync(values.junit, upgradeJunit(result));
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${upgradeText(result)}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message);
    throw error;
  }
}
