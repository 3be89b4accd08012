import type { XpcDictionary } from '../trace/xpc-value';
import type { Behaviour } from '../world/model';
import type { HelperConnection, HelperInit, HelperSdk } from './index';
import { pollPolicy, ReconnectingClient, SUBSCRIBE_POLICY } from './reconnect';
import { runScript } from './script';

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
  const options = b.requirement ? { requirement: b.requirement } : {};
  for (const name of init.machServices) {
    sdk.listen(name, options).onPeer((peer) => {
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

/** Periodic status requests with replies; after INTERRUPTED or INVALID it follows its reconnect policy. */
function poll(sdk: HelperSdk, b: Of<'poll'>): void {
  let n = 0;
  const request = () => {
    if (client.conn.invalid) return;
    n++;
    client.conn.sendWithReply(fill(b.body, n)).then(
      () => client.succeeded(),
      () => {
        // The failure is already an event in the broker's stream; the policy decides what comes next.
      },
    );
  };
  const client = new ReconnectingClient(
    sdk,
    b.service,
    b.privileged,
    b.reconnect ?? pollPolicy(b.reconnectAfterMs),
    request,
  );
  every(b.intervalMs, request);
}

/** XPC-MODEL §1.2 rule 1: after INTERRUPTED the client resynchronises its state by subscribing again. */
function subscribe(sdk: HelperSdk, b: Of<'subscribe'>): void {
  const client: ReconnectingClient = new ReconnectingClient(
    sdk,
    b.service,
    b.privileged,
    b.reconnect ?? SUBSCRIBE_POLICY,
    () => client.conn.send(b.body),
  );
  client.conn.send(b.body);
}

/** Keeps `inFlight` requests outstanding until `messages` replies have come back; a load generator. */
function load(sdk: HelperSdk, b: Of<'load'>): void {
  const conn = sdk.connect(b.service, { privileged: b.privileged });
  let sent = 0;
  let done = 0;
  const started = performance.now();
  const next = (): void => {
    if (sent >= b.messages) return;
    sent++;
    conn.sendWithReply(b.body).then(
      () => {
        done++;
        if (done === b.messages)
          sdk.log(`load done: ${done} replies in ${Math.round(performance.now() - started)} ms`);
        next();
      },
      () => sdk.log(`load stopped after ${done} replies: the connection failed`),
    );
  };
  for (let i = 0; i < b.inFlight; i++) next();
}

/**
 * Answers every request on its named listeners with the endpoint of an anonymous
 * listener, which answers like `reply` (XPC-MODEL §1.1).
 */
function vendEndpoint(sdk: HelperSdk, init: HelperInit, b: Of<'vendEndpoint'>, onMessage: () => void): void {
  const anonymous = sdk.anonymousListener();
  anonymous.onPeer((peer) =>
    peer.onMessage(({ body, reply: respond }) => {
      onMessage();
      respond?.({
        ok: true,
        handledBy: `${init.label} (anonymous)`,
        ...(b.body ?? {}),
        echo: body.selector ?? '',
      });
    }),
  );
  for (const name of init.machServices) {
    sdk.listen(name).onPeer((peer) =>
      peer.onMessage(({ reply: respond }) => {
        onMessage();
        if (respond) void anonymous.endpoint().then((endpoint) => respond({ ok: true, endpoint }));
      }),
    );
  }
}

export function runBehaviours(sdk: HelperSdk, init: HelperInit, exit: (code: number) => never): void {
  let received = 0;
  // Installed before any check-in is sent: once the broker can route to this process, SIGTERM means exit(0).
  process.on('SIGTERM', () => {
    for (const t of timers) clearInterval(t);
    exit(0);
  });
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
      case 'vendEndpoint':
        vendEndpoint(sdk, init, b, onMessage);
        break;
      case 'load':
        load(sdk, b);
        break;
      case 'script':
        runScript(sdk, b.path).catch((error: unknown) => {
          sdk.log(`script ${b.path} failed: ${error instanceof Error ? error.message : String(error)}`);
          // A program that cannot load its code ends; the pause lets the log line reach the broker.
          setTimeout(() => exit(1), 100);
        });
        break;
    }
  }
}
