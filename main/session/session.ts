import type { Command, CommandResult, EventBatch, HelloResult, Reply } from '../../preload/contract';
import { parseCommand } from '../../preload/contract';
import { Broker } from '../broker/broker';
import { type Clock, type Spawner, systemClock } from '../broker/spawner';
import type { TraceEvent } from '../trace/schema';
import type { World } from '../world/model';
import { Batcher, EventHub } from './event-hub';

export interface SessionOptions {
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
export class Session {
  readonly hub: EventHub;
  readonly broker: Broker;
  private readonly clients = new Set<{ batcher: Batcher; unsubscribe: () => void }>();

  constructor(private readonly options: SessionOptions) {
    const clock = options.clock ?? systemClock;
    this.hub = new EventHub(clock, options.windowSize);
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

  /** Attaches a console: it receives batches from now on. Returns the detach function. */
  attach(send: (batch: EventBatch) => void): () => void {
    const batcher = new Batcher((events) =>
      send({ events, dropped: this.hub.window.dropped + batcher.dropped }),
    );
    const unsubscribe = this.hub.subscribe((e) => batcher.push(e));
    const client = { batcher, unsubscribe };
    this.clients.add(client);
    return () => {
      unsubscribe();
      batcher.dispose();
      this.clients.delete(client);
    };
  }

  /** Every command from any console or CLI goes through here, validated first. */
  async handle(raw: unknown): Promise<Reply> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      return { ok: true, value: this.run(parsed.command) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private run(command: Command): CommandResult {
    switch (command.type) {
      case 'hello':
        return this.hello();
      case 'crash':
        return { ok: this.requireProc(command.pid) && this.broker.crash(command.pid) };
      case 'kill':
        return { ok: this.requireProc(command.pid) && this.broker.kill(command.pid, command.signal) };
      case 'cancel':
        if (!this.broker.findConnection(command.conn)) throw new Error(`no connection ${command.conn}`);
        return { ok: this.broker.cancelConnection(command.conn) };
      case 'setCapture':
        this.broker.capturePayloads = command.payloads;
        return { payloads: command.payloads };
    }
  }

  private requireProc(pid: number): true {
    if (!this.broker.findProc(pid)) throw new Error(`no running helper with pid ${pid}`);
    return true;
  }

  private hello(): HelloResult {
    const { world } = this.options;
    const recent: TraceEvent[] = this.hub.window.toArray().slice(-5000);
    return {
      host: this.options.host,
      world: { name: world.name, root: world.root },
      snapshot: structuredClone(this.hub.model.state),
      recent,
      dropped: this.hub.window.dropped,
      capturePayloads: this.broker.capturePayloads,
    };
  }

  dispose(): void {
    for (const client of [...this.clients]) {
      client.unsubscribe();
      client.batcher.dispose();
    }
    this.clients.clear();
    this.broker.dispose();
  }
}
