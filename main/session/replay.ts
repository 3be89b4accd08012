import type { Command, CommandResult } from '../../preload/contract';
import { systemClock } from '../broker/spawner';
import type { TraceEvent, TraceHeader } from '../trace/schema';
import { ConsoleSource } from './source';

export interface ReplayOrigin {
  name: string;
  path: string;
  host: 'electron' | 'headless';
}

/**
 * A recorded trace or an imported log, shown in the same views as a live
 * session. Events keep their recorded sequence numbers and times; actions that
 * need running helpers are refused with a plain reason.
 */
export class ReplaySession extends ConsoleSource {
  header: TraceHeader | null = null;

  constructor(
    private readonly origin: ReplayOrigin,
    windowSize = 200_000,
  ) {
    super(systemClock, windowSize);
  }

  add(event: TraceEvent): void {
    this.hub.replay(event);
  }

  /** Problems found while loading (a bad line, a newer schema) become diagnostics the console shows. */
  problem(line: number, message: string): void {
    this.hub.emit({
      kind: 'diagnostic',
      severity: 'warning',
      file: this.origin.path,
      key: `line ${line}`,
      message,
    });
  }

  protected run(command: Command): CommandResult {
    if (command.type === 'hello') {
      return this.hello({
        host: this.origin.host,
        mode: 'trace',
        world: { name: this.origin.name, root: this.origin.path },
        capturePayloads: true,
      });
    }
    throw new Error(
      `${command.type} needs a live session: this console shows the recorded trace ${this.origin.path}`,
    );
  }
}
