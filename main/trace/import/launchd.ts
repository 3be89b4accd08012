import { isCrashSignal } from '../../broker/signals';
import type { ExitCause } from '../schema';
import { errorWords, signalName } from './errno';

/** Where a launchd line says it is about: `(gui/501/com.example.agent [4242])`, `[gui/501 [100031]:]`, `(label[pid]):`. */
export interface LaunchdPrefix {
  domain?: string;
  label?: string;
  pid?: number;
}

export type LaunchdLine =
  | { kind: 'spawn'; prefix: LaunchdPrefix; program: string; pid: number; reason: string }
  | {
      kind: 'exit';
      prefix: LaunchdPrefix;
      cause: ExitCause;
      code: number | null;
      signal: string | null;
      ranForMs: number | null;
      detail: string;
    }
  | {
      kind: 'launchd-lookup';
      prefix: LaunchdPrefix;
      denied: boolean;
      name: string;
      requestor: string;
      pid: number;
      errno: number;
      error: string;
    }
  | { kind: 'launchd'; prefix: LaunchdPrefix };

/**
 * launchd.log and system.log form (XPC-MODEL §3.5, §4.2, §7.3, §10.3):
 * `(gui/501/label [4242]) <Notice>: `, `(label[pid]): `, `(pid/6782 [com.apple.dock.]) `;
 * the syslog-era sender may be part of the text, and a pasted line may have lost its `(`.
 */
const PAREN = /^(?:com\.apple\.xpc\.launchd\[1\]:? )?\(?([^()\s[\]]+)(?: ?\[([^\]]*)\])?\)(?: <\w+>)?:? /;
/** Unified-log form: `[gui/501/com.apple.datamigrator [75189]:] …` (§4.2, §3.5). */
const BRACKET = /^\[([^[\]\s]+)(?: \[(\d+)\])?:\](?: <\w+>:?)? /;
/** A launchd.log line with no target: `<Notice>: Flushed 23 logs`. */
const LEVEL_ONLY = /^<[A-Z][a-z]+>: /;

const SPAWN = /^Successfully spawned (.+)\[(\d+)\] because (.+)$/;
const EXITED = /^exited due to (.+?), ran for (\d+)ms$/;
const OLD_SIGNAL = /^Service exited due to (?:signal: )?(.+?): (\d+)$/;
/** `Service exited due to SIGKILL | sent by mds[111]` (system.log, macOS 10.13 and later). */
const OLD_SIGNAL_NAME = /^Service exited due to (SIG[A-Z0-9]+)(?: \| sent by (.+))?$/;
const OLD_CODE = /^Service exited with abnormal code: (-?\d+)$/;
const LOOKUP =
  /^(denied|failed) lookup: name = (.+?), (?:flags = 0x[0-9a-fA-F]+, )?requestor = (.+)\[(\d+)\], error = (\d+): (.+)$/;
/** Other launchd lines of §4.2/§7.3 worth keeping as log events: spawn steps, throttling, crash counts. */
const OTHER =
  /^(?:internal event: |service state: |launching: |xpcproxy spawned with pid |service has crashed \d+ times|Service only ran for |Endpoint has been activated through legacy launch|Path not allowed in target domain|exited with exit reason|Could not find and\/or execute program|Service could not initialize|This service is defined to be constantly running|Unknown key for |Failed to bootstrap path|Service setup event to handle failure)/;

function readTarget(target: string, n: string | undefined): LaunchdPrefix {
  const parts = target.split('/');
  let domain: string | undefined;
  let rest = parts;
  if (parts[0] === 'system') {
    domain = 'system';
    rest = parts.slice(1);
  } else if (/^(?:user|gui|login|pid)$/.test(parts[0]!) && /^\d+$/.test(parts[1] ?? '')) {
    domain = `${parts[0]}/${parts[1]}`;
    rest = parts.slice(2);
  }
  const label = rest.join('/') || undefined;
  // After a bare domain the bracketed number is the audit session id, not a pid (XPC-MODEL §3.1);
  // a pid domain names its process (`pid/6782 [com.apple.dock.]`).
  const numeric = n !== undefined && /^\d+$/.test(n) ? Number(n) : undefined;
  const pid =
    label !== undefined ? numeric : domain?.startsWith('pid/') ? Number(domain.slice(4)) : undefined;
  return {
    ...(domain ? { domain } : {}),
    ...(label ? { label } : {}),
    ...(pid === undefined ? {} : { pid }),
  };
}

