import { runBehaviours } from './behaviours';
import {
  FRAME_OVERHEAD_BYTES,
  type MessagePortLike,
  PortChannel,
  SocketChannel,
  type StreamLike,
} from './channel';
import { HelperSdk, type HelperTransport } from './sdk';

/**
 * The program every helper process runs. Under Electron's utilityProcess the
 * broker is reached through process.parentPort; under child_process.fork
 * through process.send.
 */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown; ports?: MessagePortLike[] }) => void): void;
}

function transport(): HelperTransport {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (handler) =>
        parentPort.on('message', (e) => {
          const port = e.ports?.[0];
          handler(e.data, port ? new PortChannel(port) : undefined);
        }),
    };
  }
  if (!process.send) {
    process.stderr.write(
      'xpc-lab helper: started without a broker (no IPC channel); launchd would refuse its check-in.\n',
    );
    process.exit(78);
  }
  return {
    send: (m) => process.send?.(m),
    onMessage: (handler) =>
      process.on('message', (message, handle) => {
        const socket = handle as StreamLike | undefined;
        handler(
          message,
          socket && typeof socket.write === 'function'
            ? new SocketChannel(socket, () => sdk.maxMessageBytes + FRAME_OVERHEAD_BYTES)
            : undefined,
        );
      }),
  };
}

const sdk = new HelperSdk(transport());
sdk.onInit((init) => runBehaviours(sdk, init, (code) => process.exit(code)));
// The broker going away ends the helper, as launchd's death would.
process.on('disconnect', () => process.exit(0));
