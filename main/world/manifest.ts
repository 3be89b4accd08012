import { z } from 'zod';
import { BehaviourSchema, SandboxSchema, SigningSchema, WorldStateSchema } from './model';

/**
 * world.plist: what a disk cannot show. Every key is optional, so a folder of
 * bare plists loads with defaults.
 */
export const BundleSettingsSchema = z
  .object({
    signing: SigningSchema.optional(),
    entitlements: z.record(z.string(), z.unknown()).optional(),
    sandbox: SandboxSchema.optional(),
    behaviours: z.array(BehaviourSchema).optional(),
    /** The bundle's folder, e.g. "Applications/Pebble.app": names the bundle when its Info.plist says $(PRODUCT_BUNDLE_IDENTIFIER). */
    path: z.string().optional(),
    /** This bundle's own $(VAR) build settings, over the world's (main/world/xcode-settings.ts). */
    buildSettings: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type BundleSettings = z.infer<typeof BundleSettingsSchema>;

/** Per-helper budgets over the defaults in main/broker/core/quota.ts (docs/security.md, Quotas). */
export const QuotaSettingsSchema = z
  .object({
    messagesPerSecond: z.number().positive().max(1_000_000).optional(),
    bytesPerSecond: z
      .number()
      .positive()
      .max(1024 * 1024 * 1024)
      .optional(),
    burstSeconds: z.number().positive().max(60).optional(),
    graceMs: z.number().int().nonnegative().max(600_000).optional(),
    maxQueued: z.number().int().positive().max(1_000_000).optional(),
    captureRecordsPerSecond: z.number().positive().max(10_000_000).optional(),
    maxMessageBytes: z
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .optional(),
  })
  .strict();
export type QuotaSettings = z.infer<typeof QuotaSettingsSchema>;

export const ManifestSchema = z
  .object({
    name: z.string().optional(),
    uid: z.number().int().nonnegative().default(501),
    /** $(VAR) build settings, e.g. TeamIdentifierPrefix = "ABCDE12345." */
    buildSettings: z.record(z.string(), z.string()).default({}),
    /** Per bundle identifier or launchd label. */
    bundles: z.record(z.string(), BundleSettingsSchema).default({}),
    /** Overrides and approvals that outlive the plists (XPC-MODEL §4.5, §4.6). */
    state: WorldStateSchema.optional(),
    /** Per-helper message budgets for this world. */
    quota: QuotaSettingsSchema.optional(),
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;
