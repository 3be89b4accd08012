import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type * as Electron from 'electron';
import { SocketPairs, socketOf } from '../../main/hosts/headless/socket-pairs';
import { FakeMessagePort } from './utility-port.cjs';

const SHIM = fileURLToPath(new URL('./utility-shim.cjs', import.meta.url));

/** What Electron's app 'child-process-gone' event carries for a utility process. */
export interface GoneDetails {
  type: 'Utility';
  reason: 'clean-exit' | 'abnormal-exit' | 'killed' | 'crashed' | 'oom' | 'launch-failed';
  exitCode: number;
  serviceName?: string;
  name?: string;
}

/** One message the parent posted to a utility process, with the ports it transferred. */
export interface Posted {
  pid: number | undefined;
  serviceName: string | undefined;
  message: unknown;
  ports: FakeMessagePort[];
}

type ForkOptions = {
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  cwd?: string;
  stdio?: 'pipe' | 'ignore' | 'inherit' | ('pipe' | 'ignore' | 'inherit')[];
  serviceName?: string;
};

// Chromium's termination status for a process ended by a signal (base/process/kill_posix.cc).
const CRASH_SIGNALS = new Set(['SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGSEGV', 'SIGTRAP', 'SIGSYS']);
const KILL_SIGNALS = new Set(['SIGINT', 'SIGKILL', 'SIGTERM']);

function goneReason(code: number | null, signal: NodeJS.Signals | null): GoneDetails['reason'] {
  if (signal)
    return CRASH_SIGNALS.has(signal) ? 'crashed' : KILL_SIGNALS.has(signal) ? 'killed' : 'abnormal-exit';
  return code === 0 ? 'clean-exit' : 'abnormal-exit';
}

/**
 * A fake of Electron's `utilityProcess`, `MessageChannelMain` and the part of `app` that reports
 * utility processes, for tests. Each utility process is a real Node process running the module it is
 * given, preloaded with test/support/utility-shim.cjs so that it finds `process.parentPort` and no
 * `process.send`, as in Electron. Each MessageChannelMain is a real connected socket pair whose ends are
 * FakeMessagePorts (test/support/utility-port.cjs); transferring a port to a utility process passes its
 * socket over Node IPC, after what was posted on it has been written.
 *
 * It records what the parent posts (`posted`, `transfers`) so tests can see which path messages took.
 */
