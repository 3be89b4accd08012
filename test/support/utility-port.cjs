'use strict';
// A stand-in for Electron's MessagePortMain, used on both sides of the fake utilityProcess
// (test/support/fake-utility.ts in the parent, test/support/utility-shim.cjs in the child).
//
// Each port is one end of a real connected stream socket. A message is structured-cloned at
// postMessage time, as Electron does, with v8.serialize (the algorithm behind structured clone),
// and travels as a 4-byte big-endian length followed by those bytes. Like MessagePortMain:
// - messages are queued, not lost, until start() is called;
// - 'message' listeners receive { data, ports: [] };
// - 'close' is emitted when the other end closes or its process dies, not for a local close();
// - once transferred (neutered) or closed, postMessage does nothing.
// A parent-side port may exist before its socket does: what is posted meanwhile is written, in
// order, as soon as the socket is attached, so messages posted before a transfer arrive after it.

const { EventEmitter } = require('node:events');
const v8 = require('node:v8');

const HEADER = 4;

/** @param {unknown} data */
function encode(data) {
  const body = v8.serialize(data);
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, HEADER);
  return out;
}

class FakeMessagePort extends EventEmitter {
  /** @type {import('node:net').Socket | undefined} */
  #socket;
  /** @type {Buffer[]} */
  #unsent = [];
  #inFlight = 0;
  /** @type {(() => void)[]} */
  #flushWaiters = [];
  /** @type {((socket: import('node:net').Socket | undefined) => void)[]} */
  #attachWaiters = [];
  #started = false;
  #reading = false;
  #closedLocally = false;
  #closeEmitted = false;
  #neutered = false;
  /** @type {Buffer} */
  #received = Buffer.alloc(0);
  #onClose = () => this.#remoteClosed();
  /** @param {Buffer} chunk */
  #onData = (chunk) => this.#receive(chunk);
  #onError = () => {};

  /** A port over a socket that already exists (the child's side of a transfer). */
  static over(socket) {
    const port = new FakeMessagePort();
    port.attach(socket);
    return port;
  }

  get neutered() {
    return this.#neutered;
  }

  get closed() {
    return this.#closedLocally;
  }

  /** @param {unknown} message */
  postMessage(message) {
    if (this.#neutered || this.#closedLocally) return;
    const frame = encode(message);
    if (this.#socket) this.#write(frame);
    else this.#unsent.push(frame);
  }

  start() {
    this.#started = true;
    this.#read();
  }

  close() {
    if (this.#closedLocally || this.#neutered) return;
    this.#closedLocally = true;
    this.#unsent = [];
    this.#socket?.destroy();
    this.#settleFlush();
  }

  /** Gives the port its socket; what was posted before is written first, in order. */
  attach(socket) {
    if (this.#socket) throw new Error('this port already has a socket');
    this.#socket = socket;
    socket.setNoDelay?.(true);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    if (this.#closedLocally) {
      socket.destroy();
    } else {
      for (const frame of this.#unsent.splice(0)) this.#write(frame);
      this.#read();
    }
    for (const resolve of this.#attachWaiters.splice(0)) resolve(socket);
  }

  /** The socket could not be made: the port behaves as one whose other end is gone. */
  fail() {
    this.#unsent = [];
    for (const resolve of this.#attachWaiters.splice(0)) resolve(undefined);
    this.#remoteClosed();
  }

  /**
   * Neuters the port for a transfer and resolves with its socket once everything posted on it has
   * been written to the kernel, so the receiving process reads those messages first. Resolves with
   * undefined when the port never got a socket.
   * @returns {Promise<import('node:net').Socket | undefined>}
   */
  async transfer() {
    if (this.#neutered) throw new Error('DataCloneError: a MessagePortMain can be transferred once');
    if (this.#closedLocally)
      throw new Error('DataCloneError: a closed MessagePortMain cannot be transferred');
    this.#neutered = true;
    const socket = this.#socket ?? (await new Promise((resolve) => this.#attachWaiters.push(resolve)));
    if (!socket) return undefined;
    await new Promise((resolve) => {
      if (this.#inFlight === 0) resolve(undefined);
      else this.#flushWaiters.push(() => resolve(undefined));
    });
    socket.off('close', this.#onClose);
    socket.off('data', this.#onData);
    socket.pause();
    return socket;
  }

  /** @param {Buffer} frame */
  #write(frame) {
    this.#inFlight++;
    this.#socket?.write(frame, () => {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#settleFlush();
    });
  }

  #settleFlush() {
    for (const resolve of this.#flushWaiters.splice(0)) resolve();
  }

  #read() {
    const socket = this.#socket;
    if (!socket || !this.#started || this.#reading || this.#neutered || this.#closedLocally) return;
    this.#reading = true;
    socket.on('data', this.#onData);
    socket.resume();
  }

  /** @param {Buffer} chunk */
  #receive(chunk) {
    let data = this.#received.length > 0 ? Buffer.concat([this.#received, chunk]) : chunk;
    while (data.length >= HEADER) {
      const length = data.readUInt32BE(0);
      if (data.length < HEADER + length) break;
      const message = v8.deserialize(data.subarray(HEADER, HEADER + length));
      data = data.subarray(HEADER + length);
      if (this.#closedLocally) return;
      this.emit('message', { data: message, ports: [] });
    }
    this.#received = Buffer.from(data);
  }

  #remoteClosed() {
    if (this.#closedLocally || this.#neutered || this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.emit('close');
  }
}

module.exports = { FakeMessagePort };
