import type { Connection } from './connection';

/** Names libxpc logs for anonymous listeners and their peers (XPC-MODEL §1.1, [C:EX-NC]). */
export const anonymous = {
  listener: (listenerPtr: string) => `com.apple.xpc.anonymous.${listenerPtr}`,
  peer: (listenerPtr: string, clientPid: number, peerPtr: string) =>
    `com.apple.xpc.anonymous.${listenerPtr}.peer[${clientPid}].${peerPtr}`,
};

/**
 * Anonymous listeners by endpoint. An endpoint is inert: it names a listener
 * and becomes a connection only through xpc_connection_create_from_endpoint.
 * [I] XPC Lab's endpoint value is the listener's pointer.
 */
export class Endpoints {
  private readonly listeners = new Map<string, Connection>();

  add(listener: Connection): string {
    this.listeners.set(listener.ptr, listener);
    return listener.ptr;
  }

  /** The listener an endpoint names, while it lives. */
  resolve(endpoint: string): Connection | undefined {
    const listener = this.listeners.get(endpoint);
    if (listener && !listener.live) this.listeners.delete(endpoint);
    return listener?.live ? listener : undefined;
  }
}
