import { z } from 'zod';
import type { UpgradeReport } from '../main/broker/upgrade-report';
import type { ModelSnapshot } from '../main/trace/model';
import { type TraceEvent, TraceEventSchema } from '../main/trace/schema';
import { XpcDictionarySchema } from '../main/trace/xpc-value';

/**
 * The one contract between the console and main. The Electron preload exposes
 * it through contextBridge, the headless host speaks it over WebSocket, and
 * main validates every command against it (DESIGN.md, Trust boundaries).
 */

export { BRIDGE_GLOBAL, CHANNELS } from './channels';

const Pid = z.number().int().positive();
const Ptr = z.string().regex(/^0x[0-9a-f]+$/, { message: 'a connection pointer such as 0x600000c04000' });

export const CommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello') }),
  z.object({ type: z.literal('crash'), pid: Pid }),
  z.object({ type: z.literal('kill'), pid: Pid, signal: z.enum(['SIGKILL', 'SIGTERM']).default('SIGKILL') }),
  z.object({ type: z.literal('cancel'), conn: Ptr }),
  z.object({ type: z.literal('setCapture'), payloads: z.boolean() }),
  z.object({
    type: z.literal('upgrade'),
    /** The app's bundle identifier (its label). */
    app: z.string().min(1).max(256),
    /** bump: raise every bundle's versions; folder: version N+1 read from a folder laid out like the world. */
    mode: z.enum(['bump', 'folder']),
    /** For mode folder: absolute, or relative to the world's folder. */
    folder: z.string().min(1).max(4096).optional(),
    installer: z.enum(['pkg', 'pkg-preinstall', 'drag']).default('pkg'),
    vpnConnected: z.boolean().optional(),
    developerMode: z.boolean().optional(),
    firstLaunch: z.boolean().default(true),
    replaceAction: z.enum(['replace', 'cancel']).default('replace'),
    /** For mode bump: keep the versions (the identical-versions case of XPC-MODEL §5.1). */
    sameVersion: z.boolean().default(false),
    /** For mode bump: the versioned NEMachServiceName workaround (XPC-MODEL §5.4). */
    versionMachServiceName: z.boolean().default(false),
  }),
  z.object({
    type: z.literal('sysext'),
    /** delete: System Settings › Login Items & Extensions; deactivate/activate: OSSystemExtensionRequest. */
    action: z.enum(['delete', 'deactivate', 'activate']),
    bundleId: z.string().min(1).max(256),
  }),
  z.object({ type: z.literal('restartApp'), app: z.string().min(1).max(256) }),
  z.object({ type: z.literal('reboot'), rebindsNE: z.boolean().optional() }),
  z.object({ type: z.literal('setVpn'), connected: z.boolean() }),
  z.object({ type: z.literal('sysextList') }),
  z.object({ type: z.literal('pressure') }),
  z.object({ type: z.literal('listScenarios') }),
  /** Runs one of the listed scenarios in its own world with real helpers; progress arrives as `scenario` events. */
  z.object({ type: z.literal('runScenario'), file: z.string().min(1).max(512) }),
  /** Sends a message as a running process would, over its own connection to the service (a resend from the console). */
  z.object({
    type: z.literal('send'),
    from: Pid,
    service: z.string().min(1).max(512),
    body: XpcDictionarySchema,
    expectsReply: z.boolean(),
  }),
]);
export type Command = z.infer<typeof CommandSchema>;
export type CommandType = Command['type'];
export type UpgradeCommand = Extract<Command, { type: 'upgrade' }>;
export type SysextCommand = Extract<Command, { type: 'sysext' }>;

export interface ScenarioInfo {
  /** The file name, which is also what runScenario takes. */
  file: string;
  name: string;
  steps: number;
}

export interface SysextListResult {
  /** `systemextensionsctl list` (XPC-MODEL §5.2). */
  text: string;
  vpnConnected: boolean;
  developerMode: boolean;
  stale: { name: string; boundTo: string }[];
}

export interface HelloResult {
  host: 'electron' | 'headless';
  /** 'live' runs a world; 'trace' replays a recorded trace or an imported log: actions are refused. */
  mode: 'live' | 'trace';
  world: { name: string; root: string };
  /** Where this session is being recorded, and why recording stopped if it did. */
  recording: { path: string; error?: string } | null;
  snapshot: ModelSnapshot;
  /** The recent window of events, oldest first. */
  recent: TraceEvent[];
  dropped: number;
  capturePayloads: boolean;
}

export interface CommandResults {
  hello: HelloResult;
  crash: { ok: boolean };
  kill: { ok: boolean };
  cancel: { ok: boolean };
  setCapture: { payloads: boolean };
  upgrade: UpgradeReport;
  sysext: { ok: boolean; outcome?: string; list: SysextListResult };
  restartApp: { outcomes: string[] };
  reboot: SysextListResult;
  setVpn: { vpnConnected: boolean };
  sysextList: SysextListResult;
  pressure: { reclaimed: { pid: number; label: string }[] };
  listScenarios: ScenarioInfo[];
  runScenario: { ok: boolean; passed: number; total: number; trace?: string };
  /** The console's connection the message went out on. */
  send: { conn: string };
}

export type CommandResult<C extends Command = Command> = CommandResults[C['type']];

export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

/** A batch of events pushed to the console, at most about 60 a second. */
export const EventBatchSchema = z.object({
  events: z.array(TraceEventSchema),
  /** While a trace file loads: how far it has got. */
  progress: z.object({ done: z.number().nonnegative(), total: z.number().nonnegative() }).optional(),
  /** Events the bounded window has dropped so far (never silent). */
  dropped: z.number().int().nonnegative(),
});
export type EventBatch = z.infer<typeof EventBatchSchema>;

/** What the console holds: the same under Electron (window.xpcLab) and in a browser (WebSocket). */
export interface Bridge {
  invoke<C extends Command>(command: C): Promise<CommandResult<C>>;
  onBatch(listener: (batch: EventBatch) => void): () => void;
}

/** WebSocket frames of the headless host. */
export const ClientFrameSchema = z.object({ id: z.number().int().nonnegative(), command: z.unknown() });
export type ClientFrame = { id: number; command: Command };
export type ServerFrame = { type: 'reply'; id: number; reply: Reply } | { type: 'batch'; batch: EventBatch };

/** Validates a command from the untrusted renderer; the error names the field. */
export function parseCommand(raw: unknown): { ok: true; command: Command } | { ok: false; error: string } {
  const parsed = CommandSchema.safeParse(raw);
  if (parsed.success) return { ok: true, command: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'command';
  return { ok: false, error: `invalid command: ${where}: ${issue?.message ?? 'malformed'}` };
}

/** Turns a Reply into its value, or throws its error: how both bridges surface main's errors. */
export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw new Error(reply.error);
}
