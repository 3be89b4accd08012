import type { EventInput } from '../trace/schema';
import type { Proc } from './launchd/process';

/**
 * The lines of logs.ts as `log` events, each under the subsystem, category and
 * process that logs it on a Mac: libxpc and launchd as XPC-MODEL §7.1 places them.
 */
export class BrokerLog {
  constructor(private readonly emit: (event: EventInput) => void) {}

  /** libxpc logs in the process that owns the connection. */
  libxpc(proc: Proc, text: string, conn?: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.xpc',
      category: 'connection',
      process: proc.programName,
      pid: proc.displayPid,
      level: 'Default',
      text,
      ...(conn ? { conn } : {}),
    });
  }

  launchd(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.xpc.launchd',
      category: 'launchd',
      process: 'launchd',
      pid: 1,
      level: 'Default',
      text,
    });
  }

  launchctl(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.xpc.launchd',
      category: 'launchctl',
      process: 'launchctl',
      pid: 0,
      level: 'Error',
      text,
    });
  }

  /** [I] AMFI's lines under the kernel, as AppleMobileFileIntegrity logs them (XPC-MODEL §10.7). */
  amfi(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.MobileFileIntegrity',
      category: 'amfi',
      process: 'kernel',
      pid: 0,
      level: 'Error',
      text,
    });
  }

  /** [I] runningboardd's lines (XPC-MODEL §10.7). */
  runningboard(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.runningboard',
      category: 'process',
      process: 'runningboardd',
      pid: 0,
      level: 'Default',
      text,
    });
  }

  smd(text: string): void {
    this.emit({
      kind: 'log',
      subsystem: 'com.apple.ServiceManagement',
      category: 'SMAppService',
      process: 'smd',
      pid: 0,
      level: 'Default',
      text,
    });
  }
}
