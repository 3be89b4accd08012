import { z } from 'zod';
import type { ProcessSignature } from '../trace/schema';
import { XpcDictionarySchema } from '../trace/xpc-value';
import type { ProvisioningProfile } from './provisioning-profile';

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

/**
 * How a client reacts to the two error events (XPC-MODEL §1.2): after
 * INTERRUPTED the connection is still usable and the client resynchronises;
 * after INVALID it is dead and only a new connection (a fresh look-up) helps.
 */
export const ReconnectPolicySchema = z.object({
  onInterrupted: z.enum(['resync', 'ignore']).default('resync'),
  onInvalid: z.enum(['reconnect', 'give-up']).default('reconnect'),
  delayMs: z.number().int().nonnegative().max(600_000).default(1000),
  /** Each consecutive failure multiplies the delay, up to maxDelayMs. */
  backoff: z.number().min(1).max(10).default(2),
  maxDelayMs: z.number().int().nonnegative().max(3_600_000).default(30_000),
  /** Reconnects after INVALID before giving up; 0 = no limit. A reply resets the count. */
  maxAttempts: z.number().int().nonnegative().default(0),
});
export type ReconnectPolicy = z.infer<typeof ReconnectPolicySchema>;

/** Built-in behaviours of a helper process (main/helper/behaviours.ts). */
export const BehaviourSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('reply'),
    /** Replies to every request on every listener with this body merged over {ok: true}. */
    body: body.optional(),
    delayMs: z.number().int().nonnegative().max(60_000).default(0),
    /** xpc_connection_set_peer_code_signing_requirement on each listener (XPC-MODEL §1.5). */
    requirement: z.string().max(4096).optional(),
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
    /** Overrides reconnectAfterMs: what to do after INTERRUPTED and INVALID. */
    reconnect: ReconnectPolicySchema.optional(),
  }),
  z.object({
    kind: z.literal('subscribe'),
    service: z.string(),
    body: body,
    privileged: z.boolean().default(false),
    reconnect: ReconnectPolicySchema.optional(),
  }),
  z.object({ kind: z.literal('transaction'), holdMs: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('crashAfter'), messages: z.number().int().positive() }),
  /**
   * An anonymous listener (XPC-MODEL §1.1) that answers like `reply`; requests on
   * the named listeners are answered with its endpoint, under the key `endpoint`.
   */
  z.object({ kind: z.literal('vendEndpoint'), body: body.optional() }),
  z.object({
    kind: z.literal('script'),
    /** An ES module (.mjs) whose default export is `(sdk) => void`; relative to the world, absolute once loaded. */
    path: z.string().min(1),
  }),
  z.object({
    kind: z.literal('load'),
    /**
     * After one warm-up round trip, sends `messages` requests as fast as replies allow, `inFlight` at a
     * time, then logs "load done" with the time taken and the round-trip time's p50 and p99 as it timed them.
     */
    service: z.string(),
    messages: z.number().int().positive(),
    inFlight: z.number().int().positive().max(10_000).default(64),
    body: body,
    privileged: z.boolean().default(false),
    /** Paces the requests at this many a second (still at most `inFlight` outstanding); absent: as fast as replies allow. */
    ratePerSecond: z.number().positive().max(1_000_000).optional(),
  }),
  z.object({
    kind: z.literal('hold'),
    /**
     * Opens `connections` connections to `service`, each activated by one request, and holds them. Logs
     * "hold up" once every one has its reply, and "hold errors" with the time of the last error handler
     * run once every connection has had its first INTERRUPTED or INVALID.
     */
    service: z.string(),
    connections: z.number().int().positive().max(10_000),
    body: body,
    privileged: z.boolean().default(false),
    /** Each connection sends a request this often once up; 0: only the first. */
    everyMs: z.number().int().nonnegative().max(3_600_000).default(0),
  }),
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

export type SysextCategory = 'network_extension' | 'endpoint_security' | 'driver_extension';

export interface SysextSpec {
  category: SysextCategory;
  /** CFBundleName, the `name` column. */
  name: string;
  /** XPC-MODEL §5.3: no NSEndpointSecurityMachServiceName, so `<TeamID>.<BundleID>.xpc` is used. */
  defaultMachServiceName?: boolean;
}

/** launchd.plist(5) KeepAlive: `true`, or a dictionary of conditions ORed together (XPC-MODEL §4.1, §10.3). */
export interface KeepAliveSpec {
  always: boolean;
  successfulExit?: boolean;
  crashed?: boolean;
  /** PathState: path → true (keep alive while it exists) or false (while it does not). */
  pathState?: Record<string, boolean>;
  /** OtherJobEnabled: label → true (keep alive while that job is loaded) or false (while it is not). */
  otherJobEnabled?: Record<string, boolean>;
  /** NetworkState: true keeps the job alive while the network is up. */
  networkState?: boolean;
  /** AfterInitialDemand: the conditions apply only once the job has been launched on demand. */
  afterInitialDemand?: boolean;
}

