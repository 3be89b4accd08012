import type * as Electron from 'electron';
import type { Disposable } from '../../broker/lifetime';
import type {
  ChannelEnd,
  ChannelPair,
  HelperProcess,
  ProcessExit,
  SpawnCallbacks,
  Spawner,
  SpawnRequest,
} from '../../broker/spawner';
import type { BrokerToHelper } from '../../helper/protocol';
import { type GoneReason, GoneReasonSchema } from '../../trace/schema';

type Port = Electron.MessagePortMain;
type PortEnd = ChannelEnd & { port: Port };

function portOf(end: ChannelEnd): Port | undefined {
  return (end as Partial<PortEnd>).port;
}

type GoneDetails = { type: string; reason: string; exitCode: number; serviceName?: string };

/** The signal each of Electron's reasons stands for; `oom` keeps its own name (a jetsam kill, XPC-MODEL §1.2). */
const SIGNAL_FOR_REASON: Partial<Record<GoneReason, string>> = {
  crashed: 'SIGSEGV',
  killed: 'SIGKILL',
  oom: 'SIGKILL',
  'memory-eviction': 'SIGKILL',
};

interface ChildRecord {
  exited: boolean;
  gone?: GoneDetails;
  callbacks: SpawnCallbacks;
  handle: HelperProcess;
}

/**
 * Helpers as Electron utility processes. Each gets a unique serviceName so
 * app 'child-process-gone' events can be matched to it (docs/design.md, Notes from the ecosystem).
 */
export class UtilityProcessSpawner implements Spawner, Disposable {
  private readonly records = new Map<string, ChildRecord>();

  constructor(
    private readonly utilityProcess: Pick<typeof Electron.utilityProcess, 'fork'>,
    private readonly entry: string,
    /** Electron's MessageChannelMain: each brokered connection's direct channel (VS Code's utility-process IPC). */
    private readonly MessageChannel?: new () => Pick<Electron.MessageChannelMain, 'port1' | 'port2'>,
  ) {}

  /** Present only with MessageChannelMain; without it messages go through the broker. */
  get createChannel(): (() => Promise<ChannelPair>) | undefined {
    const MessageChannel = this.MessageChannel;
    if (!MessageChannel) return undefined;
    return async () => {
      const { port1, port2 } = new MessageChannel();
      return {
        a: { channelEnd: true, port: port1 } as PortEnd,
        b: { channelEnd: true, port: port2 } as PortEnd,
        inject: async (frames) => {
          for (const frame of frames) port1.postMessage(frame);
        },
        close: () => {
          port1.close();
          port2.close();
        },
      };
    };
  }

  spawn(request: SpawnRequest, callbacks: SpawnCallbacks): HelperProcess {
    // stdin must be 'ignore' for utilityProcess.fork (Electron docs).
    const child = this.utilityProcess.fork(this.entry, [`--xpc-service=${request.serviceName}`], {
      serviceName: request.serviceName,
      env: { ...process.env, ...request.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const handle: HelperProcess = {
      get pid() {
        return child.pid;
      },
      send(message: BrokerToHelper, end?: ChannelEnd) {
        const port = end && portOf(end);
        if (record.exited) port?.close();
        else if (port) child.postMessage(message, [port]);
        else child.postMessage(message);
      },
      kill(signal) {
        // kill() on a dead process returns false (electron#44013): answer that ourselves.
        if (record.exited) return false;
        if (child.pid !== undefined && signal !== 'SIGTERM') {
          try {
            process.kill(child.pid, signal);
            return true;
          } catch {
            return false;
          }
        }
        return child.kill();
      },
    };
    const record: ChildRecord = { exited: false, callbacks, handle };
    this.records.set(request.serviceName, record);
    child.on('spawn', () => child.pid !== undefined && callbacks.onSpawn(child.pid));
    child.on('message', (message: unknown) => callbacks.onMessage(message));
    child.on('exit', (code: number) => {
      // Never post from inside the exit handler (electron#53923): mark first, report on the next turn,
      // after the matching child-process-gone has had its chance to say why.
      record.exited = true;
      setImmediate(() => this.finish(request.serviceName, code));
    });
    return handle;
  }

  onChildProcessGone(details: GoneDetails): void {
    if (details.type !== 'Utility' || !details.serviceName) return;
    const record = this.records.get(details.serviceName);
    if (record) record.gone = details;
  }

  /** Ends every helper still running, as the headless host's spawner does; used when the app quits. */
  dispose(): void {
    for (const record of this.records.values()) record.handle.kill('SIGKILL');
  }

  private finish(serviceName: string, code: number): void {
    const record = this.records.get(serviceName);
    if (!record) return;
    this.records.delete(serviceName);
    record.callbacks.onExit(exitOf(code, record.gone?.reason));
  }
}

/** The exit the broker is told of: Electron's reason, when it is one Electron documents, travels with it. */
export function exitOf(code: number, reason: string | undefined): ProcessExit {
  const parsed = GoneReasonSchema.safeParse(reason);
  if (!parsed.success) return { code, signal: null };
  const goneReason = parsed.data;
  const signal = SIGNAL_FOR_REASON[goneReason];
  if (signal) return { code: null, signal, goneReason };
  if (goneReason === 'launch-failed')
    return { code: null, signal: null, launchError: 'launch-failed', goneReason };
  return { code, signal: null, goneReason };
}
