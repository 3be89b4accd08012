import { z } from 'zod';
import { BehaviourSchema, SandboxSchema, SigningSchema } from './model';

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
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;
