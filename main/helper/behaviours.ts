import type { XpcDictionary } from '../trace/xpc-value';
import type { Behaviour } from '../world/model';
import { now } from './capture';
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

/** The p-th percentile of `xs` (sorted in place), nearest rank. */
function percentile(xs: Float64Array, p: number): number {
  if (xs.length === 0) return Number.NaN;
  return xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? Number.NaN;
}

/**
 * Keeps `inFlight` requests outstanding (paced at `ratePerSecond` if given) until `messages`
 * replies have come back; a load generator that times each round trip as its caller sees it.
 */
function load(sdk: HelperSdk, b: Of<'load'>): void {
  const conn = sdk.connect(b.service, { privileged: b.privileged });
  const times = new Float64Array(b.messages);
  let sent = 0;
  let done = 0;
  let outstanding = 0;
  let started = 0;
  const failed = () => sdk.log(`load stopped after ${done} replies: the connection failed`);
  const finish = (): void => {
    const ms = performance.now() - started;
    times.sort();
    sdk.log(
      `load done: ${done} replies in ${Math.round(ms)} ms; round trip p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`,
    );
  };
  const one = (): void => {
    const i = sent++;
    outstanding++;
    const at = performance.now();
    conn.sendWithReply(b.body).then(() => {
      times[i] = performance.now() - at;
      outstanding--;
      done++;
      if (done === b.messages) finish();
      else if (!b.ratePerSecond) next();
    }, failed);
  };
  const next = (): void => {
    if (sent < b.messages && outstanding < b.inFlight) one();
  };
  const paced = (rate: number): void => {
    // Each tick sends what is due since the start, never more than the window allows.
    const timer = setInterval(() => {
      const due = Math.min(b.messages, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due && outstanding < b.inFlight) one();
      if (sent >= b.messages) {
        clearInterval(timer);
        timers.delete(timer);
      }
    }, 5);
    timers.add(timer);
  };
  // The first round trip looks the service up and may launch it on demand: it is not part of the load.
  conn.sendWithReply(b.body).then(() => {
    started = performance.now();
    if (b.ratePerSecond) paced(b.ratePerSecond);
    else for (let i = 0; i < b.inFlight; i++) next();
  }, failed);
}

/** Wall-clock milliseconds as every process on the machine reads them, to the microsecond. */

/**
 * Opens `connections` connections and holds them (XPC-MODEL §1.2): reports when all are up, and
 * when each has seen its first error, stamped with the time the last error handler ran.
 */
function hold(sdk: HelperSdk, b: Of<'hold'>): void {
  let up = 0;
  let errored = 0;
  const errors = { interrupted: 0, invalid: 0 };
  for (let i = 0; i < b.connections; i++) {
    const conn = sdk.connect(b.service, { privileged: b.privileged });
    let seen = false;
    conn.onError((error) => {
      if (seen) return;
      seen = true;
      errored++;
      if (error.error === 'XPC_ERROR_CONNECTION_INTERRUPTED') errors.interrupted++;
      else errors.invalid++;
      if (errored === b.connections)
        sdk.log(
          `hold errors: ${errored} of ${b.connections} connections to ${b.service}, last handler at ${now().toFixed(3)} (INTERRUPTED ${errors.interrupted}, INVALID ${errors.invalid})`,
        );
    });
    const request = () => {
      if (!seen) conn.sendWithReply(b.body).catch(() => {});
    };
    conn.sendWithReply(b.body).then(
      () => {
        up++;
        if (up === b.connections) sdk.log(`hold up: ${up} connections to ${b.service}`);
        if (b.everyMs > 0) every(b.everyMs, request);
      },
      () => {
        // The error handler above counts it.
      },
    );
  }
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
      case 'hold':
        hold(sdk, b);
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
