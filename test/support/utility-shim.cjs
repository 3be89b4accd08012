'use strict';
// Preloaded (`node --require`) into a helper started by the fake utilityProcess
// (test/support/fake-utility.ts): gives the process what Electron gives a utility process.
// - process.parentPort: postMessage(message) to the parent, and 'message' events { data, ports }
//   where ports holds the MessagePortMain-like ends the parent transferred with the message;
// - no process.send: a utility process has no Node IPC channel of its own.
// The parent's messages arrive over Node IPC as { data } envelopes, a transferred port's socket
// as the message's handle.

const { EventEmitter } = require('node:events');
const { FakeMessagePort } = require('./utility-port.cjs');

if (typeof process.send === 'function') {
  const send = process.send.bind(process);

  class ParentPort extends EventEmitter {
    /** @param {unknown} message */
    postMessage(message) {
      send(message);
    }
  }

  const parentPort = new ParentPort();
  // As Electron's parentPort: messages queue until a 'message' listener is added, and again while there is none.
  /** @type {{ data: unknown; ports: unknown[] }[]} */
  const queued = [];
  let started = false;
  const drain = () => {
    while (started && queued.length > 0) parentPort.emit('message', queued.shift());
  };
  parentPort.on('newListener', (name) => {
    if (name !== 'message' || started) return;
    started = true;
    setImmediate(drain);
  });
  parentPort.on('removeListener', (name) => {
    if (name === 'message' && parentPort.listenerCount('message') === 0) started = false;
  });
  process.on('message', (envelope, handle) => {
    const ports = handle ? [FakeMessagePort.over(handle)] : [];
    queued.push({ data: envelope?.data, ports });
    drain();
  });
  Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false });
  process.send = undefined;
}
