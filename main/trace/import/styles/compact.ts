import { type LineResult, levelOf, splitDecorations } from '../record';
import { parseStamp } from '../time';

/**
 * `log show --style compact` (XPC-MODEL §7.4):
 * `2026-10-06 00:30:17.053 Df Boardsesh[59466:a4efed] [com.apple.xpc:connection] failed to do a bootstrap look-up: …`
 * The timestamp has no UTC offset.
 */
const ROW =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+)\s+([A-Za-z]{1,2})\s+(.+?)\[(\d+):([0-9a-fA-F]+)\] (.*)$/;

export const HEADER = /^Timestamp\s+Ty\s+Process\[PID:TID\]/;

export function matchesCompact(line: string): boolean {
  return HEADER.test(line) || ROW.test(line);
}

export function parseCompactLine(line: string, lineNo: number): LineResult {
  const m = ROW.exec(line);
  if (!m) return null;
  const level = levelOf(m[2]!);
  if (!level) return null;
  return {
    line: lineNo,
    t: parseStamp(m[1]!)?.t ?? null,
    level,
    process: m[3]!,
    pid: Number(m[4]),
    ...splitDecorations(m[6]!),
  };
}
