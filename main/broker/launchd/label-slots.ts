import type { JobSpec } from '../../world/model';
import { Errno } from '../errno';

/** What loading a label into its slot returns: 0, EALREADY (this job is loaded) or EEXIST (another job holds it). */
export type SlotErrno = 0 | typeof Errno.EALREADY | typeof Errno.EEXIST;

/**
 * Labels are unique within a domain (launchd.plist(5) Label). A legacy
 * /Library/LaunchDaemons job and an SMAppService daemon with the same label
 * compete for one slot in `system`: [I] XPC-MODEL §4.6, first loaded wins.
 */
export class LabelSlots {
  private readonly slots = new Map<string, JobSpec>();

  holder(domain: string, label: string): JobSpec | undefined {
    return this.slots.get(`${domain}/${label}`);
  }

  /** 0 when loaded; 37 when this job is already loaded; 17 when another job holds the label (XPC-MODEL §3.4). */
  load(domain: string, job: JobSpec): SlotErrno {
    const holder = this.holder(domain, job.label);
    if (holder === job) return Errno.EALREADY;
    if (holder) return Errno.EEXIST;
    this.slots.set(`${domain}/${job.label}`, job);
    return 0;
  }

  unload(domain: string, label: string): JobSpec | undefined {
    const holder = this.holder(domain, label);
    this.slots.delete(`${domain}/${label}`);
    return holder;
  }

  isLoaded(domain: string, job: JobSpec): boolean {
    return this.holder(domain, job.label) === job;
  }
}
