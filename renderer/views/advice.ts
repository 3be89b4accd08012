import type { ExitCause, XpcError } from '../../main/trace/schema';

/**
 * What an error means and what to do about it, in XPC's terms. Every entry
 * cites the part of the behaviour model (docs/xpc-model.md) it rests on, so the advice can be checked.
 */
export interface Advice {
  means: string;
  todo: string;
}

export const XPC_ERROR_ADVICE: Record<XpcError, Advice> = {
  XPC_ERROR_CONNECTION_INTERRUPTED: {
    means:
      'The service process exited (crash, exit, idle exit or jetsam). The connection is still live: the next message looks the name up again and relaunches the service on demand (XPC-MODEL §1.2 rule 1). Replies that were pending got INTERRUPTED.',
    todo: 'Keep the connection. In the interruption handler resend whatever state the service held (subscriptions, settings); retry the requests that failed. If it keeps happening, read the exit cause of the service in the events above.',
  },
  XPC_ERROR_CONNECTION_INVALID: {
    means:
      'The connection is dead for good: the name was not found, someone called xpc_connection_cancel(), the client went away (peer side), or the listener of an endpoint did (XPC-MODEL §1.2). The handler never fires again.',
    todo: 'Dispose of it. Read the invalidation reason: after a failed look-up fix the name, the domain or the sandbox (§3.2–§3.4, §8.3, §8.5); after a cancel nothing is wrong. Create a new connection only once the cause is gone — retrying the same name from the same place fails the same way (§1.2 rule 7).',
  },
  XPC_ERROR_TERMINATION_IMMINENT: {
    means:
      'launchd is reclaiming the service (idle exit, memory pressure or shutdown); no new transactions can open (XPC-MODEL §1.2, §4.2).',
    todo: 'On the service side: finish the work in hand, send the last replies and cancel the peer. Clients then see INTERRUPTED and their next message relaunches the service (§8.8).',
  },
  XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT: {
    means:
      "The peer's code signature does not satisfy the requirement set with xpc_connection_set_peer_code_signing_requirement(); the reply was turned into this error (XPC-MODEL §1.5).",
    todo: "Compare the requirement with the peer's designated requirement (codesign -d -r- <binary>). -67050 means it evaluated false; -67065 that the peer pid went away; -67062 that the peer is unsigned (§6.2).",
  },
};

/** XPC-MODEL §1.2 rule 2: the service side of a connection whose client went away. */
export const PEER_INVALID_ADVICE: Advice = {
  means:
    'The client on the other end cancelled its connection or exited. A peer connection gets INVALID, never INTERRUPTED (XPC-MODEL §1.2 rule 2).',
  todo: 'Nothing is wrong on the service side: release what you kept for this client. If the client did not mean to leave, look at its side of the connection.',
};

/** XPC-MODEL §1.2 rule 5: a cancel is the one invalidation that is nobody's failure. */
export const CANCEL_ADVICE: Advice = {
  means:
    'This process cancelled the connection with xpc_connection_cancel(); its handler got a final INVALID and pending replies got INVALID too (XPC-MODEL §1.2 rule 5).',
  todo: 'Nothing to fix if the cancel was meant. Create a new connection to talk to the service again; this one cannot be reused.',
};

/**
 * XPC-MODEL §5.4 and §10.1: after an upgrade with the VPN connected the extension's Mach name stays bound
 * to the replaced instance, so every new connection is invalidated at once. The name is right; the binding is stale.
 */
export const STALE_BINDING_ADVICE: Advice = {
  means:
    'The name is right and resolves, but it is still bound to the replaced system extension, now [terminated waiting to uninstall on reboot]: every new connection is invalidated at once (XPC-MODEL §5.4). Retrying, or restarting the app, fails the same way.',
  todo: 'Rebind the name: deactivate then activate the extension (the user approves it again and the VPN configuration is removed), or delete it and restart the app (§10.1). For the next release, version the NEMachServiceName with $(CURRENT_PROJECT_VERSION) so an upgrade registers a new name (§10.1); a reboot alone does not rebind it (§5.4).',
};

const STALE_BINDING = /bound to an instance that no longer runs|still bound to the replaced/;

