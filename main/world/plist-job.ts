import type { KeepAliveSpec, MachServiceSpec } from './model';
import type { PlistDict } from './plist-file';

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

export function keepAlive(value: unknown): KeepAliveSpec {
  if (value === true) return { always: true };
  if (typeof value !== 'object' || value === null) return { always: false };
  const d = value as PlistDict;
  return {
    always: false,
    ...(typeof d.SuccessfulExit === 'boolean' ? { successfulExit: d.SuccessfulExit } : {}),
    ...(typeof d.Crashed === 'boolean' ? { crashed: d.Crashed } : {}),
  };
}
