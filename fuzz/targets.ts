/**
 * What XPC Lab fuzzes: every parser that reads input from outside (files,
 * consoles, helpers), each with inputs made by mutating real-shaped seeds and
 * by fast-check's own generators. A case passes when the target returns, or
 * throws one of the project's own errors, which name what is wrong. Anything
 * else (a TypeError, a RangeError, a yaml or zod error escaping) is an escape.
 *
 * Used by test/fuzz/fuzz.test.ts (a short run in `npm test`) and by
 * fuzz/run.ts (`npm run fuzz`, a long run with figures).
 */
import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import { build, buildBinary } from 'plist';
import { parseRequirement } from '../main/broker/core/policy/requirement-parser';
import { RequirementSyntaxError } from '../main/broker/core/policy/requirement-syntax-error';
import { readClientFrame } from '../main/hosts/headless/server';
import { packageRoot } from '../main/hosts/paths';
import { parseScenario, ScenarioError } from '../main/scenario/parse';
import { importLog, UnknownLogFormatError } from '../main/trace/import';
import { parseTraceText } from '../main/trace/parse';
import { loadWorld } from '../main/world/load';
import { type Diagnostic, readPlistBytes } from '../main/world/plist-file';
import { memoryFs } from '../main/world/world-fs';
import { MAX_CLIENT_FRAME, parseCommand } from '../preload/contract';
import { compileFilter } from '../renderer/filter/compile';

/**
 * ws's framing layer; its types are not published, so it is required by name.
 * A case calls its `_write` (what the socket's stream calls) directly: through
 * `write`, Node's stream machinery defers each chunk's callback and error to
 * process.nextTick, which a synchronous fuzz loop never reaches, so every
 * case's receiver would be kept until the loop ended.
 */
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: {
    isServer: boolean;
    maxPayload: number;
  }) => EventEmitter & { _write(chunk: Buffer, encoding: string, cb: (error?: Error | null) => void): void };
};

export interface FuzzTarget<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Runs one case; throws only on an escape (an error that is not the project's own). */
  run(input: T): void;
  /** The project's own errors, which a case may throw. */
  expected?: (error: unknown) => boolean;
}

const root = packageRoot();
const text = (path: string) => readFileSync(join(root, path), 'utf8');

/** Pieces that break parsers: delimiters, prototype names, YAML aliases, huge numbers, control characters. */
const TOKENS = [
  '__proto__',
  'constructor',
  'toString',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\u0000',
  '\ufffd',
  '&a',
  '*a',
  '<<: *a',
  '<dict>',
  '</dict>',
  '<key>',
  '<array>',
  '<!--',
  '<![CDATA[',
  ':',
  ',',
  '&&',
  '||',
  '!',
  '1e309',
  '-0',
  '9007199254740993',
  'NaN',
  '%',
  '%E0%A4%A',
  '../',
  '\t',
  ' ',
  '#',
  '- ',
  '---',
];

type Edit = { at: number; kind: number; value: number; token: number };
const edits = fc.array(
  fc.record({
    at: fc.nat(),
    kind: fc.nat({ max: 4 }),
    value: fc.nat({ max: 0xffff }),
    token: fc.nat({ max: TOKENS.length - 1 }),
  }),
  { maxLength: 8 },
);

/** A seed text with a few edits: characters set, inserted, deleted, a slice doubled, a token spliced in. */
export function mutateText(seed: string, list: readonly Edit[]): string {
  let s = seed;
  for (const e of list) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    switch (e.kind) {
      case 0:
        s = s.slice(0, at) + String.fromCharCode(e.value) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + String.fromCharCode(e.value % 128) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1 + (e.value % 16));
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at, at + (e.value % 64)) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + (TOKENS[e.token] ?? '') + s.slice(at);
    }
  }
  return s;
}

/** The same for bytes. */
export function mutateBytes(seed: Uint8Array, list: readonly Edit[]): Buffer {
  let b = Buffer.from(seed);
  for (const e of list) {
    const at = b.length === 0 ? 0 : e.at % (b.length + 1);
    switch (e.kind) {
      case 0:
        if (at < b.length) b[at] = e.value & 0xff;
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([e.value & 0xff]), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + (e.value % 8))]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + (e.value % 32)), b.subarray(at)]);
        break;
      default:
        if (at < b.length) b[at] = e.value >> 8;
    }
  }
  return b;
}

function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...seeds), edits).map(([s, e]) => mutateText(s, e)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join('')) },
  );
}

const JOB = {
  Label: 'com.acme.vpn.helper',
  ProgramArguments: ['/Library/PrivilegedHelperTools/com.acme.vpn.helper'],
  MachServices: { 'com.acme.vpn.helper': true },
  KeepAlive: { SuccessfulExit: false },
  ExitTimeOut: 5,
  StartInterval: 3600,
  Data: Buffer.from('abc'),
  When: new Date(Date.UTC(2026, 0, 1)),
};
const PLIST_SEEDS = [
  Buffer.from(buildBinary(JOB as never)),
  Buffer.from(build(JOB as never)),
  Buffer.from('{ Label = "x"; Args = (a, b); }'),
];