function splitPrefix(message: string): { prefix: LaunchdPrefix | null; rest: string } {
  const level = LEVEL_ONLY.exec(message);
  if (level) return { prefix: {}, rest: message.slice(level[0].length) };
  const m = PAREN.exec(message) ?? BRACKET.exec(message);
  if (!m) return { prefix: null, rest: message };
  return { prefix: readTarget(m[1]!, m[2]), rest: message.slice(m[0].length) };
}

function signalCause(signal: string, sender: string | undefined): ExitCause {
  if (isCrashSignal(signal) || sender?.startsWith('exc handler')) return 'crash';
  if (sender?.startsWith('launchd')) return 'killed';
  return 'signal';
}

type ExitLine = Extract<LaunchdLine, { kind: 'exit' }>;

/** An exit with a code, or by a signal (and who sent it): the two shapes every launchd exit line comes in. */
function exitLine(
  prefix: LaunchdPrefix,
  how: { code: number } | { signal: string; sender?: string | undefined },
  ranForMs: number | null,
  detail: string,
): ExitLine {
  return 'code' in how
    ? { kind: 'exit', prefix, cause: 'exit', code: how.code, signal: null, ranForMs, detail }
    : {
        kind: 'exit',
        prefix,
        cause: signalCause(how.signal, how.sender),
        code: null,
        signal: how.signal,
        ranForMs,
        detail,
      };
}

/** `exit(0)` or `SIGSEGV | sent by exc handler[339]` (§4.2). */
function readExitDetail(detail: string, ranFor: number | null, prefix: LaunchdPrefix): LaunchdLine {
  const code = /^exit\((-?\d+)\)$/.exec(detail);
  if (code) return exitLine(prefix, { code: Number(code[1]) }, ranFor, detail);
  const [signal = detail, sender] = detail.split(' | sent by ').map((s) => s.trim());
  return exitLine(prefix, { signal, sender }, ranFor, detail);
}

function readExit(rest: string, prefix: LaunchdPrefix): LaunchdLine | null {
  const m = EXITED.exec(rest);
  if (m) return readExitDetail(m[1]!, Number(m[2]), prefix);
  const named = OLD_SIGNAL_NAME.exec(rest);
  if (named) return exitLine(prefix, { signal: named[1]!, sender: named[2] }, null, rest);
  const sig = OLD_SIGNAL.exec(rest);
  if (sig) return exitLine(prefix, { signal: signalName(Number(sig[2])) }, null, rest);
  const code = OLD_CODE.exec(rest);
  if (code) return exitLine(prefix, { code: Number(code[1]) }, null, rest);
  return null;
}

function readLookup(rest: string, prefix: LaunchdPrefix): LaunchdLine | null {
  const m = LOOKUP.exec(rest);
  if (!m) return null;
  const errno = Number(m[5]);
  return {
    kind: 'launchd-lookup',
    prefix,
    denied: m[1] === 'denied',
    name: m[2]!,
    requestor: m[3]!,
    pid: Number(m[4]),
    errno,
    error: errorWords(errno, m[6]),
  };
}

function isLaunchd(process: string): boolean {
  return process === 'launchd' || process === 'com.apple.xpc.launchd';
}

/**
 * A launchd line of XPC-MODEL §3.5, §4.2, §7.3 or §10.3, or null. Any line
 * launchd wrote is one; a line from another or an unknown writer only when its
 * body is one of launchd's.
 */
export function recogniseLaunchd(message: string, process: string): LaunchdLine | null {
  const { prefix, rest } = splitPrefix(message);
  const where = prefix ?? {};
  const spawn = SPAWN.exec(rest);
  if (spawn)
    return { kind: 'spawn', prefix: where, program: spawn[1]!, pid: Number(spawn[2]), reason: spawn[3]! };
  const line = readExit(rest, where) ?? readLookup(rest, where);
  if (line) return line;
  if (isLaunchd(process) || (prefix && OTHER.test(rest))) return { kind: 'launchd', prefix: where };
  return null;
}
