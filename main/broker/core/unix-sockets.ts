import type { JobSpec } from '../../world/model';
import { Errno } from '../errno';
import { formatErrno } from '../errors';
import type { Proc } from '../launchd/process';
import { launchdPrefix } from '../logs';
import type { BrokerState } from '../state';
import { Connection } from './connection';

/** macOS's sun_path, terminating NUL included (sys/un.h; XPC-MODEL §10.7). */
export const SUN_PATH_MAX = 104;

interface BoundSocket {
  path: string;
  mode: number;
  job: JobSpec;
  /** The uid that owns the socket file: root for a daemon, the user for an agent. */
  ownerUid: number;
}

/** ENAMETOOLONG when the path does not fit sun_path with its NUL (XPC-MODEL §10.7). */
export function tooLong(path: string): boolean {
  return Buffer.byteLength(path, 'utf8') + 1 > SUN_PATH_MAX;
}

/**
 * Unix domain sockets, the second transport next to Mach services (XPC-MODEL §10.7): launchd binds a job's
 * `Sockets` paths when it loads, and a process connects by path. The path limit and the socket file's mode are
 * macOS's; [I] launchd accepts a connection on the job's behalf, so the job is not launched by it here.
 */
export class UnixSockets {
  private readonly bound = new Map<string, BoundSocket>();

  constructor(private readonly s: BrokerState) {}

  /** launchd binds each socket as it loads the job; one whose path is too long fails with ENAMETOOLONG. */
  bind(job: JobSpec, domain: string): void {
    for (const { path, mode } of job.sockets ?? []) {
      if (tooLong(path)) {
        this.s.log.launchd(
          `${launchdPrefix(domain, job.label)} <Error>: bind(${path}): ${formatErrno(Errno.ENAMETOOLONG)}`,
        );
        this.s.emit({
          kind: 'diagnostic',
          severity: 'error',
          file: job.path,
          key: 'Sockets',
          message: `${job.label}'s socket ${path} is ${Buffer.byteLength(path) + 1} bytes; sun_path holds ${SUN_PATH_MAX}`,
          consequence: 'bind() failed with ENAMETOOLONG (63, "File name too long"); nothing listens there',
        });
        continue;
      }
      const ownerUid = domain === 'system' ? 0 : this.s.world.uid;
      this.bound.set(path, { path, mode, job, ownerUid });
    }
  }

  unbind(job: JobSpec): void {
    for (const [path, sock] of this.bound) if (sock.job === job) this.bound.delete(path);
  }

  /** connect(2): ENAMETOOLONG, ENOENT, EACCES from the socket file's mode, or a connection the console shows. */
  connect(proc: Proc, localId: string, path: string): void {
    if (this.s.connections.idInUse(proc, localId)) return;
    const conn = new Connection(this.s.pointers.allocate(), 'client', proc, localId, `unix:${path}`, false);
    proc.connections.set(localId, conn);
    this.s.connections.transition(conn, 'activating');
    const sock = this.bound.get(path);
    const errno = tooLong(path)
      ? Errno.ENAMETOOLONG
      : !sock
        ? Errno.ENOENT
        : this.mayWrite(proc, sock)
          ? 0
          : Errno.EACCES;
    if (errno !== 0) {
      this.log(proc, `connect(${path}): ${formatErrno(errno)}`);
      const why =
        errno === Errno.ENAMETOOLONG
          ? `${path} does not fit macOS's ${SUN_PATH_MAX}-byte sun_path`
          : errno === Errno.ENOENT
            ? `nothing is bound at ${path}`
            : `${path} is owned by ${sock?.ownerUid === 0 ? 'root' : `uid ${sock?.ownerUid}`} with mode ${sock?.mode.toString(8).padStart(4, '0')}, which does not let uid ${this.uidOf(proc)} write to it`;
      this.s.connections.invalidate(conn, { reason: `connect: ${formatErrno(errno)}`, cause: why });
      return;
    }
    this.s.connections.transition(conn, 'connected', {
      cause: `connected to ${sock!.job.label}'s socket ${path}`,
    });
  }

  /** [I] Root may connect to anything; others need write permission as owner or as other (groups are not modelled). */
  private mayWrite(proc: Proc, sock: BoundSocket): boolean {
    const uid = this.uidOf(proc);
    if (uid === 0) return true;
    if (uid === sock.ownerUid) return (sock.mode & 0o200) !== 0;
    return (sock.mode & 0o002) !== 0;
  }

  /** Daemons in the system domain run as root; everything else as the world's user. */
  private uidOf(proc: Proc): number {
    return proc.domain === 'system' ? 0 : this.s.world.uid;
  }

  private log(proc: Proc, text: string): void {
    this.s.emit({
      kind: 'log',
      subsystem: proc.job.bundleId ?? proc.job.label,
      category: 'socket',
      process: proc.programName,
      pid: proc.displayPid,
      level: 'Error',
      text,
    });
  }
}