const plist: FuzzTarget<Buffer> = {
  name: 'plist reader',
  arbitrary: fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(fc.constantFrom(...PLIST_SEEDS), edits).map(([s, e]) => mutateBytes(s, e)),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('bplist00'), b])),
    },
  ),
  run(bytes) {
    const diagnostics: Diagnostic[] = [];
    readPlistBytes(bytes, diagnostics, 'Library/LaunchDaemons/fuzz.plist');
    for (const d of diagnostics)
      if (d.file !== 'Library/LaunchDaemons/fuzz.plist') throw new Error('a diagnostic lost its file');
  },
};

/**
 * A world held in memory, one of its files mutated per case, loaded by the
 * real loader through its file-system port: no case touches the disk. The
 * world is written here, after pebble-notes: world.plist naming two bundles
 * (a poll behaviour, a script behaviour, signing, a build setting), the app's
 * Info.plist with a `$(VAR)`, the launch agent inside it, and the script.
 * Parsing XML plists is most of a case's cost, so the files are short: this
 * world is a third of pebble-notes' size and exercises the same loader paths.
 */
export const WORLD_ROOT = '/fuzz/pebble-notes';
const APP = 'Applications/Pebble Notes.app/Contents';
export const WORLD_FILES: Record<string, string> = {
  'world.plist': build({
    name: 'Pebble Notes',
    buildSettings: { CURRENT_PROJECT_VERSION: '87' },
    bundles: {
      'com.pebble.notes': {
        signing: { teamId: 'PBBL246810', anchor: 'mac-app-store' },
        behaviours: [
          { kind: 'poll', service: 'group.com.pebble.notes.sync', intervalMs: 800, body: { n: '{{n}}' } },
        ],
      },
      'com.pebble.notes.sync': { behaviours: [{ kind: 'script', path: 'scripts/pebble-sync.mjs' }] },
    },
  } as never),
  [`${APP}/Info.plist`]: build({
    CFBundleExecutable: 'Pebble Notes',
    CFBundleIdentifier: 'com.pebble.notes',
    CFBundleVersion: '$(CURRENT_PROJECT_VERSION)',
  } as never),
  [`${APP}/Library/LaunchAgents/com.pebble.notes.sync.plist`]: build({
    Label: 'com.pebble.notes.sync',
    BundleProgram: 'Contents/MacOS/Pebble Notes',
    MachServices: { 'group.com.pebble.notes.sync': true },
    AssociatedBundleIdentifiers: ['com.pebble.notes'],
  } as never),
  'scripts/pebble-sync.mjs': 'export default () => {};\n',
};
const WORLD_TEXTS = Object.keys(WORLD_FILES).filter((f) => !f.endsWith('.mjs'));
const worldEdit = (file: string) => mutated([WORLD_FILES[file] as string]).map((text) => ({ file, text }));
const world: FuzzTarget<{ file: string; text: string }> = {
  name: 'world loader',
  arbitrary: fc.oneof(
    { weight: WORLD_TEXTS.length, arbitrary: worldEdit('world.plist') },
    ...WORLD_TEXTS.map((file) => ({ weight: 1, arbitrary: worldEdit(file) })),
  ),
  run({ file, text }) {
    loadWorld(WORLD_ROOT, { fs: memoryFs(WORLD_ROOT, { ...WORLD_FILES, [file]: text }) });
  },
};

const requirement: FuzzTarget<string> = {
  name: 'requirement parser',
  arbitrary: mutated([
    'anchor apple generic and identifier "com.acme.vpn" and certificate leaf[subject.OU] = "ABCDE12345"',
    'identifier com.acme.app and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] exists',
    '!(info[CFBundleVersion] >= "2.0") or entitlement["com.apple.security.app-sandbox"] = true',
    'cdhash H"0123456789abcdef0123456789abcdef01234567" or platform = 1 and notarized',
  ]),
  run: (s) => void parseRequirement(s),
  expected: (e) => e instanceof RequirementSyntaxError,
};

const filter: FuzzTarget<string> = {
  name: 'filter language',
  arbitrary: mutated([
    'service == "com.acme.vpn.helper" && size > 1kb',
    '(state in [invalidated, interrupted] || error ~ "XPC") && !peer',
    'latency > 250ms and kind = message or label:com.acme*',
  ]),
  run(s) {
    const result = compileFilter(s, 1_700_000_000_000);
    if (!result.ok && !result.error.message) throw new Error('a filter error without a message');
  },
};

const LOG_SEEDS = [
  text('test/fixtures/logs/written/nextcloud-10479.default.log').slice(0, 3000),
  text('test/fixtures/logs/written/sandbox-159.compact.log').slice(0, 3000),
  text('test/fixtures/logs/written/launchd-composite.syslog.log').slice(0, 3000),
  text('test/fixtures/logs/written/lookup-159.ndjson').slice(0, 3000),
  text('test/fixtures/real/logs/multipass-5072.console-subsystem-first.txt').slice(0, 3000),
  text('test/fixtures/real/logs/nix-5698.launchd.log').slice(0, 3000),
];
const log: FuzzTarget<string> = {
  name: 'log importer',
  arbitrary: mutated(LOG_SEEDS),
  run: (s) => void importLog(s),
  expected: (e) => e instanceof UnknownLogFormatError,
};

