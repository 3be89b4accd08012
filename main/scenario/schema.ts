import { z } from 'zod';
import { ConnectionStateSchema, ExitCauseSchema, SpawnReasonSchema, XpcErrorSchema } from '../trace/schema';
import { XpcDictionarySchema } from '../trace/xpc-value';
import { SMAppServiceStatusSchema } from '../world/model';
import { DurationSchema, Id, Label, PatternSchema, since, within } from './fields';
import { UpgradeActionSchemas, UpgradeExpectSchemas } from './schema-upgrade';

export { DurationSchema, PatternSchema } from './fields';

/**
 * A scenario file: a world to run, steps that act on it, and expectations about
 * what the event stream shows. Each step is a map with one action key (and an
 * optional `name`), or a bare action name such as `pressure`.
 */

const Target = z.string().min(1);

export const ExpectSchemas = {
  conn: z
    .object({
      conn: Id,
      /** Look at the service-side peer of this client connection. */
      peer: z.boolean().default(false),
      state: ConnectionStateSchema.optional(),
      error: XpcErrorSchema.optional(),
      nsError: z.number().int().optional(),
      within,
      since,
    })
    .strict(),
  log: z
    .object({
      log: PatternSchema,
      /** Only lines libxpc logged for this connection of the scenario's. */
      on: Id.optional(),
      count: z.number().int().positive().optional(),
      within,
      since,
    })
    .strict(),
  noLog: z.object({ noLog: PatternSchema, since }).strict(),
  /** A diagnostic the console shows (a job held back, a load refused, a world warning), optionally by its key. */
  diagnostic: z.object({ diagnostic: PatternSchema, key: z.string().optional(), within, since }).strict(),
  noDeliveryAfterInvalidation: z.object({ noDeliveryAfterInvalidation: Id }).strict(),
  exit: z
    .object({ exit: Label, cause: ExitCauseSchema.optional(), clean: z.boolean().optional(), within, since })
    .strict(),
  spawn: z
    .object({
      spawn: Label,
      reason: SpawnReasonSchema.optional(),
      /** The program that ran, e.g. a BundleProgram inside the app (XPC-MODEL §4.6). */
      program: PatternSchema.optional(),
      count: z.number().int().nonnegative().optional(),
      within,
      since,
    })
    .strict(),
  /** Without `errno` the look-up must succeed. */
  lookup: z.object({ lookup: z.string().min(1), errno: z.number().int().optional(), within, since }).strict(),
  /** A reply (or, with `error`, a failed reply) reaches the scenario's client on this connection. */
  reply: z
    .object({
      reply: Id,
      error: XpcErrorSchema.optional(),
      count: z.number().int().positive().optional(),
      within,
      since,
    })
    .strict(),
  status: z.object({ status: Label, is: SMAppServiceStatusSchema }).strict(),
  running: z.object({ running: Label, is: z.boolean().default(true), within }).strict(),
  ...UpgradeExpectSchemas,
} as const;
export type ExpectKind = keyof typeof ExpectSchemas;
export type Expectation = { [K in ExpectKind]: { kind: K } & z.infer<(typeof ExpectSchemas)[K]> }[ExpectKind];

const Signal = z.enum(['SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT', 'SIGINT']);

export const ActionSchemas = {
  /** Boots the world. Without a `start` step the world starts before the first step. */
  start: z.null(),
  connect: z
    .object({
      id: Id,
      /** The running process the scenario speaks for. */
      from: Label,
      /** A Mach service name… */
      to: z.string().min(1).optional(),
      /** …or a connection whose last reply holds an endpoint (XPC-MODEL §1.1). */
      endpoint: Id.optional(),
      privileged: z.boolean().default(false),
      requirement: z.string().min(1).optional(),
    })
    .strict()
    .refine((c) => (c.to === undefined) !== (c.endpoint === undefined), {
      message: 'give exactly one of `to` (a service name) or `endpoint` (a connection id)',
    }),
  listen: z
    .object({ id: Id, from: Label, name: z.string().min(1), requirement: z.string().min(1).optional() })
    .strict(),
  send: z
    .object({
      conn: Id,
      body: XpcDictionarySchema.default({}),
      reply: z.boolean().default(false),
      count: z.number().int().positive().max(10_000).default(1),
    })
    .strict(),
  cancel: Id,
  wait: DurationSchema,
  advance: DurationSchema,
  crash: Label,
  kill: z.union([Label, z.object({ label: Label, signal: Signal.default('SIGKILL') }).strict()]),
  pressure: z.null(),
  enable: Target,
  disable: Target,
  bootstrap: Target,
  bootout: Target,
  register: Label,
  unregister: Label,
  approve: Label,
  /** A path appears (`exists: true`) or goes away on the simulated Mac: KeepAlive PathState (XPC-MODEL §10.3). */
  path: z.object({ path: z.string().min(1), exists: z.boolean() }).strict(),
  /** The network comes up or goes down: KeepAlive NetworkState (XPC-MODEL §10.3). */
  network: z.enum(['up', 'down']),
  /** connect(2) to a Unix domain socket by path, speaking for a running process (XPC-MODEL §10.7). */
  socketConnect: z.object({ id: Id, from: Label, path: z.string().min(1) }).strict(),
  /** Runs a launchd job's program from Terminal, not through launchd (XPC-MODEL §3.2, §10.7). */
  runFromTerminal: Label,
  ...UpgradeActionSchemas,
  expect: z.unknown(),
} as const;
export type ActionKind = keyof typeof ActionSchemas;

export type Step = { index: number; name: string } & (
  | { [K in Exclude<ActionKind, 'expect'>]: { kind: K; arg: z.infer<(typeof ActionSchemas)[K]> } }[Exclude<
      ActionKind,
      'expect'
    >]
  | { kind: 'expect'; arg: Expectation }
);

export interface Scenario {
  name: string;
  file: string;
  /** The world folder named in the file, resolved against the file's folder. */
  world?: string;
  /** The default `within` of expectations, in ms. */
  timeoutMs: number;
  steps: Step[];
}

export const HeaderSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    /** Where in docs/xpc-model.md the behaviour is described, e.g. "§8.3". */
    recipe: z.string().optional(),
    world: z.string().min(1).optional(),
    timeout: DurationSchema.default(5000),
    steps: z.array(z.unknown()).min(1, { message: 'a scenario needs at least one step' }),
  })
  .strict();
