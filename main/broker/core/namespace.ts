import type { JobSpec } from '../../world/model';
import { Errno } from '../errno';

/** A name registered in a bootstrap namespace (XPC-MODEL §3.1, §4.1 MachServices). */
export interface ServiceEntry {
  name: string;
  domain: string;
  job: JobSpec;
  /** For pid-domain XPC services: the pid of the app that owns the domain. */
  ownerPid?: number;
  hideUntilCheckIn: boolean;
  origin: 'MachServices' | 'NEMachServiceName' | 'XPCService';
  /**
   * [I] XPC-MODEL §5.4: the instance the name is bound to. A network extension's
   * name can stay bound to an instance that has been replaced ("stale").
   */
  binding: 'live' | 'stale';
}

export interface Looker {
  domain: string;
  pid: number;
  /** The pid domain the looker can see: its own (an app) or its owner's (a bundled XPC service). */
  pidDomain?: string;
  privileged: boolean;
}

export type LookupResult = { ok: true; service: ServiceEntry } | { ok: false; errno: number };

/** The domains a looker can see, nearest first (XPC-MODEL §3.2 visibility matrix). */
export function visibleDomains(looker: Looker, uid: number): string[] {
  // HDR-CONN: XPC_CONNECTION_MACH_SERVICE_PRIVILEGED looks only in the system domain.
  if (looker.privileged || looker.domain === 'system') return ['system'];
  const domains: string[] = [];
  if (looker.pidDomain) domains.push(looker.pidDomain);
  domains.push(`gui/${uid}`, `user/${uid}`, 'system');
  return domains;
}

export class Namespace {
  private readonly byDomain = new Map<string, Map<string, ServiceEntry>>();

  register(entry: ServiceEntry): 'ok' | 'exists' {
    let names = this.byDomain.get(entry.domain);
    if (!names) {
      names = new Map();
      this.byDomain.set(entry.domain, names);
    }
    if (names.has(entry.name)) return 'exists';
    names.set(entry.name, entry);
    return 'ok';
  }

  unregister(domain: string, name: string): ServiceEntry | undefined {
    const names = this.byDomain.get(domain);
    const entry = names?.get(name);
    names?.delete(name);
    if (names && names.size === 0) this.byDomain.delete(domain);
    return entry;
  }

  get(domain: string, name: string): ServiceEntry | undefined {
    return this.byDomain.get(domain)?.get(name);
  }

  entries(): ServiceEntry[] {
    return [...this.byDomain.values()].flatMap((names) => [...names.values()]);
  }

  /** Errors 3 (not in any visible namespace) and 145 (HideUntilCheckIn) of XPC-MODEL §3.4. */
  lookup(name: string, looker: Looker, uid: number, isCheckedIn: (s: ServiceEntry) => boolean): LookupResult {
    for (const domain of visibleDomains(looker, uid)) {
      const service = this.get(domain, name);
      if (!service) continue;
      if (service.hideUntilCheckIn && !isCheckedIn(service))
        return { ok: false, errno: Errno.endpointHidden };
      return { ok: true, service };
    }
    return { ok: false, errno: Errno.ESRCH };
  }
}
