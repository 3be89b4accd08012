import type { Broker } from '../broker/broker';
import type { Spawner } from '../broker/spawner';
import type { HelperToBroker } from '../helper/protocol';
import { Session } from '../session/session';
import type { TraceEvent } from '../trace/schema';
import type { Diagnostic } from '../world/load';
import type { World } from '../world/model';
import { ScriptedClients, type ScriptedConnection } from './clients';
import { ScenarioClock } from './clock';
import { check, describe, type Verdict, waits } from './expect';
import type { Scenario, Step } from './schema';
import { actUpgrade, describeUpgradeStep, isUpgradeStep, type UpgradeStep } from './upgrade-steps';

export interface RunOptions {
  scenario: Scenario;
  world: World;
  diagnostics?: readonly Diagnostic[];
  /** The host's Spawner: real helpers from the CLI and the scenario tests. */
  spawner: Spawner;
  onEvent?: (event: TraceEvent) => void;
  /** How long the stream must be quiet before `advance` fires the next timer. */
  settleMs?: number;
  /** Called as each step finishes, for a progress display. */
  onStep?: (result: StepResult, total: number) => void;
}

export interface StepResult {
  index: number;
  name: string;
  kind: Step['kind'];
  description: string;
  ok: boolean;
  /** What the step printed (launchctl output, SMAppService errors), or why it failed. */
  message?: string;
  /** For a failure: the events around it. */
  context?: TraceEvent[];
  durationMs: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  ok: boolean;
  steps: StepResult[];
  events: TraceEvent[];
  durationMs: number;
}

/** An action step that cannot be carried out; the run stops there. */
class StepError extends Error {}

const POLL_MS = 20;
const CONTEXT = 10;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a scenario against a live world: each step acts through the same
 * broker paths the console and the helpers use, and each expectation waits
 * (up to its `within`) for the event stream to show it.
 */
class Run {
  readonly events: TraceEvent[] = [];
  readonly clock = new ScenarioClock();
  readonly clients = new ScriptedClients(() => this.nextSeq());
  readonly session: Session;
  private windowStart = 0;
  private acting = false;
  private started = false;

  constructor(private readonly options: RunOptions) {
    this.session = new Session({
      world: options.world,
      spawner: this.clients.tap(options.spawner),
      host: 'headless',
      clock: this.clock,
      ...(options.diagnostics ? { diagnostics: options.diagnostics } : {}),
    });
    this.session.hub.subscribe((e) => {
      this.events.push(e);
      options.onEvent?.(e);
    });
  }

  get broker(): Broker {
    return this.session.broker;
  }

  private get timeoutMs(): number {
    return this.options.scenario.timeoutMs;
  }

  nextSeq(): number {
    return (this.events.at(-1)?.seq ?? -1) + 1;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.session.start();
  }

  async step(step: Step): Promise<StepResult> {
    const began = performance.now();
    const base = { index: step.index, name: step.name, kind: step.kind, description: this.describe(step) };
    // Expectations look at what the actions since the previous expectation caused.
    if (step.kind === 'expect') this.acting = false;
    else if (!this.acting && step.kind !== 'wait') {
      this.acting = true;
      this.windowStart = this.nextSeq();
    }
    try {
      const outcome = step.kind === 'expect' ? await this.expect(step) : await this.act(step);
      const durationMs = performance.now() - began;
      if (typeof outcome === 'string' || outcome === undefined) {
        return { ...base, ok: true, durationMs, ...(outcome ? { message: outcome } : {}) };
      }
      if (outcome.ok) return { ...base, ok: true, durationMs };
      return { ...base, ok: false, message: outcome.message, context: this.around(outcome.near), durationMs };
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      return {
        ...base,
        ok: false,
        message: error.message,
        context: this.around(),
        durationMs: performance.now() - began,
      };
    }
  }

  private describe(step: Step): string {
    if (step.kind === 'expect') return describe(step.arg, this.timeoutMs);
    if (isUpgradeStep(step)) return describeUpgradeStep(step);
    if (step.arg === null) return step.kind;
    return `${step.kind} ${typeof step.arg === 'object' ? JSON.stringify(step.arg) : String(step.arg)}`;
  }

