import type { Command, CommandResult } from '../../preload/contract';
import { Broker } from '../broker/broker';
import { type Clock, type Spawner, systemClock } from '../broker/spawner';
import type { World } from '../world/model';
import { ConsoleSource } from './source';
import { reboot, restartApp, setVpn, sysextAction, sysextList, upgradeApp } from './upgrade-commands';

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

  protected run(command: Command): CommandResult {
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
      case 'restartApp':
        return restartApp(this, command.app);
      case 'reboot':
        return reboot(this, command.rebindsNE);
      case 'setVpn':
        return setVpn(this, command.connected);
      case 'sysextList':
        return sysextList(this);
      case 'setCapture':
        this.broker.capturePayloads = command.payloads;
        return { payloads: command.payloads };
    }
  }

  private requireProc(pid: number): true {
    if (!this.broker.findProc(pid)) throw new Error(`no running helper with pid ${pid}`);
    return true;
  }

  override dispose(): void {
    super.dispose();
    this.broker.dispose();
  }
}
