import { z } from 'zod';
import { XpcDictionarySchema } from './xpc-value';

/**
 * The one event schema. Every event XPC Lab records, shows, stores in a trace
 * file, imports from a macOS log or exports is one of these. Validated at every
 * edge: WebSocket, preload bridge, trace reader, importers.
 */
export const SCHEMA_VERSION = 1;

export const ConnectionStateSchema = z.enum([
  'inactive',
  'activating',
  'connected',
  'interrupted',
  'invalidated',
]);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const ConnectionSideSchema = z.enum(['client', 'peer', 'listener']);
export type ConnectionSide = z.infer<typeof ConnectionSideSchema>;

/** The error objects of XPC-MODEL §1.2 and §1.5, by their C names. */
export const XpcErrorSchema = z.enum([
  'XPC_ERROR_CONNECTION_INTERRUPTED',
  'XPC_ERROR_CONNECTION_INVALID',
  'XPC_ERROR_TERMINATION_IMMINENT',
  'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT',
]);
export type XpcError = z.infer<typeof XpcErrorSchema>;

/** What a Cocoa (NSXPCConnection) client would see for the same failure (XPC-MODEL §1.5). */
export const NsErrorSchema = z.object({
  domain: z.string(),
  code: z.number().int(),
  description: z.string(),
  debugDescription: z.string(),
});
export type NsError = z.infer<typeof NsErrorSchema>;

export const DomainSchema = z.string().regex(/^(system|user\/\d+|gui\/\d+|login\/\d+|pid\/\d+)$/, {
  message: 'a launchd domain: system, user/<uid>, gui/<uid>, login/<asid> or pid/<pid>',
});

const Base = {
  v: z.literal(SCHEMA_VERSION),
  seq: z.number().int().nonnegative(),
  /** Milliseconds since the Unix epoch, with sub-millisecond precision where known. */
  t: z.number(),
};

/** `terminal`: run from a shell, not by launchd, so it has no check-in context (XPC-MODEL §3.2, §10.7). */
export const SpawnReasonSchema = z.enum([
  'ipc (mach)',
  'speculative',
  'non-ipc demand',
  'app launch',
  'terminal',
]);
export type SpawnReason = z.infer<typeof SpawnReasonSchema>;

/**
 * What a process's executable is signed with, as `codesign -dvvv -r- --entitlements -`
 * shows it (XPC-MODEL §10.5). `overridden` names the fields world.plist replaced.
 */
export const ProcessSignatureSchema = z.object({
  file: z.string(),
  format: z.string(),
  arch: z.string(),
  identifier: z.string(),
  teamId: z.string().optional(),
  flags: z.number().int().nonnegative(),
  flagNames: z.array(z.string()),
  cdhash: z.string(),
  hashType: z.string(),
  /** The designated requirement's text; `designatedImplicit` when codesign would print it after "# ". */
  designatedRequirement: z.string().optional(),
  designatedImplicit: z.boolean(),
  /** The signed entitlements as the XML property list codesign prints. */
  entitlements: z.string().optional(),
  certificates: z.array(
    z.object({
      subject: z.record(z.string(), z.string()),
      appleOids: z.array(z.string()),
      sha1: z.string(),
    }),
  ),
  overridden: z.array(z.string()),
});
export type ProcessSignature = z.infer<typeof ProcessSignatureSchema>;

export const ProcessSpawnSchema = z.object({
  ...Base,
  kind: z.literal('process.spawn'),
  pid: z.number().int(),
  label: z.string(),
  domain: DomainSchema,
  program: z.string(),
  reason: SpawnReasonSchema,
  bundleVersion: z.string().optional(),
  signature: ProcessSignatureSchema.optional(),
});

export const ExitCauseSchema = z.enum([
  'exit',
  'signal',
  'crash',
  'idle-exit',
  'killed',
  'jetsam',
  'launch-failed',
]);
export type ExitCause = z.infer<typeof ExitCauseSchema>;

/** Electron's own word for how a utility process went: `child-process-gone`'s `details.reason`. */
export const GoneReasonSchema = z.enum([
  'clean-exit',
  'abnormal-exit',
  'killed',
  'crashed',
  'oom',
  'launch-failed',
  'integrity-failure',
  'memory-eviction',
]);
export type GoneReason = z.infer<typeof GoneReasonSchema>;

export const ProcessExitSchema = z.object({
  ...Base,
  kind: z.literal('process.exit'),
  pid: z.number().int(),
  label: z.string(),
  domain: DomainSchema,
  cause: ExitCauseSchema,
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  ranForMs: z.number().nonnegative(),
  /** A clean exit (idle exit, exit(0) with no open transactions) does not count as a crash (XPC-MODEL §4.2). */
  clean: z.boolean(),
  detail: z.string(),
  /** Under the Electron host: how Electron said the process went (`oom` is jetsam, not a kill). */
  goneReason: GoneReasonSchema.optional(),
});