  private async expect(step: Extract<Step, { kind: 'expect' }>): Promise<Verdict> {
    const e = step.arg;
    const from = 'since' in e && e.since === 'start' ? 0 : this.windowStart;
    const view = () => ({ events: this.events, clients: this.clients, broker: this.broker, from });
    if (!waits(e)) return check(e, view());
    const deadline =
      performance.now() + ('within' in e && e.within !== undefined ? e.within : this.timeoutMs);
    for (;;) {
      const verdict = check(e, view());
      if (verdict.ok || performance.now() >= deadline) return verdict;
      await sleep(POLL_MS);
    }
  }

  private async act(step: Exclude<Step, { kind: 'expect' }>): Promise<string | undefined> {
    const { broker } = this;
    if (isUpgradeStep(step)) return this.upgradeStep(step);
    switch (step.kind) {
      case 'start':
        this.start();
        return;
      case 'connect':
        return this.connect(step.arg);
      case 'listen': {
        const conn = await this.open(step.arg.id, step.arg.from);
        const requirement = step.arg.requirement ? { requirement: step.arg.requirement } : {};
        return this.speak(conn, {
          t: 'checkIn',
          listener: conn.localId,
          name: step.arg.name,
          ...requirement,
        });
      }
      case 'send':
        return this.send(step.arg);
      case 'cancel':
        return this.speak(this.conn(step.arg), { t: 'cancel', conn: this.conn(step.arg).localId });
      case 'wait':
        await sleep(step.arg);
        return;
      case 'advance':
        await this.clock.advance(step.arg, () => this.settle());
        return;
      case 'crash':
        broker.crash(await this.pidOf(step.arg));
        return;
      case 'kill': {
        const { label, signal } =
          typeof step.arg === 'string' ? { label: step.arg, signal: 'SIGKILL' as const } : step.arg;
        broker.kill(await this.pidOf(label), signal);
        return;
      }
      case 'pressure': {
        const reclaimed = broker.pressure().map((p) => `${p.job.label}[${p.displayPid}]`);
        return reclaimed.length ? `reclaimed ${reclaimed.join(', ')}` : 'nothing clean and idle to reclaim';
      }
      case 'enable':
      case 'disable':
      case 'bootstrap':
      case 'bootout': {
        const result = broker.launchctl[step.kind](step.arg);
        return result.ok ? 'ok' : `${result.errno}: ${result.message}`;
      }
      case 'path':
        broker.setPath(step.arg.path, step.arg.exists);
        return `${step.arg.path} ${step.arg.exists ? 'exists' : 'is gone'}`;
      case 'socketConnect': {
        const conn = await this.open(step.arg.id, step.arg.from);
        return this.speak(conn, { t: 'socketConnect', conn: conn.localId, path: step.arg.path });
      }
      case 'runFromTerminal': {
        const proc = broker.runFromTerminal(step.arg);
        if (!proc) throw new StepError(`the world has no launchd job ${step.arg}`);
        return `${proc.job.program} runs from Terminal`;
      }
      case 'network':
        broker.setNetwork(step.arg === 'up');
        return `the network is ${step.arg}`;
      case 'register':
      case 'unregister':
      case 'approve': {
        const result = broker.smAppService[step.kind](step.arg);
        const error = result.ok
          ? ''
          : `: Error Domain=${result.error.domain} Code=${result.error.code} "${result.error.message}"`;
        return `status .${result.status}${error}`;
      }
    }
  }

  /** XPC-MODEL §5: what the broker refuses (no such app or extension) fails the step. */
  private upgradeStep(step: UpgradeStep): string {
    try {
      return actUpgrade(this.session, step, this.options.scenario.file);
    } catch (error) {
      throw new StepError((error as Error).message);
    }
  }

