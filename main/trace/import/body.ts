/**
 * Finding an XPC line by its message body (XPC-MODEL §7.2, §7.3, §10.3,
 * §10.6): libxpc's and launchd's message bodies identify a line wherever they
 * appear, whatever prefix a log style, Console copy or third-party tool puts
 * before them. The prefix only supplies time, process, pid and subsystem.
 */

/**
 * Words at least one of which every libxpc or launchd line contains. A line
 * with none of them is skipped before any regular expression runs, which is
 * what keeps a sysdiagnose's mostly non-XPC lines cheap.
 */
const VOCABULARY = [
  'connection',
  'invalidated',
  'look-up',
  'lookup',
  'listener',
  'launchd',
  'ervice',
  'spawn',
  'xited',
  'check-in',
  'code signing',
  'xpc_support',
  'Endpoint',
  '>: ',
  'Path not allowed',
  'bootstrap',
  'internal event',
  'Re-initialization',
  'no-senders',
  'Unknown key',
];

/** Whether a line may hold a libxpc or launchd body: the cheap test run on every line. */
export function mayBeXpc(line: string): boolean {
  for (const word of VOCABULARY) if (line.includes(word)) return true;
  return false;
}

/** Whether a line mentions xpc or launchd at all: what a refusal quotes so the user can report the layout. */
export function mentionsXpc(line: string): boolean {
  return /xpc|launchd/i.test(line);
}

/** libxpc bodies with their `[%p] ` pointer (XPC-MODEL §7.2), tried where a `[0x` is (sticky). */
const POINTER_BODY =
  /\[0x[0-9a-fA-F]+\] (?:activating connection|activated connection|failed to do a bootstrap look-up|invalidated |listener failed|Re-initialization successful|Connection returned listener port|Channel could not return listener port|failed to register a no-senders|Failed to verify check-in|Received message forbidden|Dropping check-in message|Reply message forbidden|Peer forbidden|Normal message received by listener|Bogus check-in attempt)/y;

/** libxpc bodies logged without a pointer. */
const BARE_LIBXPC =
  /(?:activating|activated) connection: mach=|failed to do a bootstrap look-up: xpc_error=|Peer connection was rejected by the listener|xpc_support_check_token: |invalidated (?:after a failed init|after a failed reconnect|after the last release of the connection object|because the current process cancelled the connection|because the client process \(pid \d+\)|on xpc_connection_cancel\(\))/;

/** launchd.log (§10.3): `2021-12-03 14:56:43.145942 (system/org.x) <Notice>: …`, optionally behind a `com.apple.xpc.launchd|` tag. */
export const LAUNCHD_LOG_LINE =
  /^(?:[\w.-]+\|)?(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+) (?=(?:\([^()]*(?:\([^()]*\)[^()]*)*\) )?<[A-Z][a-z]+>:)/;

/** launchd naming itself as the writer: `com.apple.xpc.launchd[1] `, `launchd[1:2f3] ` (syslog, system.log, compact). */
const LAUNCHD_WRITER = /(?:com\.apple\.xpc\.launchd|\blaunchd)\[1(?::[0-9a-fA-F]+)?\]:? /;

/** launchd's own prefix (§7.1): `(gui/501/com.example.agent [4242])`, `[gui/501 [100031]:]`, `(system)`. */
const DOMAIN_PREFIX =
  /\((?:system|(?:gui|user|login|pid|session)\/\d+)(?:\/[^()\s]*)?(?: ?\[[^\]]*\])?\)(?: <[A-Z][a-z]+>)?:? |\[(?:system|(?:gui|user|login|pid)\/\d+)(?:\/[^\s\]]*)?(?: \[\d+\])?:\] /;

/** launchd bodies that name themselves (§4.2, §7.3, §10.3), with the `(label[pid]):` before them when there is one. */
const LAUNCHD_BODY =
  /(?:\(?[^()\s]+?(?:\[\d+\])?\):? )?(?:Service exited |Service only ran for |Service could not initialize|Could not find and\/or execute program|Endpoint has been activated through legacy launch|This service is defined to be constantly running|Path not allowed in target domain|Successfully spawned |exited due to |exited with exit reason|denied lookup: |failed lookup: |Unknown key for |Failed to bootstrap path|Service setup event to handle failure|xpcproxy spawned with pid |internal event: [A-Z_]+, code = |service state: )/;

export interface BodyAt {
  /** Where the body starts in the line. */
  at: number;
  /** The line's writer is launchd (it said so, or the line is in launchd.log's form). */
  launchd: boolean;
}

function pointerBody(line: string): number {
  for (let at = line.indexOf('[0x'); at !== -1; at = line.indexOf('[0x', at + 3)) {
    POINTER_BODY.lastIndex = at;
    if (POINTER_BODY.test(line)) return at;
  }
  return -1;
}

function anyOf(line: string, words: readonly string[]): boolean {
  for (const word of words) if (line.includes(word)) return true;
  return false;
}

/** Words one of which each launchd body names itself by (LAUNCHD_BODY): a cheap test before it. */
const LAUNCHD_WORDS = [
  'ervice',
  'xited',
  'spawn',
  'lookup: ',
  'Endpoint',
  'Path not allowed',
  'Unknown key',
  'bootstrap path',
  'internal event',
];
const BARE_WORDS = ['connection: mach=', 'look-up: ', 'Peer connection was', 'xpc_support', 'invalidated '];

/**
 * Where an XPC or launchd body starts in `line`, or null when it holds none.
 * Each unanchored expression runs only on a line holding a word it needs.
 */
export function locateBody(line: string): BodyAt | null {
  const pointer = pointerBody(line);
  if (pointer >= 0) return { at: pointer, launchd: false };
  const logLine = LAUNCHD_LOG_LINE.exec(line);
  if (logLine) return { at: logLine[0].length, launchd: true };
  const launchd = line.includes('launchd');
  if (launchd) {
    const writer = LAUNCHD_WRITER.exec(line);
    if (writer) return { at: writer.index + writer[0].length, launchd: true };
  }
  if (launchd || line.includes('>:')) {
    const domain = DOMAIN_PREFIX.exec(line);
    if (domain) return { at: domain.index, launchd: true };
  }
  if (anyOf(line, LAUNCHD_WORDS)) {
    const body = LAUNCHD_BODY.exec(line);
    if (body) return { at: body.index, launchd: false };
  }
  if (anyOf(line, BARE_WORDS)) {
    const bare = BARE_LIBXPC.exec(line);
    if (bare) return { at: bare.index, launchd: false };
  }
  return null;
}

/**
 * The body as a user pasted it: Markdown's inline code quotes (`` `…` ``) and
 * list bullets around a line are not part of the log.
 */
export function cleanBody(body: string): string {
  let text = body.trimEnd();
  if (text.endsWith('`')) text = text.slice(0, -1).trimEnd();
  return text;
}
