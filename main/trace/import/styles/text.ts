import { cleanBody, locateBody } from '../body';
import { type PrefixContext, readPrefix } from '../prefix';
import type { LineResult } from '../record';

/**
 * Any text line: its libxpc or launchd body is found wherever it is
 * (XPC-MODEL §10.6), and the text before it is read by the layout it is in
 * (`log show`/`log stream` styles, Console copy, launchd.log, system.log,
 * OS X 10.11 Console, third-party prefixes) or, in no known layout, for
 * whatever it shows. Null for a line with no XPC body.
 */
export function parseTextLine(line: string, lineNo: number, ctx: PrefixContext): LineResult {
  const body = locateBody(line);
  if (!body) return null;
  const prefix = readPrefix(line.slice(0, body.at), ctx);
  const fromLaunchd = body.launchd && prefix.process === '';
  return {
    line: lineNo,
    t: prefix.t,
    level: prefix.level,
    process: fromLaunchd ? 'launchd' : prefix.process,
    pid: fromLaunchd ? 1 : prefix.pid,
    subsystem: prefix.subsystem,
    category: prefix.category,
    message: cleanBody(line.slice(body.at)),
    layout: prefix.layout,
    ...(prefix.timeOfDay ? { timeOfDay: true } : {}),
  };
}
