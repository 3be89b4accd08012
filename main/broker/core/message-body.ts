import { xpcSize, xpcValueProblem } from '../../trace/xpc-value';

export type MeasuredBody =
  | { ok: true; body: Record<string, unknown>; size: number }
  | { ok: false; problem: string };

/**
 * A body a helper sent: an XPC dictionary within the size limit, with its
 * size, or what makes it malformed (docs/design.md, Trust boundaries).
 */
export function measureBody(body: unknown, maxBytes: number): MeasuredBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.hasOwn(body, '$xpc')) {
    return { ok: false, problem: 'API MISUSE: Message types other than dictionaries are not supported.' };
  }
  const problem = xpcValueProblem(body);
  if (problem) return { ok: false, problem };
  const size = xpcSize(body as never);
  return size > maxBytes
    ? { ok: false, problem: `a message of ${size} bytes exceeds the ${maxBytes}-byte limit` }
    : { ok: true, body: body as Record<string, unknown>, size };
}

/** The field a message is known by in the trace: its selector, type, op, command or event. */
export function keyOf(body: Record<string, unknown>): { key?: string } {
  for (const field of ['selector', 'type', 'op', 'command', 'event']) {
    const value = body[field];
    if (typeof value === 'string') return { key: value.slice(0, 64) };
  }
  return {};
}
