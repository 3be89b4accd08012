import type {
  CommandResult,
  EventBatch,
  HelloResult,
  Progress,
  Reply,
  SourceCommand,
} from '../../preload/contract';
import { isHostCommand, parseCommand } from '../../preload/contract';
import type { Clock } from '../broker/spawner';
import { Batcher, EventHub } from './event-hub';

export interface RecordingInfo {
  path: string;
  error?: string;
}

/**
 * What a console talks to: one event stream and the commands of the contract.
 * A live Session and a replayed trace are both sources; the hosts serve either.
 */
export abstract class ConsoleSource {
  readonly hub: EventHub;
  recording: RecordingInfo | null = null;
  /** Set while a trace file loads or helpers start; sent with every batch. */
  progress: Progress | undefined;
  private readonly clients = new Set<{ batcher: Batcher; unsubscribe: () => void; tell: () => void }>();

  constructor(clock: Clock, windowSize?: number) {
    this.hub = new EventHub(clock, windowSize);
  }

  /** Attaches a console: it receives batches from now on. Returns the detach function. */
  attach(send: (batch: EventBatch) => void): () => void {
    const batcher = new Batcher((events) =>
      send({
        events,
        dropped: this.hub.window.dropped + batcher.dropped,
        ...this.progressField(),
      }),
    );
    const unsubscribe = this.hub.subscribe((e) => batcher.push(e));
    const tell = () =>
      send({ events: [], dropped: this.hub.window.dropped + batcher.dropped, ...this.progressField() });
    const client = { batcher, unsubscribe, tell };
    this.clients.add(client);
    return () => {
      unsubscribe();
      batcher.dispose();
      this.clients.delete(client);
    };
  }

  /** Sets what the header shows as under way and tells every console now, whether or not events follow. */
  setProgress(progress: Progress | undefined): void {
    this.progress = progress;
    for (const client of this.clients) client.tell();
  }

  private progressField(): { progress?: Progress } {
    return this.progress ? { progress: this.progress } : {};
  }

  /** Every command from any console or CLI goes through here, validated first. */
  async handle(raw: unknown): Promise<Reply> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const { command } = parsed;
    if (isHostCommand(command))
      return { ok: false, error: `${command.type} is answered by the host, not by the session it shows` };
    try {
      return { ok: true, value: await this.run(command) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  protected abstract run(command: SourceCommand): CommandResult | Promise<CommandResult>;

  protected hello(base: Pick<HelloResult, 'host' | 'mode' | 'world' | 'capturePayloads'>): HelloResult {
    return {
      ...base,
      recording: this.recording,
      snapshot: structuredClone(this.hub.model.state),
      recent: this.hub.window.toArray().slice(-5000),
      dropped: this.hub.window.dropped,
      ...this.progressField(),
    };
  }

  dispose(): void {
    for (const client of [...this.clients]) {
      client.unsubscribe();
      client.batcher.dispose();
    }
    this.clients.clear();
  }
}
