import { type ChannelFrame, ChannelFrameSchema } from './protocol';

/**
 * One end of the direct channel between two helpers, the Mach port of XPC Lab:
 * after the broker has brokered a connection, messages, replies and barriers go
 * from one helper to the other on it, and each side learns of the other's death
 * by its closing (docs/design.md, Performance shape).
 */
export interface PeerChannel {
  send(frame: ChannelFrame): void;
  onFrame(handler: (frame: ChannelFrame) => void): void;
  /** Called once, when the other end closes or its process dies; `problem` when a frame broke the rules. */
  onClose(handler: (problem?: string) => void): void;
  close(): void;
}

/** The part of a connected stream socket a channel uses (a net.Socket handed to a child_process helper). */
export interface StreamLike {
  write(data: Uint8Array): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error' | 'close', listener: () => void): unknown;
  destroy(): unknown;
  setNoDelay?(noDelay: boolean): unknown;
  resume?(): unknown;
}

/** What a frame adds to the message body it carries, at most: its envelope and the body's key. */
export const FRAME_OVERHEAD_BYTES = 4096;
/** Frames larger than this close the channel before they are parsed, unless the world allows larger messages. */
export const MAX_FRAME_BYTES = 1024 * 1024 + FRAME_OVERHEAD_BYTES;

const HEADER = 4;

/** Length-prefixed JSON frames: a 4-byte big-endian length, then the frame's UTF-8 JSON. */
export function encodeFrame(frame: ChannelFrame): Buffer {
  const json = Buffer.from(JSON.stringify(frame), 'utf8');
  const out = Buffer.allocUnsafe(HEADER + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, HEADER);
  return out;
}

/**
 * Splits a byte stream into frames. The length is checked before a byte of the
 * frame is kept, so an oversized frame costs nothing but the channel.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** `maxFrameBytes` is read at each frame: a helper learns the broker's message limit only with its init. */
  constructor(private readonly maxFrameBytes: number | (() => number) = MAX_FRAME_BYTES) {}

  /** Returns the frames completed by `chunk`, or a problem that ends the channel. */
  push(chunk: Buffer): { frames: unknown[]; problem?: string } {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: unknown[] = [];
    let data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    if (!data) return { frames };
    let offset = 0;
    while (data.length - offset >= HEADER) {
      const length = data.readUInt32BE(offset);
      const limit = typeof this.maxFrameBytes === 'function' ? this.maxFrameBytes() : this.maxFrameBytes;
      if (length > limit) {
        return { frames, problem: `a frame of ${length} bytes exceeds the ${limit}-byte limit` };
      }
      if (data.length - offset - HEADER < length) break;
      const text = data.toString('utf8', offset + HEADER, offset + HEADER + length);
      offset += HEADER + length;
      try {
        frames.push(JSON.parse(text));
      } catch {
        return { frames, problem: 'a frame is not JSON' };
      }
    }
    data = data.subarray(offset);
    this.chunks = data.length > 0 ? [data] : [];
    this.buffered = data.length;
    return { frames };
  }
}

function validated(raw: unknown): { frame?: ChannelFrame; problem?: string } {
  const parsed = ChannelFrameSchema.safeParse(raw);
  return parsed.success
    ? { frame: parsed.data }
    : { problem: parsed.error.issues[0]?.message ?? 'invalid frame' };
}

/** A channel over a connected stream socket, the end a child_process helper is handed. */
export class SocketChannel implements PeerChannel {
  private readonly reader: FrameReader;
  private frameHandler: (frame: ChannelFrame) => void = () => {};
  private closeHandler: (problem?: string) => void = () => {};
  private closed = false;
  private problem: string | undefined;

  constructor(
    private readonly socket: StreamLike,
    maxFrameBytes: number | (() => number) = MAX_FRAME_BYTES,
  ) {
    this.reader = new FrameReader(maxFrameBytes);
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.end());
    socket.on('close', () => this.end());
    // An end the host made is handed over paused; its holder reads it from here on.
    socket.resume?.();
  }

  send(frame: ChannelFrame): void {
    if (!this.closed) this.socket.write(encodeFrame(frame));
  }

  onFrame(handler: (frame: ChannelFrame) => void): void {
    this.frameHandler = handler;
  }

  onClose(handler: (problem?: string) => void): void {
    this.closeHandler = handler;
  }

  close(): void {
    this.socket.destroy();
    this.end();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    const { frames, problem } = this.reader.push(chunk);
    for (const raw of frames) {
      const { frame, problem: bad } = validated(raw);
      if (!frame) return this.fail(bad ?? 'invalid frame');
      this.frameHandler(frame);
      if (this.closed) return;
    }
    if (problem) this.fail(problem);
  }

  private fail(problem: string): void {
    this.problem = problem;
    this.socket.destroy();
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeHandler(this.problem);
  }
}

/** What a utility process receives for a transferred MessagePortMain. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** A channel over a MessagePortMain, the end a utility-process helper is handed (Electron host). */
export class PortChannel implements PeerChannel {
  private frameHandler: (frame: ChannelFrame) => void = () => {};
  private closeHandler: (problem?: string) => void = () => {};
  private closed = false;

  constructor(private readonly port: MessagePortLike) {
    port.on('message', (e) => {
      if (this.closed) return;
      const { frame, problem } = validated(e.data);
      if (frame) this.frameHandler(frame);
      else this.end(problem);
    });
    port.on('close', () => this.end());
    port.start();
  }

  send(frame: ChannelFrame): void {
    if (!this.closed) this.port.postMessage(frame);
  }

  onFrame(handler: (frame: ChannelFrame) => void): void {
    this.frameHandler = handler;
  }

  onClose(handler: (problem?: string) => void): void {
    this.closeHandler = handler;
  }

  close(): void {
    this.port.close();
    this.end();
  }

  private end(problem?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (problem) this.port.close();
    this.closeHandler(problem);
  }
}