export function createFakeUtility() {
  const pairs = new SocketPairs();
  const children = new Set<FakeUtilityProcess>();
  const posted: Posted[] = [];
  const transfers: Posted[] = [];
  const app = new EventEmitter();
  let disposed = false;

  class FakeUtilityProcess extends EventEmitter {
    readonly stdout: NodeJS.ReadableStream | null;
    readonly stderr: NodeJS.ReadableStream | null;
    private readonly child: ChildProcess;
    private spawned = false;
    private exited = false;
    /** Messages wait here, in order, behind a port whose socket is not yet ready. */
    private readonly queue: { message: unknown; socket?: Promise<Socket | undefined> }[] = [];
    private pumping = false;

    constructor(
      modulePath: string,
      args: string[],
      private readonly options: ForkOptions,
    ) {
      super();
      const stdio = options.stdio ?? 'inherit';
      const [, out = 'inherit', err = 'inherit'] = typeof stdio === 'string' ? [stdio, stdio, stdio] : stdio;
      this.child = fork(modulePath, args, {
        env: options.env ?? process.env,
        cwd: options.cwd,
        execArgv: [...(options.execArgv ?? []), '--require', SHIM],
        stdio: ['ignore', out, err, 'ipc'],
        // Electron structured-clones what it posts; Node's advanced serialization is that algorithm.
        serialization: 'advanced',
      });
      this.stdout = this.child.stdout;
      this.stderr = this.child.stderr;
      children.add(this);
      this.child.once('spawn', () => {
        this.spawned = true;
        this.emit('spawn');
      });
      this.child.on('message', (message) => this.emit('message', message));
      this.child.on('error', () => {
        if (this.spawned) return;
        this.end({ reason: 'launch-failed', exitCode: 1 }, 1);
      });
      this.child.once('exit', (code, signal) => {
        const exitCode = signal ? (constants.signals[signal] ?? 1) : (code ?? 1);
        this.end({ reason: goneReason(code, signal), exitCode }, exitCode);
      });
    }

    /** Undefined until the process has spawned, and again after it has exited (Electron's UtilityProcess.pid). */
    get pid(): number | undefined {
      return this.spawned && !this.exited ? this.child.pid : undefined;
    }

    postMessage(message: unknown, transfer: FakeMessagePort[] = []): void {
      if (transfer.length > 1)
        throw new Error('the fake utilityProcess transfers at most one port per message');
      const port = transfer[0];
      if (port !== undefined && !(port instanceof FakeMessagePort)) {
        throw new Error('DataCloneError: only a MessagePortMain can be transferred');
      }
      // Cloned now, as Electron does: a later change to the object is not seen, and what cannot be cloned throws here.
      const clone = structuredClone(message);
      const entry: Posted = {
        pid: this.pid,
        serviceName: this.options.serviceName,
        message: clone,
        ports: port ? [port] : [],
      };
      posted.push(entry);
      if (port) {
        if (port.neutered || port.closed) {
          throw new Error(
            'DataCloneError: a MessagePortMain that was transferred or closed cannot be transferred',
          );
        }
        transfers.push(entry);
        // Neuters the port now, as Electron does; its socket goes over once what was posted on it is written.
        this.queue.push({ message: clone, socket: port.transfer() });
      } else {
        this.queue.push({ message: clone });
      }
      void this.pump();
    }

    kill(): boolean {
      if (this.exited || !this.spawned) return false;
      return this.child.kill('SIGTERM');
    }

    /** Ends the process at once (the fake's dispose). */
    destroy(): void {
      if (!this.exited) this.child.kill('SIGKILL');
    }

    private async pump(): Promise<void> {
      if (this.pumping) return;
      this.pumping = true;
      try {
        for (let next = this.queue.shift(); next; next = this.queue.shift()) {
          if (next.socket) {
            const socket = await next.socket;
            if (!socket) continue;
            if (this.exited || !this.child.connected) {
              socket.destroy();
              continue;
            }
            this.child.send({ data: next.message }, socket, { keepOpen: false }, (error) => {
              if (error) socket.destroy();
            });
          } else if (!this.exited && this.child.connected) {
            this.child.send({ data: next.message }, () => {});
          }
        }
      } finally {
        this.pumping = false;
      }
    }

    private end(gone: Pick<GoneDetails, 'reason' | 'exitCode'>, exitCode: number): void {
      if (this.exited) return;
      this.exited = true;
      children.delete(this);
      if (gone.reason !== 'clean-exit') {
        const details: GoneDetails = {
          type: 'Utility',
          ...gone,
          ...(this.options.serviceName ? { serviceName: this.options.serviceName } : {}),
        };
        app.emit('child-process-gone', {}, details);
      }
      this.emit('exit', exitCode);
    }
  }

  class FakeMessageChannelMain {
    readonly port1 = new FakeMessagePort();
    readonly port2 = new FakeMessagePort();

    constructor() {
      if (disposed) {
        this.port1.fail();
        this.port2.fail();
        return;
      }
      pairs.create().then(
        (pair) => {
          const a = socketOf(pair.a);
          const b = socketOf(pair.b);
          if (!a || !b) throw new Error('a socket pair without sockets');
          this.port1.attach(a);
          this.port2.attach(b);
        },
        () => {
          this.port1.fail();
          this.port2.fail();
        },
      );
    }
  }

  const utilityProcess = {
    fork(modulePath: string, args: string[] = [], options: ForkOptions = {}): FakeUtilityProcess {
      if (disposed) throw new Error('the fake utilityProcess was disposed');
      return new FakeUtilityProcess(modulePath, args, options);
    },
  };

  return {
    /** Typed as Electron's, for the code under test; the fake implements the part the spawner uses. */
    utilityProcess: utilityProcess as unknown as Pick<typeof Electron.utilityProcess, 'fork'>,
    MessageChannelMain: FakeMessageChannelMain as unknown as new () => Pick<
      Electron.MessageChannelMain,
      'port1' | 'port2'
    >,
    /** Emits ('child-process-gone', event, details) for each utility process that did not exit cleanly. */
    app,
    posted,
    transfers,
    dispose(): void {
      disposed = true;
      for (const child of children) child.destroy();
      pairs.dispose();
    },
  };
}

export type FakeUtility = ReturnType<typeof createFakeUtility>;
