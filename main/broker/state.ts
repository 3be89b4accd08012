import type { BrokerToHelper, HelperInit } from '../helper/protocol';
import type { EventInput } from '../trace/schema';
import type { JobSpec, World } from '../world/model';
import { BrokerLog } from './broker-log';
import { AnonymousListeners } from './core/anonymous';
import { Barriers } from './core/barrier';
import { CaptureMerge } from './core/capture';
import { Channels } from './core/channels';
import { ConnectionStates } from './core/connection-states';
import { Delivery } from './core/delivery';
import { Lookup } from './core/lookup';
import { Namespace, type ServiceEntry } from './core/namespace';
import { PointerAllocator } from './core/pointer';
import { DEFAULT_QUOTA, type QuotaLimits } from './core/quota';
import { Replies } from './core/reply';
import { Requirements } from './core/requirements';
import { UnixSockets } from './core/unix-sockets';
import { WaitingQueues } from './core/waiting';
import { Jobs } from './launchd/jobs';
import { KeepAlive, standingHolds } from './launchd/keepalive';
import { LabelSlots } from './launchd/label-slots';
import { Lifecycle } from './launchd/lifecycle';
import { DisabledOverrides } from './launchd/overrides';
import type { Proc } from './launchd/process';
import type { ChannelEnd, Clock, Spawner } from './spawner';

export interface BrokerOptions {
  world: World;
  spawner: Spawner;
  clock: Clock;
  emit: (event: EventInput) => void;
  /** Messages larger than this invalidate their connection (docs/design.md, Trust boundaries). */
  maxMessageBytes?: number;
  /** Record payloads (capture on) or counts only. */
  capturePayloads?: boolean;
  /** Per-helper budgets over DEFAULT_QUOTA (main/broker/core/quota.ts). */
  quota?: Partial<QuotaLimits>;
}

/**
 * What the broker's parts share: the namespace, the processes and their
 * instances, the messages waiting for a check-in, and the parts themselves,
 * so that each reaches the others by name.
 */
export class BrokerState {
  readonly namespace = new Namespace();
  readonly pointers = new PointerAllocator();
  readonly procs = new Set<Proc>();
  /** Running (or spawning) instance per job key: label, or label@ownerPid for bundled XPC services. */
  readonly instances = new Map<string, Proc>();
  /** Messages waiting, per name, for an instance to check in and take them (XPC-MODEL §8.9). */
  readonly waiting: WaitingQueues = new WaitingQueues(this);
  /** launchctl print's "runs": spawns per job key. */
  readonly runs = new Map<string, number>();
  readonly slots = new LabelSlots();
  readonly barriers = new Barriers();
  readonly observers = new Set<(event: EventInput) => void>();
  readonly log = new BrokerLog((event) => this.emit(event));
  /** Numbers messages and names peer connections; never reused within a session. */
  nextMessageId = 1;
  disposed = false;
  capturePayloads: boolean;
  /** Capture off: channel messages are counted per connection, not recorded one by one. */
  captureCountsOnly = false;
  readonly maxMessageBytes: number;
  readonly quota: QuotaLimits;
  /**
   * While a helper's message is dispatched: the time it was sent (or arrived), which the events it causes carry,
   * so that a message held by its quota keeps its own time.
   */
  senderTime: number | undefined;
  readonly world: World;
  readonly clock: Clock;
  readonly spawner: Spawner;
  readonly overrides: DisabledOverrides;
  readonly lifecycle: Lifecycle;
  readonly keepAlive: KeepAlive;

  readonly jobs: Jobs;
  readonly connections: ConnectionStates;
  readonly lookup: Lookup;
  readonly delivery: Delivery;
  readonly replies: Replies;
  readonly requirements: Requirements;
  readonly anonymous: AnonymousListeners;
  readonly sockets: UnixSockets;
  readonly channels: Channels;
  readonly capture: CaptureMerge;

