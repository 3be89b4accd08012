import type { CommandResult, CommandResults, SourceCommand } from '../../preload/contract';
import { systemClock } from '../broker/spawner';
import { type CheckpointOptions, Checkpoints } from '../trace/checkpoints';
import { streamTrace } from '../trace/reader';
import type { TraceEvent, TraceHeader } from '../trace/schema';
import { Timeline } from '../trace/timeline';
import { ConsoleSource } from './source';

export interface ReplayOrigin {
  name: string;
  path: string;
  host: 'electron' | 'headless';
  /** A trace can be re-read from a byte offset when a scrub needs events the window dropped; a log cannot. */
  kind: 'trace' | 'log';
  /** For a log read as it is written: where from ("standard input", or the file followed). */
  live?: string;
}

/** Small reads for a scrub: it usually needs only the events up to the next checkpoint. */
const RESCAN_CHUNK_BYTES = 64 * 1024;

export interface ReplayOptions {
  /** Events the hub keeps in memory; older ones are re-read from the file when a scrub needs them. */
  windowSize?: number;
  checkpoints?: CheckpointOptions;
}

/**
 * A recorded trace or an imported log, shown in the same views as a live
 * session. Events keep their recorded sequence numbers and times; actions that
 * need running helpers are refused with a plain reason.
 *
 * While the events stream in it keeps checkpoints of the model and a timeline
 * summary, so the console can ask for the world as it stood at any instant
 * (`modelAt`) and draw where things happened (`timeline`).
 */
export class ReplaySession extends ConsoleSource {
  header: TraceHeader | null = null;
  private readonly checkpoints: Checkpoints;
  private readonly timeline = new Timeline();

  constructor(
    private readonly origin: ReplayOrigin,
    options: ReplayOptions = {},
  ) {
    super(systemClock, options.windowSize ?? 200_000);
    this.checkpoints = new Checkpoints(options.checkpoints);
  }

  /** `resumeAt`: for a trace file, where a re-read can start and still find this event (streamTrace says). */
  add(event: TraceEvent, resumeAt?: number): void {
    this.hub.replay(event);
    const { window } = this.hub;
    this.checkpoints.observe(event, this.hub.model, {
      offset: resumeAt,
      position: window.dropped + window.size - 1,
    });
    this.timeline.add(event, this.hub.model.state);
  }

  /** Problems found while loading (a bad line, a newer schema) become diagnostics the console shows. */
  /** `t`: the time of the line the problem is about, so the note sits among the recording's events, not at the time it was read. */
  problem(line: number, message: string, t?: number): void {
    this.hub.emit({
      kind: 'diagnostic',
      severity: 'warning',
      file: this.origin.path,
      key: line > 0 ? `line ${line}` : 'the whole log',
      message,
      ...(t === undefined ? {} : { t }),
    });
  }

  /** The trace's extent and where things happened, for the console's time scrubber. */
  timelineSummary(): CommandResults['timeline'] {
    const p = this.progress;
    return { ...this.timeline.summary(), loading: p !== undefined && p.done < p.total };
  }

  /**
   * The world as it stood at time t: every event up to the first one later than
   * t applied, from the nearest checkpoint on. The events after a checkpoint
   * come from the hub's window while it still holds them, or else are re-read
   * from the trace file at the offset the checkpoint remembers.
   */
  async modelAt(t: number): Promise<CommandResults['modelAt']> {
    const cp = this.checkpoints.before(t);
    const model = Checkpoints.restore(cp);
    let seq = cp.seq;
    let reached = cp.t;
    const step = (event: TraceEvent): boolean => {
      // Diagnostics change nothing in the model, and those written while loading carry the host's clock.
      if (event.kind === 'diagnostic') return true;
      if (event.t > t) return false;
      model.apply(event);
      seq = event.seq;
      reached = Math.max(reached, event.t);
      return true;
    };
    const done = () => ({
      t,
      seq,
      reached: Number.isFinite(reached) ? reached : null,
      snapshot: model.state,
    });
    if (cp.next === undefined) return done();
    const { window } = this.hub;
    const first = cp.next.position - window.dropped;
    if (first >= 0) {
      for (let i = first; i < window.size; i++) if (!step(window.at(i)!)) break;
      return done();
    }
    if (cp.offset === undefined || this.origin.kind !== 'trace')
      throw new Error(
        'the events before this instant are no longer in memory, and this source cannot be re-read from disk',
      );
    await this.replayFromFile(cp.offset, cp.seq === -1 ? undefined : cp.seq, cp.next.seq, step);
    return done();
  }

  /** Re-reads the events after a checkpoint: skips to the checkpoint's own event, then checks the next is the one seen at load. */
  private async replayFromFile(
    offset: number,
    after: number | undefined,
    next: number,
    step: (event: TraceEvent) => boolean,
  ): Promise<void> {
    const phase = {
      now: after === undefined ? 'checking' : ('seeking' as 'seeking' | 'checking' | 'applying'),
    };
    let mismatch = false;
    // Reading stops at the first event past the instant: a scrub reads no more of the file than it needs.
    const stop = new AbortController();
    const visit = (event: TraceEvent): boolean => {
      if (phase.now === 'seeking') {
        if (event.seq === after) phase.now = 'checking';
        return true;
      }
      if (phase.now === 'checking') {
        if (event.seq !== next) {
          mismatch = true;
          return false;
        }
        phase.now = 'applying';
      }
      return step(event);
    };
    try {
      await streamTrace(
        this.origin.path,
        (event) => {
          if (!stop.signal.aborted && !visit(event)) stop.abort();
        },
        { start: offset, signal: stop.signal, chunkBytes: RESCAN_CHUNK_BYTES },
      );
    } catch (err) {
      if (!stop.signal.aborted) throw err;
    }
    if (mismatch || phase.now !== 'applying')
      throw new Error(
        `${this.origin.path} no longer holds the events this console loaded (was it changed since?); reopen it to scrub`,
      );
  }

  protected run(command: SourceCommand): CommandResult | Promise<CommandResult> {
    switch (command.type) {
      case 'hello':
        return this.hello({
          host: this.origin.host,
          mode: 'trace',
          world: {
            name: this.origin.name,
            root: this.origin.path,
            ...(this.origin.live === undefined ? {} : { live: this.origin.live }),
          },
          capturePayloads: true,
        });
      case 'timeline':
        return this.timelineSummary();
      case 'modelAt':
        return this.modelAt(command.t);
      default:
        throw new Error(
          `${command.type} needs a live session: this console shows the recorded trace ${this.origin.path}`,
        );
    }
  }
}
