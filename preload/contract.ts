import { z } from 'zod';
import type { ModelSnapshot } from '../main/trace/model';
import {
  type RemedyEvent,
  RemedyNameSchema,
  type TraceEvent,
  TraceEventSchema,
  type UpgradeEvent,
} from '../main/trace/schema';
import type { TimelineSummary } from '../main/trace/timeline';
import { XpcDictionarySchema } from '../main/trace/xpc-value';

/**
 * The one contract between the console and main. The Electron preload exposes
 * it through contextBridge, the headless host speaks it over WebSocket, and
 * main validates every command against it (docs/design.md, Trust boundaries).
 */

export { BRIDGE_GLOBAL, CHANNELS } from './channels';

const Pid = z.number().int().positive();
const Ptr = z.string().regex(/^0x[0-9a-f]+$/, { message: 'a connection pointer such as 0x600000c04000' });
/** A folder on the host's disk: absolute (POSIX or Windows), bounded, no NUL. */
const AbsolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), { message: 'a path cannot contain a NUL character' })
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), {
    message: 'an absolute path, such as /Users/me/worlds/acme-vpn',
  });

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
    /** For mode bump: the new build ships a versioned NEMachServiceName template (XPC-MODEL §5.4, §10.1). */
    versionedName: z.boolean().optional(),
    /** A VPN on-demand rule reconnects the tunnel before the first launch (XPC-MODEL §10.1). */
    vpnOnDemand: z.boolean().optional(),
    /** The pkg's postinstall starts the VPN again (XPC-MODEL §10.1). */
    postinstallReconnects: z.boolean().optional(),
  }),
  /** Tries a remedy after an upgrade as the user would; its steps and outcome arrive as `remedy` events (XPC-MODEL §10.1). */
  z.object({ type: z.literal('remedy'), app: z.string().min(1).max(256), remedy: RemedyNameSchema }),
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
  /** A reopened trace: its extent and where things happened, for the time scrubber. */
  z.object({ type: z.literal('timeline') }),
  /** A reopened trace: the world as it stood at time t (ms since the epoch, on the trace's clock). */
  z.object({ type: z.literal('modelAt'), t: z.number().finite() }),
  z.object({ type: z.literal('listScenarios') }),
  /** Runs one of the listed scenarios in its own world with real helpers; progress arrives as `scenario` events. */
  z.object({ type: z.literal('runScenario'), file: z.string().min(1).max(512) }),
  /** The worlds the console can open: recently opened ones (newest first) and the demo worlds shipped with the app. */
  z.object({ type: z.literal('recentWorlds') }),
  /** Stops what the host shows and opens the world in this folder; a folder that is not a world leaves it running. */
  /** Opens what a path names: a folder as a world, a file as a recorded trace or a Mac's log (by its content). */
  z.object({
    type: z.literal('open'),
    path: AbsolutePath,
    /** A world whose helpers run scripts is refused, listing them, unless the user allowed them. */
    allowScripts: z.boolean().optional(),
  }),
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
export type RemedyCommand = Extract<Command, { type: 'remedy' }>;

export type { BrokenGroup, UpgradeStory } from '../main/trace/upgrade-story';
/** The upgrade report and the remedies tried, as the event stream carries them. */
export type { RemedyEvent, UpgradeEvent };
/** An upgrade report as the command returns it: the `upgrade` event without its stamp. */
export type UpgradeReport = Omit<UpgradeEvent, 'v' | 'seq' | 't' | 'kind'>;

/** Commands the host answers itself, whatever it shows (main/hosts/switch.ts); a session never sees them. */
export const HOST_COMMANDS = ['recentWorlds', 'open'] as const;
export type HostCommand = Extract<Command, { type: (typeof HOST_COMMANDS)[number] }>;
/** What a session or a replayed trace answers. */
export type SourceCommand = Exclude<Command, HostCommand>;
export const isHostCommand = (command: Command): command is HostCommand =>
  (HOST_COMMANDS as readonly string[]).includes(command.type);

export interface WorldEntry {
  /** The world's folder, absolute. */
  path: string;
  /** Its name (world.plist's name, or the folder's). */
  name: string;
}

export interface RecentWorld extends WorldEntry {
  /** ISO 8601. */
  openedAt: string;
}

