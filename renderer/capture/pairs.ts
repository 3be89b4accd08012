import type { MessageEvent } from '../../main/trace/schema';
import type { CaptureWindow } from './window';

/**
 * Request ↔ reply pairing over the capture window. A reply always comes after
 * its request, so each search walks one way from where it starts, and costs
 * nothing until the user asks.
 */
export function findReply(window: CaptureWindow<MessageEvent>, requestAbs: number): number {
  const request = window.at(requestAbs);
  if (!request?.expectsReply) return -1;
  for (let abs = requestAbs + 1; abs < window.end; abs++)
    if (window.at(abs)?.replyTo === request.id) return abs;
  return -1;
}

export function findRequest(window: CaptureWindow<MessageEvent>, replyAbs: number): number {
  const reply = window.at(replyAbs);
  if (reply?.replyTo === undefined) return -1;
  for (let abs = replyAbs - 1; abs >= window.start; abs--)
    if (window.at(abs)?.id === reply.replyTo) return abs;
  return -1;
}

/** Where a message's other half is: found, not captured yet, or gone from the window. */
export function partnerOf(
  window: CaptureWindow<MessageEvent>,
  abs: number,
): { abs: number; role: 'reply' | 'request' } | null {
  const m = window.at(abs);
  if (!m) return null;
  if (m.replyTo !== undefined) return { abs: findRequest(window, abs), role: 'request' };
  if (m.expectsReply) return { abs: findReply(window, abs), role: 'reply' };
  return null;
}
