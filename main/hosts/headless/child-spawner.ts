import { type ChildProcess, fork } from 'node:child_process';
import type { Disposable } from '../../broker/lifetime';
import type {
  ChannelEnd,
  ChannelPair,
  HelperProcess,
  SpawnCallbacks,
  Spawner,
  SpawnRequest,
} from '../../broker/spawner';
import type { BrokerToHelper } from '../../helper/protocol';
import { SocketPairs, socketOf } from './socket-pairs';

/** Helpers as child_process.fork children with an IPC channel (the headless host's Spawner). */
export class ChildProcessSpawner implements Spawner, Disposable {
  private readonly children = new Set<ChildProcess>();
  private readonly pairs = new SocketPairs();

  constructor(private readonly entry: string) {}

  spawn(request: SpawnRequest, callbacks: SpawnCallbacks): HelperProcess {
    const child = fork(this.entry, [`--xpc-service=${request.serviceName}`], {
      env: { ...process.env, ...request.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    let exited = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, launchError?: string) => {
      if (exited) return;
      exited = true;
      this.children.delete(child);
      callbacks.onExit({ code, signal, ...(launchError ? { launchError } : {}) });
    };
    child.once('spawn', () => child.pid !== undefined && callbacks.onSpawn(child.pid));
    child.on('message', (message) => callbacks.onMessage(message));
    child.once('error', (error) => {
      if (child.pid === undefined) finish(null, null, error.message);
    });
    child.once('exit', (code, signal) => finish(code, signal, code === 78 ? stderr.trim() : undefined));
    return {
      get pid() {
        return child.pid;
      },
      send(message: BrokerToHelper, end?: ChannelEnd) {
        const socket = end && socketOf(end);
        if (!child.connected) {
          socket?.destroy();
          return;
        }
        if (socket) child.send(message, socket, (error) => error && socket.destroy());
        else child.send(message, (error) => error && undefined);
      },
      kill(signal) {
        if (exited || child.exitCode !== null || child.signalCode !== null) return false;
        return child.kill(signal);
      },
    };
  }

  /** A connected socket pair: the two helpers' direct channel. */
  createChannel(): Promise<ChannelPair> {
    return this.pairs.create();
  }

  /** Ends every child still running; used when the host shuts down. */
  dispose(): void {
    this.pairs.dispose();
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }
}
