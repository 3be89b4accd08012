import { brokenConnection } from './broken-connection';
import type { ConnectionStateEvent, LogEvent, RemedyEvent, UpgradeEvent } from './schema';

/**
 * What followed the latest upgrade, folded from the event stream by the one
 * model (main/trace/model.ts), so a reloaded console, a second window and a
 * reopened trace all show the same: the connections that broke, grouped with
 * their counts, the app's own first, and every remedy tried with its outcome.
 */

/** Connections that broke the same way, counted: "com.acme.vpn → ABCDE12345.com.acme.vpn.tunnel ×37". */
export interface BrokenGroup {
  process: string;
  name: string;
  side: string;
  became: 'interrupted' | 'invalidated';
  error?: string;
  nsErrorCode?: number;
  /** libxpc's invalidation reason (xpc_connection_copy_invalidation_reason). */
  reason?: string;
  /** libxpc's log line for it without the pointer: "invalidated after a failed init". */
  logLine?: string;
  cause?: string;
  count: number;
  first: number;
  last: number;
  /** The upgraded app's own connection to one of its extensions' names: what the report leads with. */
  app: boolean;
}

export interface UpgradeStory {
  /** The upgrade event's seq. */
  seq: number;
  app: string;
  t: number;
  broken: BrokenGroup[];
  remedies: RemedyEvent[];
  /** The first time after the upgrade (or after the last remedy) that the app's connection was accepted. */
  recoveredAt?: number;
  /** libxpc's last invalidation line, which comes just before the connection's state event. */
  lastLog?: { conn: string; text: string };
}

const GROUP_LIMIT = 64;
const REMEDY_LIMIT = 32;

/** Where a connection's process name comes from: the model's processes by pid. */
export type ProcessLabel = (pid: number) => string | undefined;

/** The key two breakages share when they are "the same": who, to what, how and why. */
function groupKey(g: Pick<BrokenGroup, 'process' | 'name' | 'side' | 'became' | 'reason' | 'error'>): string {
  return [g.process, g.name, g.side, g.became, g.error ?? '', g.reason ?? ''].join('\u0000');
}

/** A peer connection's name is "<service>.peer[<pid>]…" (XPC-MODEL §1.4, §10.2): the service it serves. */
function serviceOf(name: string): string {
  const at = name.indexOf('.peer[');
  return at >= 0 ? name.slice(0, at) : name;
}

export function startStory(ev: UpgradeEvent): UpgradeStory {
  const story: UpgradeStory = { seq: ev.seq, app: ev.app, t: ev.t, broken: [], remedies: [] };
  const appNames = ev.appNames ?? [];
  for (const { conn: _conn, pid: _pid, ...b } of ev.broken) {
    add(story, { ...b, t: ev.t, app: isAppConnection(story, b, appNames) });
  }
  return story;
}

/** The upgraded app's own client connection to one of its extensions' names: what the report leads with. */
function isAppConnection(
  story: Pick<UpgradeStory, 'app'>,
  b: Pick<BrokenGroup, 'process' | 'side' | 'name'>,
  appNames: readonly string[],
): boolean {
  return b.process === story.app && b.side === 'client' && appNames.includes(b.name);
}

interface Breakage extends Omit<BrokenGroup, 'count' | 'first' | 'last'> {
  t: number;
}

function add(story: UpgradeStory, b: Breakage): void {
  const key = groupKey(b);
  const found = story.broken.find((g) => groupKey(g) === key);
  const { t, ...rest } = b;
  if (found) {
    found.count++;
    found.last = t;
    if (b.cause) found.cause = b.cause;
  } else if (story.broken.length < GROUP_LIMIT) {
    story.broken.push({ ...rest, count: 1, first: t, last: t });
  }
  // The app's own failing connection to its extension leads, then the most frequent.
  story.broken.sort((x, y) => Number(y.app) - Number(x.app) || y.count - x.count || x.first - y.first);
}

/** Folds one connection event into the story: a breakage after the upgrade, or the app being accepted again. */
export function storyConnection(
  story: UpgradeStory,
  ev: ConnectionStateEvent,
  label: ProcessLabel,
  appNames: readonly string[],
): void {
  if (ev.to === 'connected' && ev.side === 'peer' && ev.peerPid !== undefined) {
    if (label(ev.peerPid) === story.app && appNames.includes(serviceOf(ev.name))) story.recoveredAt ??= ev.t;
    return;
  }
  const broken = brokenConnection(ev, label);
  if (!broken) return;
  const logLine = story.lastLog?.conn === ev.conn ? story.lastLog.text : undefined;
  delete story.lastLog;
  const { conn: _conn, pid: _pid, ...b } = broken;
  const isApp = isAppConnection(story, b, appNames);
  if (isApp) delete story.recoveredAt;
  add(story, {
    ...b,
    ...(ev.reason ? { reason: ev.reason } : {}),
    ...(logLine ? { logLine } : {}),
    t: ev.t,
    app: isApp,
  });
}

/** libxpc writes "[0x…] invalidated after a failed init" just before the state change (XPC-MODEL §7.2). */
export function storyLog(story: UpgradeStory, ev: LogEvent): void {
  if (!ev.conn) return;
  const m = /^\[0x[0-9a-f]+\] (invalidated .*)$/.exec(ev.text);
  if (m?.[1]) story.lastLog = { conn: ev.conn, text: m[1] };
}

export function storyRemedy(story: UpgradeStory, ev: RemedyEvent): void {
  if (ev.app !== story.app) return;
  story.remedies.push(ev);
  if (story.remedies.length > REMEDY_LIMIT) story.remedies.splice(0, story.remedies.length - REMEDY_LIMIT);
}

/** Remedies paired with their outcomes, in the order they were tried. */
export function remedyOutcomes(story: UpgradeStory): { applied: RemedyEvent; outcome?: RemedyEvent }[] {
  const rows: { applied: RemedyEvent; outcome?: RemedyEvent }[] = [];
  for (const ev of story.remedies) {
    if (ev.phase === 'applied') rows.push({ applied: ev });
    else {
      const row = [...rows].reverse().find((r) => r.applied.remedy === ev.remedy && !r.outcome);
      if (row) row.outcome = ev;
    }
  }
  return rows;
}