export const ServiceRegisterSchema = z.object({
  ...Base,
  kind: z.literal('service.register'),
  name: z.string(),
  domain: DomainSchema,
  label: z.string(),
  origin: z.enum(['MachServices', 'NEMachServiceName', 'XPCService', 'anonymous']),
});

export const ServiceUnregisterSchema = z.object({
  ...Base,
  kind: z.literal('service.unregister'),
  name: z.string(),
  domain: DomainSchema,
  label: z.string(),
  reason: z.string(),
});

export const LookupSchema = z.object({
  ...Base,
  kind: z.literal('lookup'),
  conn: z.string(),
  name: z.string(),
  pid: z.number().int(),
  domain: DomainSchema,
  ok: z.boolean(),
  errno: z.number().int().optional(),
  error: z.string().optional(),
  /** Where the name was found (service target, e.g. system/com.example.daemon). */
  target: z.string().optional(),
});

export const ConnectionStateEventSchema = z.object({
  ...Base,
  kind: z.literal('connection.state'),
  conn: z.string(),
  side: ConnectionSideSchema,
  pid: z.number().int(),
  name: z.string(),
  /** For a peer connection: the connection of the client it serves. For a client: its peer, once accepted. */
  peerConn: z.string().optional(),
  peerPid: z.number().int().optional(),
  from: ConnectionStateSchema,
  to: ConnectionStateSchema,
  error: XpcErrorSchema.optional(),
  /** Plain words: why this happened, e.g. "com.acme.vpn.helper exited (SIGKILL)". */
  cause: z.string().optional(),
  /** libxpc's invalidation reason (xpc_connection_copy_invalidation_reason, XPC-MODEL §1.2 rule 6). */
  reason: z.string().optional(),
  nsError: NsErrorSchema.optional(),
});

export const MessageDirSchema = z.enum(['send', 'reply', 'event']);
export type MessageDir = z.infer<typeof MessageDirSchema>;

export const MessageSchema = z.object({
  ...Base,
  kind: z.literal('message'),
  id: z.number().int().nonnegative(),
  /** The connection it travels on, named by the sender's side. */
  conn: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  dir: MessageDirSchema,
  size: z.number().int().nonnegative(),
  expectsReply: z.boolean(),
  /** For a reply: the id of the request it answers. */
  replyTo: z.number().int().optional(),
  latencyMs: z.number().nonnegative().optional(),
  /** A one-word summary: the message's selector/key where it has one. */
  key: z.string().optional(),
  /** Present when capture is on (tagged JSON, XPC-MODEL §2). */
  payload: XpcDictionarySchema.optional(),
});

/**
 * With capture off, what a connection carried since its previous count: messages and bytes only, counted by the
 * sending helper on its direct channel (docs/design.md, Performance shape).
 */
export const MessageCountsSchema = z.object({
  ...Base,
  kind: z.literal('message.counts'),
  /** The connection the messages travelled on, named by the sender's side. */
  conn: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  messages: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  /** Of `messages`: requests that expect a reply, and replies. */
  requests: z.number().int().nonnegative(),
  replies: z.number().int().nonnegative(),
});

export const ReplyFailedSchema = z.object({
  ...Base,
  kind: z.literal('reply.failed'),
  conn: z.string(),
  request: z.number().int(),
  pid: z.number().int(),
  error: XpcErrorSchema,
  cause: z.string(),
});

export const MessageDroppedSchema = z.object({
  ...Base,
  kind: z.literal('message.dropped'),
  conn: z.string(),
  pid: z.number().int(),
  request: z.number().int().optional(),
  reason: z.string(),
});

export const LogLevelSchema = z.enum(['Default', 'Info', 'Debug', 'Error', 'Fault']);

/** A libxpc- or launchd-style log line (XPC-MODEL §7), as Console.app would show it. */
export const LogSchema = z.object({
  ...Base,
  kind: z.literal('log'),
  subsystem: z.string(),
  category: z.string(),
  process: z.string(),
  pid: z.number().int(),
  level: LogLevelSchema,
  text: z.string(),
  conn: z.string().optional(),
  /**
   * For an imported line: the seq of the event it caused (or of the earlier
   * one it completed), or null when it caused none. A live line has none and
   * belongs to the next event on its connection or job.
   */
  event: z.number().int().nonnegative().nullable().optional(),
  /** For a launchd line: the job its `(domain/label [pid])` prefix names (XPC-MODEL §7.1, §10.3). */
  job: z
    .object({
      label: z.string().optional(),
      pid: z.number().int().optional(),
      domain: z.string().optional(),
    })
    .optional(),
});

