import { versionText } from '../../world/unit';
import { Errno } from '../errno';
import { launchdError, nsErrorInvalid } from '../errors';
import type { Proc } from '../launchd/process';
import { domainPrefix, invalidationReason, launchd, libxpc, unequalIdentities } from '../logs';
import type { BrokerState } from '../state';
import { Connection } from './connection';
import type { LookupResult, ServiceEntry } from './namespace';
import { mayCheckIn, sandboxAllowsLookup } from './policy/sandbox';

/** The bootstrap namespace as a process sees it: look-ups by name and check-ins (XPC-MODEL §3). */
export class Lookup {
  constructor(private readonly s: BrokerState) {}

  /** xpc_connection_create_mach_service: a client connection, resolved by name at once. */
  connect(proc: Proc, localId: string, name: string, privileged: boolean, requirement?: string): void {
    if (this.s.connections.idInUse(proc, localId)) return;
    const conn = new Connection(this.s.pointers.allocate(), 'client', proc, localId, name, privileged);
    proc.connections.set(localId, conn);
    this.s.requirements.setRequirement(conn, requirement);
    this.s.connections.transition(conn, 'activating');
    this.s.log.libxpc(
      proc,
      libxpc.activating(conn.ptr, { mach: true, listener: false, peer: false, name }),
      conn.ptr,
    );
    const found = this.resolve(conn);
    if (found) {
      this.s.connections.transition(conn, 'connected', { cause: `found ${name} in ${found.domain}` });
    }
  }

  /** The bootstrap look-up; on failure the connection is invalidated "after a failed init" (XPC-MODEL §8.3). */
  resolve(conn: Connection, reconnect = false): ServiceEntry | undefined {
    const proc = conn.owner;
    const result = this.lookup(proc, conn.name, conn.privileged);
    this.s.emit({
      kind: 'lookup',
      conn: conn.ptr,
      name: conn.name,
      pid: proc.displayPid,
      domain: proc.domain,
      ok: result.ok,
      ...(result.ok
        ? { target: `${result.service.domain}/${result.service.job.label}` }
        : { errno: result.errno, error: launchdError(result.errno) }),
    });
    if (result.ok && result.service.binding === 'stale')
      return this.failUnbound(conn, result.service, reconnect);
    if (result.ok) {
      conn.service = result.service;
      return result.service;
    }
    const errno = result.errno;
    const requestor = `${proc.programName}[${proc.displayPid}]`;
    const text =
      errno === Errno.sandboxRestriction
        ? launchd.deniedLookup(conn.name, proc.programName, proc.displayPid, errno)
        : launchd.failedLookup(conn.name, proc.programName, proc.displayPid, errno);
    this.s.log.launchd(`${domainPrefix(proc.domain)} <Warning>: ${text}`);
    this.s.log.libxpc(proc, libxpc.lookupFailed(conn.ptr, errno), conn.ptr);
    this.s.log.libxpc(
      proc,
      reconnect ? libxpc.failedReconnect(conn.ptr) : libxpc.failedInit(conn.ptr),
      conn.ptr,
    );
    this.s.connections.invalidate(conn, {
      reason: reconnect ? invalidationReason.failedReconnect : invalidationReason.failedInit,
      cause: `${requestor} could not look up ${conn.name}: error ${errno} (${launchdError(errno)})`,
      nsError: nsErrorInvalid(conn.name, {
        lookupErrno: errno,
        init: !reconnect && errno === Errno.sandboxRestriction,
      }),
    });
    return undefined;
  }

  /**
   * XPC-MODEL §1.2 rule 1, §10.2: the next send on an interrupted connection looks the name up again. It must
   * find the very registration the connection was made to: a job booted out has left the namespace (3), and a
   * helper reinstalled under the same label is a new registration the old connection never reaches (SecureXPC#70).
   */
  reconnect(conn: Connection): ServiceEntry | undefined {
    const before = conn.service;
    const service = this.resolve(conn, true);
    if (!service || !before || service === before) return service;
    conn.service = before;
    this.failReconnect(
      conn,
      `${service.name} was registered again by a reinstalled ${service.job.label}; the old connection cannot reach it`,
    );
    return undefined;
  }

  /** Whether a name is still registered by the load the connection resolved, not by a later one. */
  stillRegistered(service: ServiceEntry): boolean {
    return this.s.namespace.get(service.domain, service.name) === service;
  }