const TRACE_SEED = [
  '{"format":"xpc-lab-trace","v":1,"created":"2026-11-23T12:00:00.000Z","host":"cli","world":"demo"}',
  '{"kind":"process.spawn","pid":100,"label":"com.acme.app","domain":"gui/501","program":"/A","reason":"ipc (mach)","v":1,"seq":0,"t":1700000000000}',
  '{"kind":"connection.state","conn":"c1","side":"client","pid":100,"name":"com.acme.helper","from":"activating","to":"connected","v":1,"seq":1,"t":1700000000001}',
  '{"kind":"message","conn":"c1","dir":"send","size":10,"expectsReply":true,"id":1,"from":100,"to":200,"v":1,"seq":2,"t":1700000000002}',
].join('\n');
const trace: FuzzTarget<string> = {
  name: 'trace reader',
  arbitrary: mutated([TRACE_SEED]),
  run: (s) => void parseTraceText(s),
};

/** A short scenario written here (yaml's cost grows with the text): an anchor, its alias, and the common steps. */
export const SCENARIO_SEED = `name: A crash interrupts, the next send relaunches
world: ../worlds/acme-vpn
steps:
  - connect: { id: c1, from: com.acme.vpn, to: com.acme.vpn.helper }
  - send: &ping { conn: c1, body: { op: ping }, reply: true }
  - expect: { reply: c1 }
  - crash: com.acme.vpn.helper
  - expect: { conn: c1, state: interrupted, error: XPC_ERROR_CONNECTION_INTERRUPTED }
  - wait: 200ms
  - send: *ping
  - name: answered again
    expect: { reply: c1 }
`;
const SCENARIO_SEEDS = [SCENARIO_SEED, text('assets/scenarios/log-text-sysextd.yaml')];
const scenario: FuzzTarget<string> = {
  name: 'scenario parser',
  arbitrary: mutated(SCENARIO_SEEDS),
  run: (s) => void parseScenario(s, 'fuzz.yaml'),
  expected: (e) => e instanceof ScenarioError && e.message.startsWith('fuzz.yaml: '),
};

const COMMANDS = [
  { type: 'hello' },
  { type: 'kill', pid: 100, signal: 'SIGTERM' },
  { type: 'open', path: '/tmp/world', allowScripts: true },
  { type: 'send', from: 100, service: 'com.acme.helper', body: { op: 'ping', n: 1 }, expectsReply: true },
  { type: 'modelAt', t: 1_700_000_000_000 },
];
const command: FuzzTarget<unknown> = {
  name: 'WebSocket command schema',
  arbitrary: fc.oneof(
    fc.tuple(fc.constantFrom(...COMMANDS.map((c) => JSON.stringify(c))), edits).map(([s, e]) => {
      try {
        return JSON.parse(mutateText(s, e)) as unknown;
      } catch {
        return s;
      }
    }),
    fc.jsonValue(),
    fc.anything(),
  ),
  run(raw) {
    const parsed = parseCommand(raw);
    if (!parsed.ok && !parsed.error.startsWith('invalid command: ')) throw new Error('an unclear refusal');
  },
};

const FRAME_SEEDS = [
  // A masked text frame holding a command, a ping, a close with code 1000.
  Buffer.from('818b00000000{"id":1,"c"}', 'latin1'),
  Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x7a, 0x20, 0x38, 0x2d, 0x7c]),
  Buffer.from([0x89, 0x80, 0, 0, 0, 0]),
  Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]),
  Buffer.from([0x81, 0xfe, 0x01, 0x00, 0, 0, 0, 0]),
];
const frames: FuzzTarget<Buffer> = {
  name: 'raw WebSocket frames',
  arbitrary: fc.oneof(
    fc.tuple(fc.constantFrom(...FRAME_SEEDS), edits).map(([s, e]) => mutateBytes(s, e)),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  ),
  run(bytes) {
    // ws's framing layer, as the server configures it, then the server's own frame reader.
    const receiver = new Receiver({ isServer: true, maxPayload: MAX_CLIENT_FRAME });
    receiver.on('message', (data: Buffer) => {
      const frame = readClientFrame(data.toString());
      if ('error' in frame) return;
      parseCommand(frame.command);
    });
    // A refused frame is ws's own error with a close code (the server closes that socket); anything else escaped.
    // ws unmasks payloads in place: the case's input stays as generated.
    receiver._write(Buffer.from(bytes), 'buffer', (error) => {
      if (error && !String((error as { code?: unknown }).code).startsWith('WS_ERR_')) throw error;
    });
  },
};

/** The slowest first, so that run side by side (XPC_LAB_FUZZ_JOBS) they finish together. */
export const TARGETS: readonly FuzzTarget<never>[] = [
  world,
  scenario,
  log,
  plist,
  trace,
  filter,
  frames,
  command,
  requirement,
] as FuzzTarget<never>[];