export const DiagnosticSchema = z.object({
  ...Base,
  kind: z.literal('diagnostic'),
  severity: z.enum(['error', 'warning', 'info']),
  file: z.string().optional(),
  key: z.string().optional(),
  message: z.string(),
  consequence: z.string().optional(),
  /** For a diagnostic that reports a loss (key `capture`): how many were lost since its previous report. */
  count: z.number().int().nonnegative().optional(),
});

export const WorldLoadedSchema = z.object({
  ...Base,
  kind: z.literal('world.loaded'),
  name: z.string(),
  root: z.string(),
  jobs: z.number().int(),
  services: z.number().int(),
});

export const ActionSchema = z.object({
  ...Base,
  kind: z.literal('action'),
  /** A user action from the console, CLI or a scenario: "crash", "cancel", "pressure", … */
  action: z.string(),
  target: z.string().optional(),
  detail: z.string().optional(),
});

/** `systemextensionsctl list`'s [state] column (XPC-MODEL §5.1, §5.2). */
export const SysextStateSchema = z.enum([
  'activated enabled',
  'activated waiting for user',
  'terminated waiting to uninstall on reboot',
  'uninstalled',
]);
export type SysextState = z.infer<typeof SysextStateSchema>;

/** A system extension instance changed state in sysextd's database (XPC-MODEL §5.1). */
export const SysextEventSchema = z.object({
  ...Base,
  kind: z.literal('sysext'),
  uuid: z.string(),
  teamId: z.string(),
  bundleId: z.string(),
  category: z.string(),
  name: z.string(),
  shortVersion: z.string(),
  bundleVersion: z.string(),
  state: SysextStateSchema,
  /** Plain words: why, e.g. "replaced by 2.5.0 (250)". */
  detail: z.string().optional(),
});

/** Which instance a Mach service name is bound to; 'stale' is the XPC-MODEL §5.4 failure. */
export const ServiceBindingSchema = z.object({
  ...Base,
  kind: z.literal('service.binding'),
  name: z.string(),
  domain: DomainSchema,
  label: z.string(),
  binding: z.enum(['live', 'stale']),
  /** The version the name answers for, "2.4.0 (240)". */
  boundTo: z.string(),
  cause: z.string(),
});

const VersionedJobSchema = z.object({
  label: z.string(),
  type: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  /** Plain words: "replaced", "kept: versions identical", "booted out and bootstrapped again", … */
  action: z.string(),
});

const BrokenConnectionSchema = z.object({
  conn: z.string(),
  side: ConnectionSideSchema,
  pid: z.number().int(),
  process: z.string(),
  name: z.string(),
  became: z.enum(['interrupted', 'invalidated']),
  error: XpcErrorSchema.optional(),
  nsErrorCode: z.number().int().optional(),
  cause: z.string().optional(),
});

const RemedySchema = z.object({
  /** The operation to try: delete-extension, deactivate-activate, delete-app, versioned-mach-service-name, reboot, restart-app, pkg-preinstall. */
  remedy: z.string(),
  works: z.boolean(),
  why: z.string(),
  /** What it costs the user: "the VPN configuration is removed", "the user approves the extension again". */
  costs: z.array(z.string()).optional(),
  /** depends: it works only once further steps are taken, which `why` names (XPC-MODEL §10.1). */
  verdict: z.enum(['works', 'fails', 'depends']).optional(),
});

/** One step of the installer's sequence (XPC-MODEL §10.1), with the VPN's state after it. */
const InstallStepSchema = z.object({
  step: z.enum(['preinstall', 'replace', 'postinstall', 'on-demand', 'first-launch']),
  vpnConnected: z.boolean(),
  detail: z.string(),
});

const UpgradeSideSchema = z.object({
  bundles: z.array(z.object({ label: z.string(), version: z.string(), running: z.boolean() })),
  extensions: z.array(z.object({ bundleId: z.string(), version: z.string(), state: SysextStateSchema })),
  services: z.array(
    z.object({
      name: z.string(),
      domain: z.string(),
      boundTo: z.string(),
      binding: z.enum(['live', 'stale']),
    }),
  ),
});

