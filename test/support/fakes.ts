import type {
  Clock,
  HelperProcess,
  ProcessExit,
  SpawnCallbacks,
  Spawner,
  SpawnRequest,
  TimerHandle,
} from '../../main/broker/spawner';
import type { BrokerToHelper, HelperToBroker } from '../../main/helper/protocol';
import type { EventInput } from '../../main/trace/schema';
import type { Behaviour, JobSpec, World } from '../../main/world/model';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.time + ms, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => (timer.live = false) };
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      next.live = false;
      next.fn();
    }
    this.time = until;
  }
}

/** A helper process the test plays: it records what the broker sent and speaks for the helper. */
export class FakeProcess implements HelperProcess {
  readonly inbox: BrokerToHelper[] = [];
  killedWith: string[] = [];
  alive = true;

  constructor(
    readonly request: SpawnRequest,
    private readonly callbacks: SpawnCallbacks,
    public pid: number | undefined,
  ) {}

  send(message: BrokerToHelper): void {
    if (this.alive) this.inbox.push(message);
  }

  kill(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    this.killedWith.push(signal);
    return true;
  }

  /** The helper says something to the broker. */
  say(message: HelperToBroker | Record<string, unknown>): void {
    this.callbacks.onMessage(message);
  }

  exit(exit: ProcessExit): void {
    this.alive = false;
    this.callbacks.onExit(exit);
  }

  of<T extends BrokerToHelper['t']>(t: T): Extract<BrokerToHelper, { t: T }>[] {
    return this.inbox.filter((m): m is Extract<BrokerToHelper, { t: T }> => m.t === t);
  }
}

export class FakeSpawner implements Spawner {
  readonly spawned: FakeProcess[] = [];
  private nextPid = 1000;

  spawn(request: SpawnRequest, callbacks: SpawnCallbacks): HelperProcess {
    const proc = new FakeProcess(request, callbacks, this.nextPid++);
    this.spawned.push(proc);
    return proc;
  }

  /** The newest running process of a job. */
  running(label: string): FakeProcess {
    const proc = [...this.spawned].reverse().find((p) => p.request.label === label && p.alive);
    if (!proc)
      throw new Error(
        `no running process for ${label}; spawned: ${this.spawned.map((p) => p.request.label).join(', ')}`,
      );
    return proc;
  }

  count(label: string): number {
    return this.spawned.filter((p) => p.request.label === label).length;
  }
}

/** Collects what the broker emits, with the helpers a test needs to read it. */
export class Recorder {
  readonly events: EventInput[] = [];
  emit = (e: EventInput): void => {
    this.events.push(e);
  };

  of<K extends EventInput['kind']>(kind: K): Extract<EventInput, { kind: K }>[] {
    return this.events.filter((e): e is Extract<EventInput, { kind: K }> => e.kind === kind);
  }

  logs(): string[] {
    return this.of('log').map((e) => e.text);
  }

  states(conn: string): string[] {
    return this.of('connection.state')
      .filter((e) => e.conn === conn)
      .map((e) => e.to);
  }
}

export function job(label: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    label,
    type: 'LaunchDaemon',
    domainKind: 'system',
    program: `/usr/libexec/${label}`,
    path: `Library/LaunchDaemons/${label}.plist`,
    machServices: [{ name: label, hideUntilCheckIn: false, origin: 'MachServices' }],
    runAtLoad: false,
    keepAlive: { always: false },
    throttleIntervalS: 10,
    exitTimeOutS: 20,
    signing: { anchor: 'developer-id', notarized: false, teamId: 'ABCDE12345' },
    entitlements: {},
    sandbox: { enabled: false, machLookup: [], machRegister: [], appGroups: [] },
    behaviours: [],
    ...overrides,
  };
}

export function app(label: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return job(label, {
    type: 'App',
    domainKind: 'gui',
    machServices: [],
    program: `/Applications/${label}.app/Contents/MacOS/${label}`,
    ...overrides,
  });
}

export function world(jobs: JobSpec[], uid = 501): World {
  return { name: 'test', root: '/tmp/test-world', uid, jobs };
}

export const reply = (body: Record<string, unknown> = {}): Behaviour => ({
  kind: 'reply',
  delayMs: 0,
  ...(Object.keys(body).length ? { body: body as never } : {}),
});
