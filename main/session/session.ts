import type {
  Command,
  CommandResult,
  CommandResults,
  ScenarioInfo,
  SourceCommand,
} from '../../preload/contract';
import { Broker } from '../broker/broker';
import { type Clock, type Spawner, systemClock } from '../broker/spawner';
import type { EventOf } from '../trace/schema';
import type { World } from '../world/model';
import { ConsoleSource } from './source';
import {
  reboot,
  restartApp,
  setVpn,
  sysextAction,
  sysextList,
  tryRemedy,
  upgradeApp,
} from './upgrade-commands';

export type ScenarioProgress = Pick<
  EventOf<'scenario'>,
  'phase' | 'index' | 'total' | 'description' | 'ok' | 'message'
>;

/** Scenarios the host can run on the console's behalf; it owns the files and processes this takes. */
export interface ScenarioService {
  list(): ScenarioInfo[];
  run(file: string, report: (progress: ScenarioProgress) => void): Promise<CommandResults['runScenario']>;
}

export interface SessionOptions {
  scenarios?: ScenarioService;
  world: World;
  spawner: Spawner;
  host: 'electron' | 'headless';
  clock?: Clock;
  windowSize?: number;
  diagnostics?: readonly {
    severity: 'error' | 'warning' | 'info';
    file?: string;
    key?: string;
    message: string;
    consequence?: string;
  }[];
}

/**
 * One live session: a world, its broker and its event stream. Both hosts wrap
 * exactly this; it knows nothing of Electron, sockets or files.
 */
export class Session extends ConsoleSource {
  readonly broker: Broker;

  constructor(private readonly options: SessionOptions) {
    const clock = options.clock ?? systemClock;
    super(clock, options.windowSize);
    this.broker = new Broker({ world: options.world, spawner: options.spawner, clock, emit: this.hub.emit });
  }

  start(): void {
    const { world } = this.options;
    this.hub.emit({
      kind: 'world.loaded',
      name: world.name,
      root: world.root,
      jobs: world.jobs.length,
      services: world.jobs.reduce((n, j) => n + j.machServices.length, 0),
    });
    for (const d of this.options.diagnostics ?? []) this.hub.emit({ kind: 'diagnostic', ...d });
    this.broker.start();
  }

  protected run(command: SourceCommand): CommandResult | Promise<CommandResult> {
    switch (command.type) {
      case 'hello':
        return this.hello({
          host: this.options.host,
          mode: 'live',
          world: { name: this.options.world.name, root: this.options.world.root },
          capturePayloads: this.broker.capturePayloads,
        });
      case 'crash':
        return { ok: this.requireProc(command.pid) && this.broker.crash(command.pid) };
      case 'kill':
        return { ok: this.requireProc(command.pid) && this.broker.kill(command.pid, command.signal) };
      case 'cancel':
        if (!this.broker.findConnection(command.conn)) throw new Error(`no connection ${command.conn}`);
        return { ok: this.broker.cancelConnection(command.conn) };
      case 'upgrade':
        return upgradeApp(this, command);
      case 'sysext':
        return sysextAction(this, command);
      case 'remedy':
        return tryRemedy(this, command);
      case 'restartApp':
        return restartApp(this, command.app);
      case 'reboot':
        return reboot(this, command.rebindsNE);
      case 'setVpn':
        return setVpn(this, command.connected);
      case 'sysextList':
        return sysextList(this);
      case 'pressure':
        return { reclaimed: this.broker.pressure().map((p) => ({ pid: p.displayPid, label: p.job.label })) };
      case 'listScenarios':
        return this.scenarios().list();
      case 'runScenario':
        return this.runScenario(command.file);
      case 'setCapture':
        this.broker.capturePayloads = command.payloads;
        return { payloads: command.payloads };
      case 'send':
        return this.sendAs(command);
      case 'timeline':
      case 'modelAt':
        throw new Error(`${command.type} needs a reopened trace: a live session is always at its latest`);
    }
  }

  private consoleSends = 0;
  /** One connection per process and service, reused, so resends do not pile up connections. */
  private readonly consoleConns = new Map<string, string>();

  /**
   * The console speaks for a running process (Broker.speakFor): the message takes
   * exactly the path the helper's own would, validation and lookup included. The
   * connection id is the console's; the helper never sees replies on it.
   */
  private sendAs(command: Extract<Command, { type: 'send' }>): CommandResult<typeof command> {
    this.requireProc(command.from);
    const key = `${command.from}/${command.service}`;
    let local = this.consoleConns.get(key);
    const open = local && this.broker.findProc(command.from)?.connections.get(local)?.live;
    if (!local || !open) {
      local = `console.${++this.consoleSends}`;
      this.consoleConns.set(key, local);
      this.broker.speakFor(command.from, {
        t: 'connect',
        conn: local,
        name: command.service,
        privileged: false,
      });
    }
    const id = 1_000_000_000 + ++this.consoleSends;
    this.broker.speakFor(command.from, {
      t: 'send',
      conn: local,
      id,
      body: command.body,
      expectsReply: command.expectsReply,
    });
    const ptr = this.broker.findProc(command.from)?.connections.get(local)?.ptr;
    if (!ptr) throw new Error(`could not open a connection to ${command.service} from pid ${command.from}`);
    return { conn: ptr };
  }

  private requireProc(pid: number): true {
    if (!this.broker.findProc(pid)) throw new Error(`no running helper with pid ${pid}`);
    return true;
  }

  private scenarios(): ScenarioService {
    if (!this.options.scenarios) throw new Error('this host cannot run scenarios');
    return this.options.scenarios;
  }

  private async runScenario(file: string): Promise<CommandResults['runScenario']> {
    const report = (p: ScenarioProgress & { trace?: string }) =>
      this.hub.emit({ kind: 'scenario', scenario: file, ...p });
    const result = await this.scenarios().run(file, report);
    report({
      phase: 'done',
      index: result.passed,
      total: result.total,
      ok: result.ok,
      ...(result.trace ? { trace: result.trace } : {}),
    });
    return result;
  }

  override dispose(): void {
    super.dispose();
    this.broker.dispose();
  }
}