/** The outcome report of an upgrade (XPC-MODEL §5): what was replaced, what broke and why, what to try. */
export const UpgradeEventSchema = z.object({
  ...Base,
  kind: z.literal('upgrade'),
  app: z.string(),
  from: z.string(),
  to: z.string(),
  source: z.enum(['bump', 'folder']),
  installer: z.enum(['pkg', 'pkg-preinstall', 'drag']),
  vpnConnected: z.boolean(),
  developerMode: z.boolean(),
  firstLaunch: z.boolean(),
  replaced: z.array(VersionedJobSchema),
  broken: z.array(BrokenConnectionSchema),
  /** Plain words, each citing its rule (XPC-MODEL §…). */
  why: z.array(z.string()),
  remedies: z.array(RemedySchema),
  before: UpgradeSideSchema,
  after: UpgradeSideSchema,
  /** The before/after comparison as lines: "com.acme.vpn.tunnel: 2.4.0 (240) → 2.5.0 (250)". */
  changes: z.array(z.string()),
  /** The installer's steps in order; what decides is the VPN's state when the extension is replaced (XPC-MODEL §10.1). */
  sequence: z.array(InstallStepSchema).optional(),
  /** Whether the tunnel was connected when sysextd replaced the extension. */
  vpnAtReplace: z.boolean().optional(),
  /** The Mach service names the new app's connections need (its extensions' NEMachServiceName). */
  appNames: z.array(z.string()).optional(),
});

export const RemedyNameSchema = z.enum([
  'restart-app',
  'delete-extension',
  'deactivate-activate',
  'delete-app',
  'allow',
  'reboot',
]);
export type RemedyName = z.infer<typeof RemedyNameSchema>;

/**
 * A remedy tried after an upgrade, as steps with their outcomes and costs
 * (XPC-MODEL §10.1). `applied` says what it did; `outcome` follows once the
 * app's connection recovered, or once it had time to and did not.
 */
export const RemedyEventSchema = z.object({
  ...Base,
  kind: z.literal('remedy'),
  app: z.string(),
  remedy: RemedyNameSchema,
  phase: z.enum(['applied', 'outcome']),
  /** What was done, in order, each with what came of it. */
  steps: z.array(z.object({ step: z.string(), outcome: z.string() })),
  costs: z.array(z.string()),
  /** For `outcome`: whether a connection from the app to its extension's name was accepted again. */
  recovered: z.boolean().optional(),
  /** For `outcome`: from the remedy's start until the app's connection was accepted, or until it was given up on. */
  afterMs: z.number().nonnegative().optional(),
  /** What else is needed before the app's connection works. */
  needs: z.array(z.string()),
});

/** A scenario run from the console: one event per step as it finishes, then one for the whole run. */
export const ScenarioEventSchema = z.object({
  ...Base,
  kind: z.literal('scenario'),
  scenario: z.string(),
  phase: z.enum(['started', 'step', 'done']),
  index: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  description: z.string().optional(),
  ok: z.boolean().optional(),
  message: z.string().optional(),
  /** For `done`: the trace of the run, to open with File › Open Trace. */
  trace: z.string().optional(),
});

export const TraceEventSchema = z.discriminatedUnion('kind', [
  ProcessSpawnSchema,
  ProcessExitSchema,
  ServiceRegisterSchema,
  ServiceUnregisterSchema,
  LookupSchema,
  ConnectionStateEventSchema,
  MessageSchema,
  MessageCountsSchema,
  ReplyFailedSchema,
  MessageDroppedSchema,
  LogSchema,
  DiagnosticSchema,
  WorldLoadedSchema,
  ActionSchema,
  SysextEventSchema,
  ServiceBindingSchema,
  UpgradeEventSchema,
  RemedyEventSchema,
  ScenarioEventSchema,
]);

export type TraceEvent = z.infer<typeof TraceEventSchema>;
export type TraceEventKind = TraceEvent['kind'];
export type EventOf<K extends TraceEventKind> = Extract<TraceEvent, { kind: K }>;
/** An event before the recorder stamps it with schema version and sequence number. */
export type EventInput = TraceEvent extends infer E
  ? E extends TraceEvent
    ? Omit<E, 'v' | 'seq' | 't'> & { t?: number }
    : never
  : never;

export type ProcessSpawnEvent = EventOf<'process.spawn'>;
export type ProcessExitEvent = EventOf<'process.exit'>;
export type ConnectionStateEvent = EventOf<'connection.state'>;
export type MessageEvent = EventOf<'message'>;
export type LogEvent = EventOf<'log'>;
export type SysextEvent = EventOf<'sysext'>;
export type UpgradeEvent = EventOf<'upgrade'>;
export type RemedyEvent = EventOf<'remedy'>;

/** The first line of an NDJSON trace file. */
export const TraceHeaderSchema = z.object({
  format: z.literal('xpc-lab-trace'),
  v: z.number().int().positive(),
  created: z.string(),
  host: z.enum(['electron', 'headless', 'cli', 'import']),
  world: z.string().optional(),
  source: z.string().optional(),
});
export type TraceHeader = z.infer<typeof TraceHeaderSchema>;
