import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelEnd, ChannelPair } from '../../broker/spawner';
import { encodeFrame } from '../../helper/channel';
import type { ChannelFrame } from '../../helper/protocol';

const TOKEN_BYTES = 16;

type SocketEnd = ChannelEnd & { socket: Socket };

function end(socket: Socket): SocketEnd {
  return { channelEnd: true, socket };
}

/** The socket behind a channel end this host made. */
export function socketOf(channelEnd: ChannelEnd): Socket | undefined {
  return (channelEnd as Partial<SocketEnd>).socket;
}

/**
 * Connected socket pairs for direct channels between child_process helpers. A listener on a Unix socket in a
 * private folder (mode 0700) accepts one connection per pair; the connecting side names its pair with a random
 * token, so pairs made at once never cross. Both ends are then passed to the helpers with `child.send`.
 */
export class SocketPairs {
  private server: Server | undefined;
  private listening: Promise<string> | undefined;
  private dir: string | undefined;
  private readonly waiting = new Map<string, (socket: Socket | undefined) => void>();

  async create(): Promise<ChannelPair> {
    const path = await this.listen();
    const token = randomBytes(TOKEN_BYTES).toString('hex');
    const accepted = new Promise<Socket | undefined>((resolve) => this.waiting.set(token, resolve));
    // Paused from the start: what is written into `a` must stay in the kernel for the helper that will hold `b`.
    const b = connect(path);
    b.pause();
    await new Promise<void>((resolve, reject) => {
      b.once('connect', resolve);
      b.once('error', reject);
    });
    b.write(Buffer.from(token, 'hex'));
    const a = await accepted;
    if (!a) {
      b.destroy();
      throw new Error('the channel listener closed before the pair was made');
    }
    return {
      a: end(a),
      b: end(b),
      inject: (frames: ChannelFrame[]) =>
        new Promise<void>((resolve) => {
          if (frames.length === 0) return resolve();
          a.write(Buffer.concat(frames.map(encodeFrame)), () => resolve());
        }),
      close: () => {
        a.destroy();
        b.destroy();
      },
    };
  }

  dispose(): void {
    this.server?.close();
    this.server = undefined;
    this.listening = undefined;
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private listen(): Promise<string> {
    if (this.listening) return this.listening;
    this.dir = mkdtempSync(join(tmpdir(), 'xpc-lab-ch-'));
    const path = join(this.dir, 'pairs.sock');
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    server.unref();
    this.listening = new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve(path));
    });
    return this.listening;
  }

  /** Reads exactly the token, leaving anything after it unread for the helper that will hold the socket. */
  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    const onReadable = () => {
      const token = socket.read(TOKEN_BYTES) as Buffer | null;
      if (!token) return;
      socket.off('readable', onReadable);
      socket.pause();
      const resolve = this.waiting.get(token.toString('hex'));
      this.waiting.delete(token.toString('hex'));
      if (resolve) resolve(socket);
      else socket.destroy();
    };
    socket.on('readable', onReadable);
  }
}
