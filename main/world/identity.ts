import type { z } from 'zod';
import { mergeSandbox, sandboxFromEntitlements } from './entitlements';
import type { BundleSettings } from './manifest';
import type { SigningSchema } from './model';

type Signing = z.infer<typeof SigningSchema>;

/**
 * What a code signature says about a process: the fields a reader of the
 * main executable's signature supplies. Every field is optional: a bundle
 * without an executable, or an unsigned one, has none.
 */
export interface SignatureIdentity {
  teamId?: string;
  anchor?: Signing['anchor'];
  entitlements?: Record<string, unknown>;
}

/** Reads an executable's code signature; undefined when it has none (or cannot be read). */
export type SignatureReader = (executablePath: string) => SignatureIdentity | undefined;

export interface IdentityInput {
  /** The bundle identifier or launchd label. */
  id: string;
  /** world.plist's `bundles.<id>`: overrides everything, to simulate a differently signed build. */
  manifest: BundleSettings;
  /** The `<name>.entitlements` file beside the bundle or plist, its build settings filled. */
  entitlementsFile: Record<string, unknown>;
  /** The signature of the bundle's main executable, when one was read. */
  signature?: SignatureIdentity;
  /** The build settings that name a team: DEVELOPMENT_TEAM, TeamIdentifierPrefix (world.plist, the bundle's own). */
  buildSettings: Record<string, string>;
  /** The one team the project's files name (entitlements, build settings), when they agree on one. */
  projectTeam?: string;
}

export interface ProcessIdentity {
  signing: Signing;
  entitlements: Record<string, unknown>;
  sandbox: ReturnType<typeof mergeSandbox>;
  /** Where the team ID came from, for findings that mention it. */
  teamSource?: string;
}

const TEAM_ID = /^[A-Z0-9]{10}$/;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The team a set of entitlements names literally: `com.apple.developer.team-identifier`,
 * the prefix of `com.apple.application-identifier` / `application-identifier`, or of a
 * keychain access group or app group (macOS app groups are team-prefixed). Templated
 * values (`$(AppIdentifierPrefix)…`) name none.
 */
export function teamFromEntitlements(entitlements: Record<string, unknown>): string | undefined {
  const direct = entitlements['com.apple.developer.team-identifier'];
  if (typeof direct === 'string' && TEAM_ID.test(direct)) return direct;
  const prefixed = [
    ...strings(entitlements['com.apple.application-identifier']),
    ...strings(entitlements['application-identifier']),
    ...strings(entitlements['keychain-access-groups']),
    ...strings(entitlements['com.apple.security.application-groups']),
  ];
  for (const value of prefixed) {
    const head = value.split('.')[0] ?? '';
    if (TEAM_ID.test(head)) return head;
  }
  return undefined;
}

/** DEVELOPMENT_TEAM, or TeamIdentifierPrefix / AppIdentifierPrefix without their dot. */
export function teamFromSettings(settings: Record<string, string>): string | undefined {
  for (const key of ['DEVELOPMENT_TEAM', 'TeamIdentifierPrefix', 'AppIdentifierPrefix']) {
    const value = settings[key]?.replace(/\.$/, '');
    if (value && TEAM_ID.test(value)) return value;
  }
  return undefined;
}

/**
 * A process's identity: team, entitlements and the sandbox they make. In order of
 * authority: world.plist's entry for the bundle, the executable's signature, the
 * team its entitlements name, the build settings, then the project's one team.
 */
export function processIdentity(input: IdentityInput): ProcessIdentity {
  const { manifest, signature } = input;
  const entitlements = {
    ...input.entitlementsFile,
    ...signature?.entitlements,
    ...manifest.entitlements,
  };
  const candidates: [string | undefined, string][] = [
    [manifest.signing?.teamId, 'world.plist'],
    [signature?.teamId, 'the code signature'],
    [teamFromEntitlements(entitlements), 'the entitlements'],
    [teamFromSettings(input.buildSettings), 'the build settings'],
    [input.projectTeam, "the project's other files"],
  ];
  const found = candidates.find(([team]) => team !== undefined);
  const signing: Signing = {
    anchor: signature?.anchor ?? 'developer-id',
    notarized: false,
    ...manifest.signing,
    ...(found?.[0] ? { teamId: found[0] } : {}),
  };
  return {
    signing,
    entitlements,
    sandbox: mergeSandbox(sandboxFromEntitlements(entitlements), manifest.sandbox),
    ...(found ? { teamSource: found[1] } : {}),
  };
}
