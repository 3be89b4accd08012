import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelEnd, ChannelPair } from '../../broker/spawner';
import { encodeFrame } from '../../helper/channel';
import type { ChannelFrame } from '../../helper/protocol';

type SocketEnd = ChannelEnd & { socket: Socket };

const MAX_MAKING = 64;

function end(socket: Socket): SocketEnd {
  return { channelEnd: true, socket };
}

/** The socket behind a channel end this host made. */
export function socketOf(channelEnd: ChannelEnd): Socket | undefined {
  return (channelEnd as Partial<SocketEnd>).socket;
}

/**
 * Connected socket pairs for direct channels between child_process helpers. Each pair comes from a listener of
 * its own on a Unix socket in a private folder (mode 0700), which accepts exactly one connection and closes.
 * Neither end ever reads in this process: the accepted end is paused on connect and the connecting end is paused
 * before it connects, so what one helper writes waits in the kernel until the other helper holds its end.
 */
export class SocketPairs {
  private dir: string | undefined;
  private serial = 0;
  private disposed = false;
  /** Pairs being made at once: each holds a listener and two sockets here until its ends are handed over. */
  private making = 0;
  private readonly queued: (() => void)[] = [];

  /** Makes a pair, at most MAX_MAKING at a time, so a burst of connections cannot use up this process's files. */
  async create(): Promise<ChannelPair> {
    if (this.disposed) throw new Error('the host is shutting down: no new channels');
    if (this.making >= MAX_MAKING) await new Promise<void>((resolve) => this.queued.push(resolve));
    this.making++;
    try {
      return await this.make();
    } finally {
      this.making--;
      this.queued.shift()?.();
    }
  }

  private async make(): Promise<ChannelPair> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'xpc-lab-ch-'));
    const path = join(this.dir, `${++this.serial}.sock`);
    const server = createServer({ pauseOnConnect: true });
    const accepted = new Promise<Socket>((resolve, reject) => {
      server.once('connection', resolve);
      server.once('error', reject);
    });
    // A listener that fails rejects both waits; the one not reached must not go unhandled.
    accepted.catch(() => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    const b = connect(path);
    b.pause();
    try {
      const [a] = await Promise.all([
        accepted,
        new Promise<void>((resolve, reject) => {
          b.once('connect', resolve);
          b.once('error', reject);
        }),
      ]);
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
    } finally {
      server.close();
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
