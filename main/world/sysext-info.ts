import { ENTITLEMENT } from './entitlements';
import type { MachServiceSpec, SysextSpec } from './model';
import type { PlistDict } from './plist-file';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export interface SysextInfo {
  spec: SysextSpec;
  machServices: MachServiceSpec[];
}

/**
 * A system extension's category and Mach service from its Info.plist and
 * entitlements (XPC-MODEL §5.3): NetworkExtension › NEMachServiceName for a
 * network extension; NSEndpointSecurityMachServiceName for Endpoint Security,
 * or the deprecated default `<TeamID>.<BundleID>.xpc` when it is missing.
 */
export function sysextInfo(
  info: PlistDict,
  entitlements: Record<string, unknown>,
  id: string,
  teamId: string | undefined,
): SysextInfo {
  const name = str(info.CFBundleName) ?? str(info.CFBundleDisplayName) ?? id;
  const ne = info.NetworkExtension as PlistDict | undefined;
  const neName = str(ne?.NEMachServiceName);
  if (ne || entitlements[ENTITLEMENT.networkExtension] !== undefined) {
    return {
      spec: { category: 'network_extension', name },
      machServices: neName ? [{ name: neName, hideUntilCheckIn: false, origin: 'NEMachServiceName' }] : [],
    };
  }
  const esName = str(info.NSEndpointSecurityMachServiceName);
  if (esName || entitlements[ENTITLEMENT.endpointSecurity] === true) {
    const fallback = teamId ? `${teamId}.${id}.xpc` : undefined;
    const machName = esName ?? fallback;
    return {
      spec: { category: 'endpoint_security', name, ...(esName ? {} : { defaultMachServiceName: true }) },
      machServices: machName ? [{ name: machName, hideUntilCheckIn: false, origin: 'MachServices' }] : [],
    };
  }
  const driver = str(info.CFBundlePackageType) === 'DEXT';
  return { spec: { category: driver ? 'driver_extension' : 'network_extension', name }, machServices: [] };
}