export interface RecentFile extends RecentWorld {
  kind: 'trace' | 'log';
}

export interface WorldList {
  /** Newest first; folders that no longer exist are left out. */
  recent: RecentWorld[];
  /** Traces and logs opened lately, newest first; files that no longer exist are left out. */
  recentFiles: RecentFile[];
  demos: WorldEntry[];
  /** What the host shows now. */
  current: { kind: 'world' | 'trace' | 'log'; path: string; name: string } | null;
}

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
  /** `live`: for a Mac's log read as it is written, where from ("standard input", or the file followed). */
  world: { name: string; root: string; live?: string };
  /** Where this session is being recorded, and why recording stopped if it did. */
  recording: { path: string; error?: string } | null;
  snapshot: ModelSnapshot;
  /** The recent window of events, oldest first. */
  recent: TraceEvent[];
  dropped: number;
  capturePayloads: boolean;
  /** Set while something the header shows is under way, as on every batch. */
  progress?: Progress;
}

export interface CommandResults {
  hello: HelloResult;
  crash: { ok: boolean };
  kill: { ok: boolean };
  cancel: { ok: boolean };
  setCapture: { payloads: boolean };
  upgrade: UpgradeReport;
  remedy: Omit<RemedyEvent, 'v' | 'seq' | 't'>;
  sysext: { ok: boolean; outcome?: string; list: SysextListResult };
  restartApp: { outcomes: string[] };
  reboot: SysextListResult;
  setVpn: { vpnConnected: boolean };
  sysextList: SysextListResult;
  pressure: { reclaimed: { pid: number; label: string }[] };
  /** `loading` while the trace file is still being read: the summary grows until it is done. */
  timeline: TimelineSummary & { loading: boolean };
  /**
   * The model after every event up to the first later than t: `seq` is the last
   * applied (-1 for none) and `reached` its time (null before the first event).
   */
  modelAt: { t: number; seq: number; reached: number | null; snapshot: ModelSnapshot };
  listScenarios: ScenarioInfo[];
  runScenario: { ok: boolean; passed: number; total: number; trace?: string };
  /** The console's connection the message went out on. */
  send: { conn: string };
  recentWorlds: WorldList;
  open: WorldEntry & { kind: 'world' | 'trace' | 'log' };
}

export type CommandResult<C extends Command = Command> = CommandResults[C['type']];

export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

/** How far something the header shows is: a trace file loading, or the helpers a world starts at load. */
export const ProgressSchema = z.object({
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** trace (the default): a file loading; helpers: launch-at-load jobs and apps coming up. */
  kind: z.enum(['trace', 'helpers']).optional(),
  /** What the header says, e.g. "Starting helpers 3 of 5" or "Started 5 helpers in 312 ms". */
  label: z.string().max(300).optional(),
});
export type Progress = z.infer<typeof ProgressSchema>;

/** A batch of events pushed to the console, at most about 60 a second. */
export const EventBatchSchema = z.object({
  events: z.array(TraceEventSchema),
  /** While a trace file loads, or a world's helpers start: how far it has got. */
  progress: ProgressSchema.optional(),
  /** The host now shows another source (another world, a trace): the console starts over and greets it. */
  switched: z.literal(true).optional(),
  /** Events the bounded window has dropped so far (never silent). */
  dropped: z.number().int().nonnegative(),
});
export type EventBatch = z.infer<typeof EventBatchSchema>;

/** Menu items of the Electron host that open something in the console. */
export const MenuActionSchema = z.enum(['export']);
export type MenuAction = z.infer<typeof MenuActionSchema>;

/** What the console holds: the same under Electron (window.xpcLab) and in a browser (WebSocket). */
export interface Bridge {
  invoke<C extends Command>(command: C): Promise<CommandResult<C>>;
  onBatch(listener: (batch: EventBatch) => void): () => void;
  /** Only under Electron, whose File menu lives in main. */
  onMenu?(listener: (action: MenuAction) => void): () => void;
}

/** WebSocket frames of the headless host. */
/**
 * The largest frame a console may send the headless host. Above the 1 MiB a
 * message body may hold, so a captured message can be resent whole; the
 * framing layer refuses anything larger before reading it.
 */
export const MAX_CLIENT_FRAME = 4 * 1024 * 1024;

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