/** launchd's lookup errors (XPC-MODEL §3.4); the numbers the look-up and listener paths expect (§3.3). */
export const ERRNO_ADVICE: Record<number, Advice> = {
  1: {
    means:
      'Operation not permitted: the listener was not spawned by launchd, the name is not in its own MachServices, or an SMAppService job is not approved yet (XPC-MODEL §3.2, §3.4, §8.2).',
    todo: "Let launchd start the job (not Xcode or Terminal), list the name under the job's MachServices, or approve it in System Settings › Login Items & Extensions (§4.6).",
  },
  3: {
    means:
      'No such process: the name is in no namespace the looker can see — the job is not loaded, or it lives in a domain the looker cannot see into (a daemon cannot see gui/ or user/ names) (XPC-MODEL §3.2).',
    todo: 'Check that the job is loaded in the domain you think (launchctl print). If a daemon or system extension looks up an agent, turn it round: let the agent connect to the daemon and call back over that connection (§8.5).',
  },
  5: {
    means: 'Input/output error: a generic bootstrap failure, often a bad plist (XPC-MODEL §3.4).',
    todo: 'Validate the launchd plist (plutil -lint) and load it again.',
  },
  119: {
    means:
      'Service is disabled: the override database disables this label, whatever the plist says (XPC-MODEL §4.5).',
    todo: 'launchctl enable gui/501/<label> (or system/<label>), then bootstrap again (§8.6).',
  },
  124: {
    means: 'Domain is tearing down: a logout or shutdown race (XPC-MODEL §3.4).',
    todo: 'Nothing to fix: retry after the session is back.',
  },
  145: {
    means:
      'Endpoint is hidden: HideUntilCheckIn keeps the name hidden until the job checks in (XPC-MODEL §4.1).',
    todo: 'Wait for the service to check in its listener, or drop HideUntilCheckIn from MachServices.',
  },
  147: {
    means:
      "The specified service did not ship in the requestor's bundle: an XPC service is visible only to the app it is bundled in (XPC-MODEL §3.1).",
    todo: 'Connect from the app that contains the .xpc bundle, or make it a launchd agent or daemon.',
  },
  159: {
    means:
      'Sandbox restriction: the looker is sandboxed and its profile has no mach-lookup exception for the name; launchd refused before consulting the namespace (XPC-MODEL §3.4, §8.3).',
    todo: 'Add com.apple.security.temporary-exception.mach-lookup.global-name for the name, or name the service inside your app group.',
  },
};

export const NSERROR_MEANING: Record<number, string> = {
  4097: 'NSXPCConnectionInterrupted: the NSXPCConnection interruptionHandler runs',
  4099: 'NSXPCConnectionInvalid: the NSXPCConnection invalidationHandler runs, and the connection cannot be reused',
  4102: 'NSXPCConnectionCodeSigningRequirementFailure',
};

export const EXIT_ADVICE: Partial<Record<ExitCause, Advice>> = {
  crash: {
    means:
      'The helper crashed. Its clients see XPC_ERROR_CONNECTION_INTERRUPTED and their next message relaunches it (XPC-MODEL §1.2 rule 1); launchd counts it as a crash for KeepAlive (§4.2).',
    todo: 'Read the crash cause. If it crashes on every launch, launchd pushes respawns out to every 10 s (ThrottleInterval, §8.10): fix the crash, not the client.',
  },
  killed: {
    means:
      'The helper was killed by a signal. Clients see INTERRUPTED and relaunch it with their next message (XPC-MODEL §1.2).',
    todo: 'If it was not you, look for who sent the signal (launchd after ExitTimeOut, or jetsam).',
  },
  signal: {
    means:
      'The helper died from a signal. Clients see INTERRUPTED and relaunch it with their next message (XPC-MODEL §1.2).',
    todo: 'Read the signal and the log line above to see who sent it.',
  },
  'launch-failed': {
    means:
      'launchd could not start the job: exit 78 EX_CONFIG usually means a missing executable, a bad interpreter or an unwritable log path (XPC-MODEL §4.3).',
    todo: "Check Program/BundleProgram and the file's permissions, then kickstart the job.",
  },
};

/** What a connection's current state means, from whichever side it is seen. */
export function connectionAdvice(c: {
  side: string;
  state: string;
  error?: XpcError | undefined;
  reason?: string | undefined;
  cause?: string | undefined;
}): Advice | undefined {
  if (c.state === 'connected' || !c.error) return undefined;
  if (c.state === 'invalidated' && c.side === 'peer') return PEER_INVALID_ADVICE;
  if (c.state === 'invalidated' && STALE_BINDING.test(`${c.reason ?? ''} ${c.cause ?? ''}`))
    return STALE_BINDING_ADVICE;
  if (
    c.state === 'invalidated' &&
    /xpc_connection_cancel|cancelled/.test(`${c.reason ?? ''} ${c.cause ?? ''}`)
  )
    return CANCEL_ADVICE;
  return XPC_ERROR_ADVICE[c.error];
}
