import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export declare class FakeMessagePort extends EventEmitter {
  static over(socket: Socket): FakeMessagePort;
  readonly neutered: boolean;
  readonly closed: boolean;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
  attach(socket: Socket): void;
  fail(): void;
  transfer(): Promise<Socket | undefined>;
  on(event: 'message', listener: (e: { data: unknown; ports: FakeMessagePort[] }) => void): this;
  on(event: 'close', listener: () => void): this;
}