/** A job's plist with its `$(VAR)` templates intact, and the build settings world.plist gives it (XPC-MODEL §10.1). */
export interface BuildModel {
  /** The Info.plist or launchd plist as read, before substitution. */
  raw: Record<string, unknown>;
  /** world.plist's settings (the bundle's own over the world's) over what Xcode fills in per bundle. */
  base: Record<string, string>;
  /** world.plist's behaviours for the job, before substitution. */
  behaviours: Behaviour[];
}

export const SESSION_TYPES = ['Aqua', 'LoginWindow', 'Background', 'StandardIO', 'System'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

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
  /** LimitLoadToSessionType, a string or an array in the plist (XPC-MODEL §4.1, §10.3). */
  limitLoadToSessionType?: SessionType[];
  throttleIntervalS: number;
  exitTimeOutS: number;
  /** EnablePressuredExit: launchd may reclaim the job when it is clean and idle (XPC-MODEL §4.1). */
  enablePressuredExit?: boolean;
  /** The plist's Disabled key: only a default; the overrides database decides (XPC-MODEL §4.5). */
  disabled?: boolean;
  bundleId?: string;
  bundleVersion?: string;
  shortVersion?: string;
  /** The app bundle this job ships inside (XPC service, system extension, SMAppService plist): it goes with its app on upgrade. */
  bundledIn?: string;
  /** AssociatedBundleIdentifiers: the apps a /Library job belongs to (XPC-MODEL §4.1). */
  associatedBundleIds?: string[];
  /** For a system extension: what `systemextensionsctl list` shows (XPC-MODEL §5.2). */
  sysext?: SysextSpec;
  /**
   * For code loaded into an Apple host process (an authorization plug-in in SecurityAgentHelper): the host whose
   * signature every peer sees (XPC-MODEL §10.7).
   */
  host?: { program: string; identifier: string };
  /** launchd.plist Sockets with a SockPathName: Unix domain sockets launchd binds for the job (XPC-MODEL §10.7). */
  sockets?: { path: string; mode: number }[];
  /** The bundle's `Contents/embedded.provisionprofile`, read (XPC-MODEL §10.7); absent when it has none. */
  provisioningProfile?: ProvisioningProfile;
  signing: z.infer<typeof SigningSchema>;
  /** Where the team ID came from (world.plist, the code signature, the entitlements, the build settings, the project). */
  teamSource?: string;
  /** The templates this job was read from, derived again on upgrade (main/world/build-settings.ts). */
  build?: BuildModel;
  /** The code signature of the job's executable, when it has one (XPC-MODEL §10.5). */
  signature?: ProcessSignature;
  entitlements: Record<string, unknown>;
  sandbox: z.infer<typeof SandboxSchema>;
  behaviours: Behaviour[];
}

export const SMAppServiceStatusSchema = z.enum(['notRegistered', 'enabled', 'requiresApproval', 'notFound']);
export type SMAppServiceStatus = z.infer<typeof SMAppServiceStatusSchema>;

/** State a Mac keeps outside the bundles and plists: what `launchctl print-disabled` and Login Items show. */
export const WorldStateSchema = z
  .object({
    /** Service targets in the disabled overrides database, e.g. "gui/501/com.example.agent" (XPC-MODEL §4.5). */
    disabled: z.array(z.string()).default([]),
    /** SMAppService status per label; a bundled daemon or agent not named here is `.enabled` (XPC-MODEL §4.6). */
    smAppService: z.record(z.string(), SMAppServiceStatusSchema.exclude(['notFound'])).default({}),
    /** Labels the user has already allowed in Login Items & Extensions. */
    approved: z.array(z.string()).default([]),
    /** A VPN tunnel is up: NE keeps its Mach service bound across a replace (XPC-MODEL §5.4). */
    vpnConnected: z.boolean().default(false),
    /** `systemextensionsctl developer on`: replace even when the versions are identical (XPC-MODEL §5.1). */
    developerMode: z.boolean().default(false),
    /** [I] XPC-MODEL §5.4 "reboot fixes it sometimes": whether a reboot re-points a stale NE binding. */
    rebootRebindsNE: z.boolean().default(false),
    /** Paths that exist on the Mac, for KeepAlive PathState (XPC-MODEL §10.3). */
    paths: z.array(z.string()).optional(),
    /** The network is up (the default), for KeepAlive NetworkState (XPC-MODEL §10.3). */
    networkUp: z.boolean().optional(),
  })
  .strict();
export type WorldState = z.infer<typeof WorldStateSchema>;

export interface World {
  name: string;
  root: string;
  uid: number;
  jobs: JobSpec[];
  /** Absent means a fresh Mac: no overrides, every bundled service registered. */
  state?: WorldState;
  /** world.plist's `quota`: per-helper budgets over the defaults (main/broker/core/quota.ts). */
  quota?: {
    messagesPerSecond?: number;
    bytesPerSecond?: number;
    burstSeconds?: number;
    graceMs?: number;
    maxQueued?: number;
    maxMessageBytes?: number;
  };
}
