import { z } from 'zod';
import { RemedyNameSchema, SysextStateSchema } from '../trace/schema';
import { Label, within } from './fields';

/**
 * Scenario steps and expectations for upgrades and system extensions
 * (XPC-MODEL §5). Each action maps onto one broker operation:
 * `broker.upgrades.upgrade/bump/restartApp/reboot` and
 * `broker.sysext.activate/deactivate/deleteExtension/setVpnConnected`.
 */

/** The remedies an upgrade report lists (main/broker/installs/upgrade-report.ts remediesFor, XPC-MODEL §5.4). */
export const REMEDIES = [
  'restart-app',
  'deactivate-activate',
  'delete-extension',
  'delete-app',
  'versioned-mach-service-name',
  'reboot',
  'pkg-preinstall',
] as const;

/** As the console's upgrade command defaults them (preload/contract.ts). */
export const UPGRADE_DEFAULTS = {
  installer: 'pkg',
  firstLaunch: true,
  replaceAction: 'replace',
  sameVersion: false,
  versionedName: false,
  vpnOnDemand: false,
  postinstallReconnects: false,
} as const;

const Upgrade = z
  .object({
    app: Label,
    /** bump: every bundle's versions raised; folder: version N+1 read from a folder laid out like a world. */
    mode: z.enum(['bump', 'folder']),
    /** For mode folder: absolute, or relative to the scenario file (as `world` is). */
    folder: z.string().min(1).optional(),
    installer: z.enum(['pkg', 'pkg-preinstall', 'drag']).default(UPGRADE_DEFAULTS.installer),
    vpnConnected: z.boolean().optional(),
    developerMode: z.boolean().optional(),
    firstLaunch: z.boolean().default(UPGRADE_DEFAULTS.firstLaunch),
    replaceAction: z.enum(['replace', 'cancel']).default(UPGRADE_DEFAULTS.replaceAction),
    /** For mode bump: keep the versions (the identical-versions case of XPC-MODEL §5.1). */
    sameVersion: z.boolean().default(UPGRADE_DEFAULTS.sameVersion),
    /** For mode bump: the new build ships a versioned NEMachServiceName template (XPC-MODEL §5.4, §10.1). */
    versionedName: z.boolean().default(UPGRADE_DEFAULTS.versionedName),
    /** An on-demand rule reconnects the VPN before the first launch (XPC-MODEL §10.1). */
    vpnOnDemand: z.boolean().default(UPGRADE_DEFAULTS.vpnOnDemand),
    /** The pkg's postinstall starts the VPN again (XPC-MODEL §10.1). */
    postinstallReconnects: z.boolean().default(UPGRADE_DEFAULTS.postinstallReconnects),
  })
  .strict()
  .refine((u) => (u.mode === 'folder') === (u.folder !== undefined), {
    message: 'give `folder` with mode folder, and only then',
  })
  .refine((u) => u.mode === 'bump' || !u.sameVersion, {
    message: '`sameVersion` applies to mode bump only',
  })
  .refine((u) => u.mode === 'bump' || !u.versionedName, {
    message:
      "`versionedName` applies to mode bump only: a folder's Info.plist says whether its name is versioned",
  });

/** A bare `reboot`, or `reboot: { rebindsNE }` to choose which §5.4 reports the world follows. */
const Reboot = z.preprocess((v) => v ?? {}, z.object({ rebindsNE: z.boolean().optional() }).strict());

export const UpgradeActionSchemas = {
  upgrade: Upgrade,
  /** System Settings › Login Items & Extensions › delete. */
  deleteExtension: Label,
  /** OSSystemExtensionRequest.deactivationRequest. */
  deactivate: Label,
  /** OSSystemExtensionRequest.activationRequest with the copy the app embeds. */
  activate: Label,
  reboot: Reboot,
  restartApp: Label,
  vpn: z.enum(['connected', 'disconnected']),
  /**
   * A remedy tried as the user would, with the console's steps and costs
   * (XPC-MODEL §10.1); its outcome follows as a `remedy` event.
   */
  remedy: z.object({ app: Label, remedy: RemedyNameSchema }).strict(),
} as const;

export const UpgradeExpectSchemas = {
  /** The app's last upgrade report (the `upgrade` event). */
  upgrade: z
    .object({
      upgrade: Label,
      /** The version it went to, as the report writes it: `2.4.1 (241)`. */
      to: z.string().min(1).optional(),
      vpnConnected: z.boolean().optional(),
      /** Bundles the upgrade replaced (a system extension: sysextd replaced it). */
      replaced: z.array(Label).min(1).optional(),
      /** How many connections became INTERRUPTED or INVALID while it ran. */
      broken: z.number().int().nonnegative().optional(),
      remedy: z.enum(REMEDIES).optional(),
      /** Whether the report says `remedy` works; default true. */
      works: z.boolean().optional(),
    })
    .strict()
    .refine((u) => u.works === undefined || u.remedy !== undefined, {
      message: '`works` needs the `remedy` it is about',
    }),
  /** The outcome of the last time a remedy was tried (XPC-MODEL §10.1): whether the app's connection recovered. */
  outcome: z
    .object({
      outcome: RemedyNameSchema,
      recovered: z.boolean(),
      /** A cost the remedy reports, as a regular expression: `VPN configuration`. */
      cost: z.string().min(1).optional(),
      /** Something the outcome says is still needed, as a regular expression: `\(Allow\)`. */
      needs: z.string().min(1).optional(),
      within,
    })
    .strict(),
  /** A row of `systemextensionsctl list` (XPC-MODEL §5.2). */
  sysext: z
    .object({
      sysext: Label,
      /** `2.4.0` (CFBundleShortVersionString) or `2.4.0/240`, as the list prints it. */
      version: z.string().min(1).optional(),
      state: SysextStateSchema.exclude(['uninstalled']).optional(),
      /** false: no such row (after a reboot or a delete). */
      listed: z.boolean().default(true),
      within,
    })
    .strict(),
  /** Which instance a Mach service name answers for (XPC-MODEL §5.4). */
  binding: z
    .object({
      binding: Label,
      state: z.enum(['live', 'stale', 'unregistered']),
      /** The version it is bound to: `2.4.0 (240)`. */
      boundTo: z.string().min(1).optional(),
      within,
    })
    .strict(),
} as const;
