import type { XpcDictionary } from '../trace/xpc-value';
import type { Behaviour } from '../world/model';
import type { HelperConnection, HelperInit, HelperSdk } from './index';

type Of<K extends Behaviour['kind']> = Extract<Behaviour, { kind: K }>;

/** Timers a behaviour starts; kept so the process can exit cleanly. */
const timers = new Set<ReturnType<typeof setInterval>>();

function every(ms: number, fn: () => void): void {
  timers.add(setInterval(fn, ms));
}

/** Fills `{{n}}` (a counter) and `{{now}}` in string values of a template. */
function fill(template: XpcDictionary, n: number): XpcDictionary {
  const out: XpcDictionary = {};
  for (const [key, value] of Object.entries(template)) {
    out[key] =
      typeof value === 'string'
        ? value.replaceAll('{{n}}', String(n)).replaceAll('{{now}}', new Date().toISOString())
        : value;
  }
  return out;
}

function reply(sdk: HelperSdk, init: HelperInit, b: Of<'reply'>, onMessage: () => void): void {
  for (const name of init.machServices) {
    sdk.listen(name).onPeer((peer) => {
      peer.onMessage(({ body, reply: respond }) => {
        onMessage();
        if (!respond) return;
        const answer = {
          ok: true,
          handledBy: init.label,
          ...(b.body ?? {}),
          echo: body.selector ?? body.type ?? '',
        } as XpcDictionary;
        if (b.delayMs > 0) setTimeout(() => respond(answer), b.delayMs);
        else respond(answer);
      });
    });
  }
}

/** Pushes `body` to every connected peer of every listener (pushed updates). */
function publish(sdk: HelperSdk, init: HelperInit, b: Of<'publish'>): void {
  const peers = new Set<HelperConnection>();
  for (const name of init.machServices) {
    sdk.listen(name).onPeer((peer) => {
      peers.add(peer);
      peer.onError(() => peers.delete(peer));
    });
  }
  let n = 0;
  every(b.intervalMs, () => {
    n++;
    for (const peer of peers) if (!peer.invalid) peer.send(fill(b.body, n));
  });
}

/** Periodic status requests with replies; reconnects after INVALID when asked to. */
function poll(sdk: HelperSdk, b: Of<'poll'>): void {
  let conn = sdk.connect(b.service, { privileged: b.privileged });
  let n = 0;
  const watch = (c: HelperConnection) =>
    c.onError((error) => {
      if (error.error !== 'XPC_ERROR_CONNECTION_INVALID' || b.reconnectAfterMs === 0) return;
      setTimeout(() => {
        conn = sdk.connect(b.service, { privileged: b.privileged });
        watch(conn);
      }, b.reconnectAfterMs);
    });
  watch(conn);
  every(b.intervalMs, () => {
    if (conn.invalid) return;
    n++;
    conn.sendWithReply(fill(b.body, n)).catch(() => {
      // The failure is already an event in the broker's stream; the next tick retries on demand.
    });
  });
}

function subscribe(sdk: HelperSdk, b: Of<'subscribe'>): void {
  const conn = sdk.connect(b.service, { privileged: b.privileged });
  conn.send(b.body);
  // XPC-MODEL §1.2 rule 1: after INTERRUPTED the client resynchronises its state by sending again.
  conn.onError((error) => {
    if (error.error === 'XPC_ERROR_CONNECTION_INTERRUPTED') setTimeout(() => conn.send(b.body), 250);
  });
}

export function runBehaviours(sdk: HelperSdk, init: HelperInit, exit: (code: number) => never): void {
  let received = 0;
  const crashAt = init.behaviours.find((b): b is Of<'crashAfter'> => b.kind === 'crashAfter')?.messages;
  const onMessage = () => {
    received++;
    if (crashAt !== undefined && received >= crashAt) process.kill(process.pid, 'SIGSEGV');
  };
  for (const b of init.behaviours) {
    switch (b.kind) {
      case 'reply':
        reply(sdk, init, b, onMessage);
        break;
      case 'publish':
        publish(sdk, init, b);
        break;
      case 'poll':
        poll(sdk, b);
        break;
      case 'subscribe':
        subscribe(sdk, b);
        break;
      case 'transaction':
        sdk.transactionBegin();
        if (b.holdMs > 0) setTimeout(() => sdk.transactionEnd(), b.holdMs);
        break;
      case 'crashAfter':
        break;
    }
  }
  process.on('SIGTERM', () => {
    for (const t of timers) clearInterval(t);
    exit(0);
  });
}
