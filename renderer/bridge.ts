import {
  BRIDGE_GLOBAL,
  type Bridge,
  type Command,
  type CommandResult,
  type EventBatch,
  MAX_CLIENT_FRAME,
  type ServerFrame,
  unwrapReply,
} from '../preload/contract';

declare global {
  interface Window {
    [BRIDGE_GLOBAL]?: Bridge;
  }
}

/** The console's only way to main: the preload's bridge under Electron, a WebSocket in a browser. */
export function chooseBridge(): Bridge {
  return window[BRIDGE_GLOBAL] ?? new WebSocketBridge(socketUrl());
}

function socketUrl(): string {
  const token = new URLSearchParams(location.search).get('token');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

type Waiter = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class WebSocketBridge implements Bridge {
  private readonly ws: WebSocket;
  private readonly open: Promise<void>;
  private readonly waiting = new Map<number, Waiter>();
  private readonly listeners = new Set<(batch: EventBatch) => void>();
  private readonly closeListeners = new Set<() => void>();
  private nextId = 1;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.open = new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener(
        'error',
        () => reject(new Error('cannot reach the XPC Lab host (is `xpc-lab serve` still running?)')),
        { once: true },
      );
    });
    this.ws.addEventListener('message', (e) => this.receive(e.data as string));
    this.ws.addEventListener('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('the connection to the XPC Lab host closed'));
      this.waiting.clear();
      for (const l of this.closeListeners) l();
    });
  }

  private receive(data: string): void {
    const frame = JSON.parse(data) as ServerFrame;
    if (frame.type === 'batch') {
      for (const l of this.listeners) l(frame.batch);
      return;
    }
    const waiter = this.waiting.get(frame.id);
    if (!waiter) return;
    this.waiting.delete(frame.id);
    try {
      waiter.resolve(unwrapReply(frame.reply));
    } catch (error) {
      waiter.reject(error as Error);
    }
  }

  async invoke<C extends Command>(command: C): Promise<CommandResult<C>> {
    await this.open;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const frame = JSON.stringify({ id, command });
      // Counted in UTF-16 units, at most the bytes it will take; a frame over the limit would end the socket.
      if (frame.length * 3 > MAX_CLIENT_FRAME && new TextEncoder().encode(frame).length > MAX_CLIENT_FRAME) {
        reject(
          new Error(
            `this ${command.type} command is over the ${MAX_CLIENT_FRAME / 1024 / 1024} MiB a console may send the host`,
          ),
        );
        return;
      }
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(frame);
    });
  }

  onBatch(listener: (batch: EventBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The host went away (stopped, or the machine slept): the console says so instead of freezing silently. */
  onClose(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  get closed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED;
  }
}
