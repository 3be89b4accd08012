import { type LineResult, splitDecorations } from '../record';
import { parseStamp } from '../time';

/**
 * `log show --style syslog` (XPC-MODEL §7.4):
 * `2023-09-27 22:55:39.622369+0200  localhost proc[41737]: (libxpc.dylib) [com.apple.xpc:connection] …`
 * Also accepts launchd's system.log shape, where its `(label[pid]):` prefix
 * follows the process with no colon: `com.apple.xpc.launchd[1] (com.example.helper[123]): …` (§7.3).
 */
const ROW =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{4})\s+(\S+)\s+([^\s[][^[]*?)\[(\d+)\](?:: | (?=\())(.*)$/;

export const HEADER = /^Timestamp\s+\(process\)\[PID\]/;

export function matchesSyslog(line: string): boolean {
  return HEADER.test(line) || ROW.test(line);
}

export function parseSyslogLine(line: string, lineNo: number): LineResult {
  const m = ROW.exec(line);
  if (!m) return null;
  return {
    line: lineNo,
    t: parseStamp(m[1]!)?.t ?? null,
    // The syslog style prints no message type.
    level: 'Default',
    process: m[3]!,
    pid: Number(m[4]),
    ...splitDecorations(m[5]!),
  };
}
