export type { HelperInit } from './protocol';
export {
  HelperConnection,
  HelperListener,
  HelperSdk,
  type HelperTransport,
  type IncomingMessage,
  XpcConnectionError,
} from './sdk';