  private async connect(arg: Extract<Step, { kind: 'connect' }>['arg']): Promise<undefined> {
    const conn = await this.open(arg.id, arg.from);
    if (arg.endpoint !== undefined) {
      const endpoint = this.clients.lastEndpoint(this.conn(arg.endpoint));
      if (!endpoint || !('v' in endpoint))
        throw new StepError(`no reply on ${arg.endpoint} has carried an endpoint yet`);
      return this.speak(conn, { t: 'connectEndpoint', conn: conn.localId, endpoint: String(endpoint.v) });
    }
    const requirement = arg.requirement ? { requirement: arg.requirement } : {};
    this.speak(conn, {
      t: 'connect',
      conn: conn.localId,
      name: arg.to ?? '',
      privileged: arg.privileged,
      ...requirement,
    });
    return undefined;
  }

  private send(arg: Extract<Step, { kind: 'send' }>['arg']): undefined {
    const conn = this.conn(arg.conn);
    for (let i = 0; i < arg.count; i++) {
      this.speak(conn, {
        t: 'send',
        conn: conn.localId,
        id: conn.nextMessageId++,
        body: arg.body,
        expectsReply: arg.reply,
      });
    }
    return undefined;
  }

  /** Opens a scripted connection in the newest running process of `label`. */
  private async open(id: string, label: string): Promise<ScriptedConnection> {
    if (this.clients.get(id)) throw new StepError(`connection id ${id} is already in use`);
    return this.clients.open(id, await this.pidOf(label), label);
  }

  private conn(id: string): ScriptedConnection {
    const conn = this.clients.get(id);
    if (!conn) throw new StepError(`no connection ${id}: open it with a connect step first`);
    return conn;
  }

  private speak(conn: ScriptedConnection, message: HelperToBroker): undefined {
    if (!this.broker.speakFor(conn.pid, message)) {
      throw new StepError(`${conn.label}[${conn.pid}], which owns ${conn.id}, is no longer running`);
    }
    conn.ptr ??= this.broker.findProc(conn.pid)?.connections.get(conn.localId)?.ptr;
    return undefined;
  }

  /** The newest running process of a job, waiting for it to launch up to the scenario's timeout. */
  private async pidOf(label: string): Promise<number> {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const proc = this.broker
        .processes()
        .filter((p) => p.job.label === label && p.state === 'running' && p.pid !== undefined)
        .at(-1);
      if (proc?.pid !== undefined) return proc.pid;
      if (performance.now() >= deadline) throw new StepError(`${label} is not running`);
      await sleep(POLL_MS);
    }
  }

  /** Waits until the stream has been quiet for settleMs, at most 1.5 s: real helpers react to signals. */
  private async settle(): Promise<void> {
    const quiet = this.options.settleMs ?? 40;
    const deadline = performance.now() + 1500;
    let seen = this.events.length;
    do {
      await sleep(quiet);
      if (this.events.length === seen) return;
      seen = this.events.length;
    } while (performance.now() < deadline);
  }

  /** The events around a failure: CONTEXT events ending at `near`, or the newest ones. */
  private around(near?: number): TraceEvent[] {
    const end =
      near === undefined
        ? this.events.length
        : this.events.findIndex((e) => e.seq === near) + 1 + CONTEXT / 2;
    return this.events.slice(Math.max(0, end - CONTEXT), Math.max(end, 0));
  }

  dispose(): void {
    this.session.dispose();
    this.clock.dispose();
  }
}

export async function runScenario(options: RunOptions): Promise<ScenarioResult> {
  const began = performance.now();
  const run = new Run(options);
  const steps: StepResult[] = [];
  try {
    // Without a `start` step the world starts first; steps before a `start` act on a world not yet booted.
    if (!options.scenario.steps.some((s) => s.kind === 'start')) run.start();
    for (const step of options.scenario.steps) {
      const result = await run.step(step);
      steps.push(result);
      options.onStep?.(result, options.scenario.steps.length);
      if (!result.ok && step.kind !== 'expect') break;
    }
  } finally {
    run.dispose();
  }
  return {
    scenario: options.scenario,
    ok: steps.length === options.scenario.steps.length && steps.every((s) => s.ok),
    steps,
    events: run.events,
    durationMs: performance.now() - began,
  };
}
