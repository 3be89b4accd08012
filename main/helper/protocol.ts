import { z } from 'zod';
import { XpcErrorSchema } from '../trace/schema';
import { BehaviourSchema } from '../world/model';

/**
 * The wire between the broker and a helper process. Connection ids here are the
 * helper's own (local) ids: the helper names its client connections and
 * listeners, the broker names the peer connections it hands to a listener.
 * Helpers are untrusted: every message is validated against these schemas
 * (docs/design.md, Trust boundaries).
 */
const LocalId = z.string().min(1).max(64);
const MsgId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** Bodies are checked by the broker itself (size, dictionary, tags) so that a bad one costs only its connection. */
const Body = z.unknown();
/** xpc_connection_set_peer_code_signing_requirement (XPC-MODEL §1.5). */
const Requirement = z.string().min(1).max(4096);

/**
 * When the helper sent the message (ms since the Unix epoch, its own clock). The events a message causes carry this
 * time, clamped to the broker's clock, so a message held by its quota or a backlog keeps its own time.
 */
const Stamp = { at: z.number().finite().optional() };

export const HelperToBrokerSchema = z.discriminatedUnion('t', [
  z.object({
    ...Stamp,
    t: z.literal('connect'),
    conn: LocalId,
    name: z.string().min(1).max(512),
    privileged: z.boolean().default(false),
    requirement: Requirement.optional(),
  }),
  z.object({
    ...Stamp,
    t: z.literal('checkIn'),
    listener: LocalId,
    name: z.string().min(1).max(512),
    requirement: Requirement.optional(),
  }),
  /** xpc_connection_create(NULL, q): an anonymous listener; the broker answers with its endpoint (XPC-MODEL §1.1). */
  z.object({ ...Stamp, t: z.literal('listen'), listener: LocalId }),
  /** xpc_connection_create_from_endpoint(endpoint), activated. */
  z.object({ ...Stamp, t: z.literal('connectEndpoint'), conn: LocalId, endpoint: z.string().min(1).max(64) }),
  /** xpc_connection_send_barrier (XPC-MODEL §1.3). */
  z.object({ ...Stamp, t: z.literal('barrier'), conn: LocalId, id: MsgId }),
  z.object({
    ...Stamp,
    t: z.literal('send'),
    conn: LocalId,
    id: MsgId,
    body: Body,
    expectsReply: z.boolean(),
  }),
  z.object({ ...Stamp, t: z.literal('reply'), conn: LocalId, to: MsgId, id: MsgId, body: Body }),
  z.object({ ...Stamp, t: z.literal('cancel'), conn: LocalId }),
  /** connect(2) to a Unix domain socket by path: the second transport (XPC-MODEL §10.7). */
  z.object({ ...Stamp, t: z.literal('socketConnect'), conn: LocalId, path: z.string().min(1).max(4096) }),
  z.object({ ...Stamp, t: z.literal('transaction'), delta: z.union([z.literal(1), z.literal(-1)]) }),
  z.object({ ...Stamp, t: z.literal('log'), text: z.string().max(4096) }),
]);
export type HelperToBroker = z.infer<typeof HelperToBrokerSchema>;

export const HelperInitSchema = z.object({
  t: z.literal('init'),
  label: z.string(),
  domain: z.string(),
  machServices: z.array(z.string()),
  behaviours: z.array(BehaviourSchema),
});
export type HelperInit = z.infer<typeof HelperInitSchema>;

export const BrokerToHelperSchema = z.discriminatedUnion('t', [
  HelperInitSchema,
  z.object({ t: z.literal('peer'), listener: LocalId, conn: LocalId, clientPid: z.number().int() }),
  z.object({
    t: z.literal('message'),
    conn: LocalId,
    id: MsgId,
    body: z.record(z.string(), z.unknown()),
    expectsReply: z.boolean(),
  }),
  z.object({ t: z.literal('reply'), conn: LocalId, to: MsgId, body: z.record(z.string(), z.unknown()) }),
  z.object({ t: z.literal('replyError'), conn: LocalId, to: MsgId, error: XpcErrorSchema }),
  z.object({
    t: z.literal('event'),
    conn: LocalId,
    error: XpcErrorSchema,
    reason: z.string().optional(),
  }),
  z.object({ t: z.literal('listenerFailed'), listener: LocalId, errno: z.number().int() }),
  z.object({ t: z.literal('endpoint'), listener: LocalId, endpoint: z.string() }),
  z.object({ t: z.literal('barrier'), conn: LocalId, id: MsgId }),
]);
export type BrokerToHelper = z.infer<typeof BrokerToHelperSchema>;