  constructor(
    private readonly options: BrokerOptions,
    onHelperMessage: (proc: Proc, raw: unknown) => void,
  ) {
    const { world, clock, spawner } = options;
    this.world = world;
    this.clock = clock;
    this.spawner = spawner;
    this.quota = {
      ...DEFAULT_QUOTA,
      ...world.quota,
      ...options.quota,
      ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
    };
    this.maxMessageBytes = this.quota.maxMessageBytes;
    this.capturePayloads = options.capturePayloads ?? true;
    this.overrides = new DisabledOverrides(world.state?.disabled);
    this.lifecycle = new Lifecycle({
      clock,
      openRequests: (proc) =>
        this.replies.openRequests(proc) + this.waiting.countFor(proc) + this.capture.openRequests(proc),
      peers: (proc) => [...proc.connections.values()].filter((c) => c.side === 'peer' && c.live),
      terminationImminent: (peer, cause) => this.connections.terminationImminent(peer, cause),
      end: (proc, cause, signal) => this.jobs.end(proc, cause, signal),
    });
    this.keepAlive = new KeepAlive({
      clock,
      launchdLog: (text) => this.log.launchd(text),
      respawn: (job) => this.jobs.respawn(job),
      standing: (job) => standingHolds(job, this.jobs.facts),
    });
    this.jobs = new Jobs(this, onHelperMessage);
    this.connections = new ConnectionStates(this);
    this.lookup = new Lookup(this);
    this.delivery = new Delivery(this);
    this.replies = new Replies(this);
    this.requirements = new Requirements(this);
    this.anonymous = new AnonymousListeners(this);
    this.sockets = new UnixSockets(this);
    this.channels = new Channels(this);
    this.capture = new CaptureMerge(this);
  }

  /** The broker's own events: what capture holds from before them goes out first (main/broker/core/capture.ts). */
  emit(input: EventInput): void {
    const event =
      input.t === undefined && this.senderTime !== undefined ? { ...input, t: this.senderTime } : input;
    this.capture.drainUntil(event.t ?? this.clock.now());
    this.emitNow(event);
  }

  /** Into the stream as it is, in the order called. */
  emitNow(event: EventInput): void {
    this.options.emit(event);
    for (const observer of this.observers) observer(event);
  }

  /** What a helper is told when it starts: its job, and how its messages travel. */
  initMessage(job: JobSpec, domain: string): HelperInit {
    return {
      t: 'init',
      label: job.label,
      domain,
      machServices: job.machServices.map((s) => s.name),
      behaviours: job.behaviours,
      channels: this.spawner.createChannel !== undefined,
      payloads: this.capturePayloads,
      counts: this.captureCountsOnly,
      maxMessageBytes: this.maxMessageBytes,
      // Batches must stay inside the broker's own budget for this helper, with room for its other messages.
      captureBudget: {
        recordsPerSecond: this.quota.captureRecordsPerSecond,
        bytesPerSecond: this.quota.bytesPerSecond * 0.75,
      },
    };
  }

  /** Messages to a process that has exited go nowhere (and a channel end sent with one is closed by the host). */
  sendTo(proc: Proc, message: BrokerToHelper, end?: ChannelEnd): void {
    if (proc.state === 'exited') {
      if (end) proc.handle.send(message, end);
      return;
    }
    proc.handle.send(message, end);
  }

  domainOf(job: JobSpec, owner?: Proc): string {
    switch (job.domainKind) {
      case 'system':
        return 'system';
      case 'gui':
        return `gui/${this.world.uid}`;
      case 'user':
        return `user/${this.world.uid}`;
      case 'pid':
        return `pid/${owner?.pid ?? 0}`;
    }
  }

  instanceKey(job: JobSpec, owner?: Proc): string {
    return job.domainKind === 'pid' ? `${job.label}@${owner?.pid ?? 0}` : job.label;
  }

  /** The process that runs a name's job now, if any. */
  instanceFor(service: ServiceEntry): Proc | undefined {
    const proc = this.instances.get(this.instanceKey(service.job, this.ownerOf(service)));
    // Two jobs may share a label (XPC-MODEL §4.6); an instance serves only its own job's names.
    return proc?.job === service.job ? proc : undefined;
  }

  /** For a bundled XPC service's name: the app process whose pid domain holds it. */
  ownerOf(service: ServiceEntry): Proc | undefined {
    return service.ownerPid === undefined ? undefined : this.findProc(service.ownerPid);
  }

  findProc(pid: number): Proc | undefined {
    return [...this.procs].find((p) => p.pid === pid);
  }
}
