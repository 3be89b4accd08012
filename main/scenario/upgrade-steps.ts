import { dirname, isAbsolute, resolve } from 'node:path';
import type { SysextListResult } from '../../preload/contract';
import type { UpgradeReport } from '../broker/installs/upgrade-report';
import type { Session } from '../session/session';
import { reboot, restartApp, setVpn, sysextAction, tryRemedy, upgradeApp } from '../session/upgrade-commands';
import { listRows } from './expect-upgrade';
import type { Step } from './schema';
import { UPGRADE_DEFAULTS, UpgradeActionSchemas } from './schema-upgrade';

type UpgradeKind = keyof typeof UpgradeActionSchemas;
export type UpgradeStep = Extract<Step, { kind: UpgradeKind }>;

const KINDS = new Set<string>(Object.keys(UpgradeActionSchemas));

export function isUpgradeStep(step: Step): step is UpgradeStep {
  return KINDS.has(step.kind);
}

/** One line for a step's message: the extensions `systemextensionsctl list` shows, and any stale name. */
function listSummary(list: SysextListResult): string {
  const rows = listRows(list.text).map((r) => `${r.bundleId} (${r.version}) [${r.state}]`);
  const stale = list.stale.map((s) => `${s.name} → ${s.boundTo}`);
  return `${rows.join(', ') || 'no extensions'}; stale: ${stale.join(', ') || 'none'}`;
}

/** The remedy's steps with what each did, and its cost: what `run` prints for the step. */
function remedySummary(applied: ReturnType<typeof tryRemedy>): string {
  const steps = applied.steps.map((s) => `${s.step} → ${s.outcome}`);
  const cost = applied.costs.length ? `cost: ${applied.costs.join('; ')}` : 'cost: none';
  const needs = applied.needs.length ? `needs: ${applied.needs.join('; ')}` : '';
  return [...steps, cost, needs].filter(Boolean).join('\n');
}

function reportSummary(report: UpgradeReport): string {
  const replaced = report.replaced.filter((r) => r.action === 'replaced').map((r) => r.label);
  const stale = report.after.services.filter((s) => s.binding === 'stale').map((s) => s.name);
  return [
    `${report.from} → ${report.to} (${report.installer}, VPN ${report.vpnConnected ? 'connected' : 'disconnected'})`,
    `replaced ${replaced.join(', ') || 'nothing'}`,
    `${report.broken.length} connection(s) broken`,
    `stale: ${stale.join(', ') || 'none'}`,
    ...(report.sequence?.length
      ? [
          `sequence: ${report.sequence.map((s) => `${s.step} (VPN ${s.vpnConnected ? 'on' : 'off'})`).join(' → ')}`,
        ]
      : []),
  ].join('; ');
}

function upgrade(session: Session, arg: Extract<UpgradeStep, { kind: 'upgrade' }>['arg'], file: string) {
  // [I] A folder is relative to the scenario file, as its `world` is.
  const folder =
    arg.folder === undefined || isAbsolute(arg.folder) ? arg.folder : resolve(dirname(file), arg.folder);
  return upgradeApp(session, { type: 'upgrade', ...arg, ...(folder ? { folder } : {}) });
}

/** The step in the scenario's words, for reports. */
export function describeUpgradeStep(step: UpgradeStep): string {
  switch (step.kind) {
    case 'upgrade': {
      const { app, mode, folder, installer, ...rest } = step.arg;
      const options = Object.entries(rest)
        .filter(([key, value]) => value !== UPGRADE_DEFAULTS[key as keyof typeof UPGRADE_DEFAULTS])
        .map(([key, value]) => `${key} ${value}`);
      return `upgrade ${app} (${[folder ? `from ${folder}` : mode, installer, ...options].join(', ')})`;
    }
    case 'reboot':
      return step.arg.rebindsNE === undefined ? 'reboot' : `reboot (rebindsNE ${step.arg.rebindsNE})`;
    case 'remedy':
      return `try ${step.arg.remedy} for ${step.arg.app}`;
    default:
      return `${step.kind} ${step.arg}`;
  }
}

/**
 * Carries out an upgrade or system extension step through the same commands
 * the console sends; returns what the console would show. Throws when the
 * broker refuses (no such app or extension, a folder without an app).
 */
export function actUpgrade(session: Session, step: UpgradeStep, file: string): string {
  switch (step.kind) {
    case 'upgrade':
      return reportSummary(upgrade(session, step.arg, file));
    case 'deleteExtension':
    case 'deactivate':
    case 'activate': {
      const action = step.kind === 'deleteExtension' ? 'delete' : step.kind;
      const result = sysextAction(session, { type: 'sysext', action, bundleId: step.arg });
      return `${result.outcome ? `${result.outcome}; ` : ''}${listSummary(result.list)}`;
    }
    case 'reboot':
      return listSummary(reboot(session, step.arg.rebindsNE));
    case 'restartApp': {
      const { outcomes } = restartApp(session, step.arg);
      return `activation requests: ${outcomes.join(', ') || 'none'}`;
    }
    case 'vpn':
      setVpn(session, step.arg === 'connected');
      return `VPN ${step.arg}`;
    case 'remedy': {
      const applied = tryRemedy(session, { type: 'remedy', ...step.arg });
      return remedySummary(applied);
    }
  }
}
