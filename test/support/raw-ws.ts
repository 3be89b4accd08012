import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A WebSocket spoken byte by byte, so a test can send frames no client library would. */
export interface RawSocket {
  socket: Socket;
  /** Everything received after the handshake. */
  received(): Buffer;
  /** Resolves when the server closes the TCP connection. */
  closed: Promise<void>;
  send(frame: Buffer): void;
}

export async function rawWebSocket(port: number, path: string): Promise<RawSocket> {
  const socket = connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (upgraded) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      upgraded = true;
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(head.split('\r\n')[0]));
    });
    socket.once('close', () => reject(new Error('closed before the handshake')));
  });
  return { socket, received: () => buffer, closed, send: (frame) => socket.write(frame) };
}

/** One frame: FIN set unless told, masked unless told, with the given opcode, RSV bits and payload. */
export function frame(
  payload: Buffer,
  opts: { opcode?: number; masked?: boolean; rsv?: number; fin?: boolean; declaredLength?: number } = {},
): Buffer {
  const { opcode = 1, masked = true, rsv = 0, fin = true } = opts;
  const length = opts.declaredLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...b);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/** The close code in the first close frame the server sent, if any. */
export function closeCodeOf(received: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= received.length) {
    const opcode = (received[at] as number) & 0x0f;
    let length = (received[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = received.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(received.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 8) return length >= 2 ? received.readUInt16BE(start) : undefined;
    at = start + length;
  }
  return undefined;
}