  /** `[%p] invalidated after a failed reconnect` (XPC-MODEL §7.2): INVALID for good, pending replies too. */
  failReconnect(conn: Connection, cause: string): void {
    this.s.log.libxpc(conn.owner, libxpc.failedReconnect(conn.ptr), conn.ptr);
    this.s.connections.invalidate(conn, {
      reason: invalidationReason.failedReconnect,
      cause,
      nsError: nsErrorInvalid(conn.service?.name ?? conn.name),
    });
  }

  /**
   * XPC-MODEL §5.4 step 3: the name resolves, but it is bound to an extension
   * instance that no longer runs, so the connection is invalidated at once.
   */
  private failUnbound(conn: Connection, service: ServiceEntry, reconnect: boolean): undefined {
    this.s.log.libxpc(
      conn.owner,
      reconnect ? libxpc.failedReconnect(conn.ptr) : libxpc.failedInit(conn.ptr),
      conn.ptr,
    );
    this.s.connections.invalidate(conn, {
      reason: invalidationReason.unbound,
      cause: `${service.name} is still bound to the replaced ${service.job.label} ${versionText(service.job)}, now [terminated waiting to uninstall on reboot]`,
      nsError: nsErrorInvalid(conn.name),
    });
    return undefined;
  }

  lookup(proc: Proc, name: string, privileged: boolean): LookupResult {
    const looker = {
      domain: proc.domain,
      pid: proc.displayPid,
      privileged,
      ...(proc.pidDomain ? { pidDomain: proc.pidDomain } : {}),
    };
    const ownBundled = proc.pidDomain ? this.s.namespace.get(proc.pidDomain, name) : undefined;
    // XPC-MODEL §3.2: the sandbox profile is consulted before the namespace (159); an app's own XPC services are allowed.
    if (!ownBundled && !sandboxAllowsLookup(proc.job, name))
      return { ok: false, errno: Errno.sandboxRestriction };
    return this.s.namespace.lookup(name, looker, this.s.world.uid, (s) => this.isCheckedIn(s));
  }

  private isCheckedIn(service: ServiceEntry): boolean {
    const proc = this.s.instanceFor(service);
    return proc?.checkedIn.has(service.name) ?? false;
  }

  /** A listener for one of the job's MachServices; messages waiting for the name are delivered now. */
  checkIn(proc: Proc, localId: string, name: string, requirement?: string): void {
    const conn = new Connection(this.s.pointers.allocate(), 'listener', proc, localId, name, false);
    proc.listeners.set(localId, conn);
    proc.connections.set(localId, conn);
    this.s.requirements.setRequirement(conn, requirement);
    this.s.connections.transition(conn, 'activating');
    this.s.log.libxpc(
      proc,
      libxpc.activating(conn.ptr, { mach: true, listener: true, peer: false, name }),
      conn.ptr,
    );
    // XPC-MODEL §3.2, §10.7: no check-in context when run from Terminal; none either once AMFI stripped the
    // restricted entitlements of a daemon without a matching profile.
    const refused = !mayCheckIn(proc.job, name)
      ? `${name} is not in ${proc.job.label}'s MachServices, so it may not check it in`
      : proc.fromTerminal
        ? `${proc.programName}[${proc.displayPid}] was run from Terminal, not spawned by launchd, so it has no check-in context for ${name}`
        : proc.amfiDenied
          ? `AMFI did not grant ${proc.job.label}'s restricted entitlements (${proc.amfiDenied}), so launchd refuses its check-in of ${name}`
          : undefined;
    const errno = refused ? Errno.EPERM : proc.checkedIn.has(name) ? Errno.EALREADY : 0;
    if (errno !== 0) {
      if (proc.fromTerminal)
        this.s.log.runningboard(unequalIdentities(proc.programName, this.s.world.uid, proc.displayPid));
      this.s.log.libxpc(proc, libxpc.listenerFailed(conn.ptr, errno), conn.ptr);
      this.s.connections.invalidate(conn, {
        reason: `listener failed to activate: error ${errno}`,
        cause: refused ?? `${name} is already checked in by this process`,
      });
      this.s.sendTo(proc, { t: 'listenerFailed', listener: localId, errno });
      return;
    }
    proc.checkedIn.add(name);
    this.s.connections.transition(conn, 'connected', { cause: `checked in ${name}` });
    const service = this.s.namespace.get(proc.domain, name);
    if (service) this.s.delivery.flushQueue(service, proc);
  }
}
