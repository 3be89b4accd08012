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

/** At most this many records travel in one capture batch. */
export const MAX_CAPTURE_BATCH = 4096;

const At = z.number().finite();
const Key = z.string().max(512).optional();

/**
 * One thing a helper's runtime saw on a direct channel, stamped with the clock all processes share
 * (performance.timeOrigin + performance.now()). Connection and message ids are the helper's own; the broker
 * turns them into the event stream's.
 */
export const CaptureRecordSchema = z.discriminatedUnion('k', [
  /** A message this helper sent on the channel: a request or notification from a client, an event from a peer. */
  z.object({
    k: z.literal('send'),
    conn: LocalId,
    id: MsgId,
    at: At,
    size: z.number().int().nonnegative(),
    expectsReply: z.boolean(),
    key: Key,
    payload: z.record(z.string(), z.unknown()).optional(),
  }),
  /** A reply this helper received to one of its requests, with the time since it sent the request. */
  z.object({
    k: z.literal('reply'),
    conn: LocalId,
    to: MsgId,
    at: At,
    size: z.number().int().nonnegative(),
    latencyMs: z.number().finite().nonnegative(),
    payload: z.record(z.string(), z.unknown()).optional(),
  }),
  /** A request of this helper's whose reply handler got an error instead (XPC-MODEL §1.3). */
  z.object({
    k: z.literal('failed'),
    conn: LocalId,
    to: MsgId,
    at: At,
    error: XpcErrorSchema,
    cause: z.string().max(4096),
  }),
  /** An incoming message or reply this helper's runtime dropped: it fails the peer requirement (XPC-MODEL §1.5). */
  z.object({
    k: z.literal('forbidden'),
    conn: LocalId,
    at: At,
    requirement: Requirement,
    status: z.number().int(),
    message: z.string().max(4096),
    /** The helper's own id of the request a forbidden reply answered. */
    replyTo: MsgId.optional(),
  }),
  /** Capture off: what this helper sent on a connection since its previous count. */
  z.object({
    k: z.literal('counts'),
    conn: LocalId,
    at: At,
    messages: z.number().int().positive(),
    bytes: z.number().int().nonnegative(),
    requests: z.number().int().nonnegative(),
    replies: z.number().int().nonnegative(),
  }),
  /** A frame on the channel broke the rules (size, JSON, schema): the channel is closed. */
  z.object({ k: z.literal('broken'), conn: LocalId, at: At, problem: z.string().max(4096) }),
]);
export type CaptureRecord = z.infer<typeof CaptureRecordSchema>;

/**
 * A body on a channel: a plain object here, checked in full by XPC's own rules (xpcValueProblem) before it is
 * delivered, so the frame schema does not copy it.
 */
const Dictionary = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'a message body must be a dictionary' },
);

/** What travels on a direct channel between two helpers. Each side validates what it receives. */
export const ChannelFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('m'), id: MsgId, body: Dictionary, expectsReply: z.boolean(), key: Key }),
  z.object({ t: z.literal('r'), to: MsgId, id: MsgId, body: Dictionary }),
]);
export type ChannelFrame = z.infer<typeof ChannelFrameSchema>;

const CertificateSchema = z.object({
  subject: z.record(z.string(), z.string()),
  fields: z.record(z.string(), z.union([z.string(), z.literal(true)])),
  sha1: z.string().optional(),
});

/** The signature a peer presents, as the broker read it: what a requirement is checked against (XPC-MODEL §1.5). */
export const SigningIdentitySchema = z.object({
  identifier: z.string(),
  teamId: z.string().optional(),
  anchor: z.enum(['apple', 'developer-id', 'apple-development', 'mac-app-store', 'adhoc', 'unsigned']),
  notarized: z.boolean().optional(),
  platform: z.number().optional(),
  cdhash: z.string().optional(),
  info: z.record(z.string(), z.unknown()).optional(),
  entitlements: z.record(z.string(), z.unknown()).optional(),
  certificates: z.array(CertificateSchema).optional(),
});

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
  /** What the helper's runtime recorded on its direct channels since its last batch (docs/design.md, capture). */
  z.object({
    ...Stamp,
    t: z.literal('capture'),
    records: z.array(CaptureRecordSchema).max(MAX_CAPTURE_BATCH),
    /** Records the helper's own buffer could not keep since its last batch: counted, never silent. */
    dropped: z.number().int().nonnegative().default(0),
  }),
]);
export type HelperToBroker = z.infer<typeof HelperToBrokerSchema>;

export const HelperInitSchema = z.object({
  t: z.literal('init'),
  label: z.string(),
  domain: z.string(),
  machServices: z.array(z.string()),
  behaviours: z.array(BehaviourSchema),
  /** Whether the host hands helpers direct channels; without them every message goes through the broker. */
  channels: z.boolean().default(false),
  /** Whether capture records carry payloads (capture on) or only sizes. */
  payloads: z.boolean().default(true),
  /** Capture off: messages are counted per connection and not recorded one by one. */
  counts: z.boolean().default(false),
  /** The largest message body, in bytes, the broker accepts (docs/security.md). */
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** What this helper's capture buffer may pass to the broker; past it records are counted as dropped. */
  captureBudget: z
    .object({ recordsPerSecond: z.number().positive(), bytesPerSecond: z.number().positive() })
    .default({ recordsPerSecond: 50_000, bytesPerSecond: 8 * 1024 * 1024 }),
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
    /** The broker's words for why, which a reply handler failed by this event is recorded with. */
    cause: z.string().optional(),
  }),
  z.object({ t: z.literal('listenerFailed'), listener: LocalId, errno: z.number().int() }),
  z.object({ t: z.literal('endpoint'), listener: LocalId, endpoint: z.string() }),
  z.object({ t: z.literal('barrier'), conn: LocalId, id: MsgId }),
  /**
   * The end of a direct channel for `conn` travels with this message. `injected` is the highest id of this
   * helper's messages that the broker has already written into the channel for it; later ones come back as
   * `bounce`. `peerIdentity` is what the peer code-signing requirement is checked against on every message.
   */
  z.object({
    t: z.literal('channel'),
    conn: LocalId,
    peerPid: z.number().int(),
    injected: MsgId.optional(),
    peerIdentity: SigningIdentitySchema.optional(),
    /** The requirement this end checks incoming messages against: the connection's or its listener's. */
    requirement: Requirement.optional(),
  }),
  /** A message the helper sent through the broker after its channel was made: send it on the channel. */
  z.object({ t: z.literal('bounce'), conn: LocalId, id: MsgId }),
  z.object({ t: z.literal('capture'), payloads: z.boolean(), counts: z.boolean().default(false) }),
]);
export type BrokerToHelper = z.infer<typeof BrokerToHelperSchema>;
