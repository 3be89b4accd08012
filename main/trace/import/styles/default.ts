import { type LineResult, levelOf, splitDecorations } from '../record';
import { parseStamp } from '../time';

/**
 * `log show` default style (XPC-MODEL §7.4):
 * `2025-08-09 10:11:55.521570-0400 0x115ddb   Default     0x0                  51184  0    Codex: (libxpc.dylib) [com.apple.xpc:connection] …`
 */
const ROW =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+[+-]\d{4})\s+(0x[0-9a-fA-F]+)\s+(\S+)\s+(0x[0-9a-fA-F]+)\s+(\d+)\s+(\d+)\s+(.*)$/;

export const HEADER = /^Timestamp\s+Thread\s+Type\s+Activity\s+PID\s+TTL\b/;

export function matchesDefault(line: string): boolean {
  return HEADER.test(line) || ROW.test(line);
}

/** `Codex: (libxpc.dylib) [com.apple.xpc:connection] message`; the process name may contain spaces. */
function splitProcess(rest: string): { process: string; rest: string } {
  const colon = rest.indexOf(': ');
  if (colon < 0) return { process: '', rest };
  return { process: rest.slice(0, colon), rest: rest.slice(colon + 2) };
}

export function parseDefaultLine(line: string, lineNo: number): LineResult {
  const m = ROW.exec(line);
  if (!m) return null;
  const level = levelOf(m[3]!);
  if (!level) return null;
  const { process, rest } = splitProcess(m[7]!);
  return {
    line: lineNo,
    t: parseStamp(m[1]!)?.t ?? null,
    level,
    process,
    pid: Number(m[5]),
    ...splitDecorations(rest),
  };
}
