import type { KeepAliveSpec, MachServiceSpec } from './model';
import type { Diagnostic, PlistDict } from './plist-file';

/** The fields a job takes from its plist as they are, shared by the loader and re-derivation. */

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** AssociatedBundleIdentifiers: a string or an array of app bundle IDs (XPC-MODEL §4.1). */
export function associated(value: unknown): { associatedBundleIds?: string[] } {
  const ids =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : [];
  return ids.length > 0 ? { associatedBundleIds: ids } : {};
}

export function versions(info: PlistDict): { bundleVersion?: string; shortVersion?: string } {
  const out: { bundleVersion?: string; shortVersion?: string } = {};
  const v = info.CFBundleVersion;
  const s = info.CFBundleShortVersionString;
  if (typeof v === 'string' || typeof v === 'number') out.bundleVersion = String(v);
  if (typeof s === 'string' || typeof s === 'number') out.shortVersion = String(s);
  return out;
}

/** MachServices: name → true | { ResetAtClose, HideUntilCheckIn } (XPC-MODEL §4.1). */
export function machServices(value: unknown): MachServiceSpec[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as PlistDict).map(([name, v]) => ({
    name,
    hideUntilCheckIn: typeof v === 'object' && v !== null && (v as PlistDict).HideUntilCheckIn === true,
    origin: 'MachServices' as const,
  }));
}

/** A dictionary of booleans (PathState, OtherJobEnabled); entries that are not booleans are reported. */
function booleans(value: unknown, key: string, warn: (key: string, message: string) => void) {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    warn(key, `must be a dictionary of booleans; launchd ignores it`);
    return undefined;
  }
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(value as PlistDict)) {
    if (typeof v === 'boolean') out[k] = v;
    else warn(`${key}.${k}`, 'must be <true/> or <false/>; launchd ignores it');
  }
  return out;
}

/** KeepAlive: true, or a dictionary of conditions (XPC-MODEL §4.1, §10.3). */
export function keepAlive(
  value: unknown,
  warn: (key: string, message: string) => void = () => {},
): KeepAliveSpec {
  if (value === true) return { always: true };
  if (typeof value !== 'object' || value === null) return { always: false };
  const d = value as PlistDict;
  const pathState = booleans(d.PathState, 'PathState', warn);
  const otherJobEnabled = booleans(d.OtherJobEnabled, 'OtherJobEnabled', warn);
  // [I] AfterInitialDemand is seen as a boolean and as a dictionary of labels; either form holds the job until it
  // has been launched on demand once.
  const afterInitialDemand =
    d.AfterInitialDemand === true ||
    (typeof d.AfterInitialDemand === 'object' &&
      d.AfterInitialDemand !== null &&
      !Array.isArray(d.AfterInitialDemand));
  return {
    always: false,
    ...(typeof d.SuccessfulExit === 'boolean' ? { successfulExit: d.SuccessfulExit } : {}),
    ...(typeof d.Crashed === 'boolean' ? { crashed: d.Crashed } : {}),
    ...(pathState ? { pathState } : {}),
    ...(otherJobEnabled ? { otherJobEnabled } : {}),
    ...(typeof d.NetworkState === 'boolean' ? { networkState: d.NetworkState } : {}),
    ...(afterInitialDemand ? { afterInitialDemand: true } : {}),
  };
}

/** macOS's sun_path: 104 bytes with the terminating NUL (sys/un.h; XPC-MODEL §10.7). */
const SUN_PATH_MAX = 104;

/**
 * launchd.plist Sockets: name → a socket dictionary or an array of them; those with SockPathName are Unix domain
 * sockets, SockPathMode their mode (decimal in the plist, default 0666 here [I]). A path over 104 bytes is warned
 * of in advance: bind() and connect() will fail with ENAMETOOLONG.
 */
export function unixSockets(
  value: unknown,
  rel: string,
  diagnostics: Diagnostic[],
): { sockets?: { path: string; mode: number }[] } {
  if (typeof value !== 'object' || value === null) return {};
  const out: { path: string; mode: number }[] = [];
  for (const [name, entry] of Object.entries(value as PlistDict)) {
    for (const sock of Array.isArray(entry) ? entry : [entry]) {
      if (typeof sock !== 'object' || sock === null) continue;
      const d = sock as PlistDict;
      if (typeof d.SockPathName !== 'string') continue;
      const path = d.SockPathName;
      const bytes = Buffer.byteLength(path, 'utf8') + 1;
      if (bytes > SUN_PATH_MAX) {
        diagnostics.push({
          severity: 'warning',
          file: rel,
          key: `Sockets.${name}.SockPathName`,
          message: `${path} is ${bytes} bytes with its terminating NUL; macOS's sun_path holds ${SUN_PATH_MAX}`,
          consequence: 'bind() and connect() fail with ENAMETOOLONG (63, "File name too long")',
        });
      }
      out.push({ path, mode: typeof d.SockPathMode === 'number' ? d.SockPathMode : 0o666 });
    }
  }
  return out.length ? { sockets: out } : {};
}
