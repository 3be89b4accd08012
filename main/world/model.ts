import { z } from 'zod';
import { XpcDictionarySchema } from '../trace/xpc-value';

/**
 * The world as the broker sees it, after loading: jobs with their services,
 * identities and behaviours. Loaded from plists by main/world/load.ts; the
 * manifest part (what a disk cannot show) is validated with these schemas.
 */

export const AnchorSchema = z.enum([
  'apple',
  'developer-id',
  'apple-development',
  'mac-app-store',
  'adhoc',
  'unsigned',
]);

export const SigningSchema = z.object({
  teamId: z.string().optional(),
  anchor: AnchorSchema.default('developer-id'),
  notarized: z.boolean().default(false),
});

export const SandboxSchema = z.object({
  enabled: z.boolean().default(false),
  /** com.apple.security.temporary-exception.mach-lookup.global-name */
  machLookup: z.array(z.string()).default([]),
  /** com.apple.security.temporary-exception.mach-register.global-name */
  machRegister: z.array(z.string()).default([]),
  appGroups: z.array(z.string()).default([]),
});

const Interval = z.number().int().positive().max(3_600_000);
const body = XpcDictionarySchema;

/** Built-in behaviours of a helper process (main/helper/behaviours.ts). */
export const BehaviourSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('reply'),
    /** Replies to every request on every listener with this body merged over {ok: true}. */
    body: body.optional(),
    delayMs: z.number().int().nonnegative().max(60_000).default(0),
  }),
  z.object({
    kind: z.literal('publish'),
    intervalMs: Interval,
    body: body,
  }),
  z.object({
    kind: z.literal('poll'),
    service: z.string(),
    intervalMs: Interval,
    body: body,
    privileged: z.boolean().default(false),
    /** After INVALID: reconnect after this delay; 0 = give up (the default). */
    reconnectAfterMs: z.number().int().nonnegative().default(0),
  }),
  z.object({
    kind: z.literal('subscribe'),
    service: z.string(),
    body: body,
    privileged: z.boolean().default(false),
  }),
  z.object({ kind: z.literal('transaction'), holdMs: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('crashAfter'), messages: z.number().int().positive() }),
]);
export type Behaviour = z.infer<typeof BehaviourSchema>;

export type JobType =
  | 'App'
  | 'LaunchDaemon'
  | 'LaunchAgent'
  | 'SMAppServiceDaemon'
  | 'SMAppServiceAgent'
  | 'XPCService'
  | 'SystemExtension';

export interface MachServiceSpec {
  name: string;
  hideUntilCheckIn: boolean;
  origin: 'MachServices' | 'NEMachServiceName' | 'XPCService';
}

export interface KeepAliveSpec {
  always: boolean;
  successfulExit?: boolean;
  crashed?: boolean;
}

export interface JobSpec {
  label: string;
  type: JobType;
  /** 'system' | 'gui' | 'user' | 'pid'. A pid job lives in the pid domain of `ownerLabel`'s process. */
  domainKind: 'system' | 'gui' | 'user' | 'pid';
  ownerLabel?: string;
  program: string;
  /** The file this job was read from, for diagnostics and `launchctl print`'s path. */
  path: string;
  machServices: MachServiceSpec[];
  runAtLoad: boolean;
  keepAlive: KeepAliveSpec;
  throttleIntervalS: number;
  exitTimeOutS: number;
  bundleId?: string;
  bundleVersion?: string;
  shortVersion?: string;
  signing: z.infer<typeof SigningSchema>;
  entitlements: Record<string, unknown>;
  sandbox: z.infer<typeof SandboxSchema>;
  behaviours: Behaviour[];
}

export interface World {
  name: string;
  root: string;
  uid: number;
  jobs: JobSpec[];
}
