import type { z } from 'zod';
import type { SandboxSchema } from './model';

type Sandbox = z.infer<typeof SandboxSchema>;

/** The entitlement keys the sandbox policy reads (XPC-MODEL §3.2, §3.4, §5.3). */
export const ENTITLEMENT = {
  sandbox: 'com.apple.security.app-sandbox',
  appGroups: 'com.apple.security.application-groups',
  machLookup: 'com.apple.security.temporary-exception.mach-lookup.global-name',
  machRegister: 'com.apple.security.temporary-exception.mach-register.global-name',
  endpointSecurity: 'com.apple.developer.endpoint-security.client',
  networkExtension: 'com.apple.developer.networking.networkextension',
} as const;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** What a signed binary's entitlements say about its sandbox. */
export function sandboxFromEntitlements(entitlements: Record<string, unknown>): Sandbox {
  return {
    enabled: entitlements[ENTITLEMENT.sandbox] === true,
    machLookup: strings(entitlements[ENTITLEMENT.machLookup]),
    machRegister: strings(entitlements[ENTITLEMENT.machRegister]),
    appGroups: strings(entitlements[ENTITLEMENT.appGroups]),
  };
}

/** world.plist's sandbox adds to what the entitlements say: either turning it on turns it on, and the lists join. */
export function mergeSandbox(a: Sandbox, b: Partial<Sandbox> | undefined): Sandbox {
  const join = (x: string[], y: string[] | undefined) => [...new Set([...x, ...(y ?? [])])];
  return {
    enabled: a.enabled || b?.enabled === true,
    machLookup: join(a.machLookup, b?.machLookup),
    machRegister: join(a.machRegister, b?.machRegister),
    appGroups: join(a.appGroups, b?.appGroups),
  };
}
