import type { ServiceEntry } from '../../main/broker/core/namespace';
import { Proc } from '../../main/broker/launchd/process';
import type { JobSpec } from '../../main/world/model';
import { FakeProcess } from '../support/fakes';

/** A running process of a job, for tests of one broker part through its port. */
export function procOf(spec: JobSpec, pid: number): Proc {
  const callbacks = { onSpawn: () => {}, onMessage: () => {}, onExit: () => {} };
  const handle = new FakeProcess({ label: spec.label, serviceName: spec.label, env: {} }, callbacks, pid);
  const proc = new Proc(spec, 'system', handle, 0, undefined);
  proc.pid = pid;
  proc.state = 'running';
  return proc;
}

/** A job's first MachService name as registered in the system domain. */
export function serviceOf(spec: JobSpec): ServiceEntry {
  return {
    name: spec.machServices[0]!.name,
    domain: 'system',
    job: spec,
    hideUntilCheckIn: false,
    origin: 'MachServices',
    binding: 'live',
  };
}
