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
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;
