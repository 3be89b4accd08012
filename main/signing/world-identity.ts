import { join } from 'node:path';
import { anchorOf } from '../broker/core/policy/signature-identity';
import type { ProcessSignature } from '../trace/schema';
import type { JobSpec } from '../world/model';
import type { Diagnostic } from '../world/plist-file';
import { SignatureError } from './errors';
import { readExecutableSignature } from './executable';

/**
 * What world.plist says about one bundle's identity; each field it sets wins over the signature.
 * [I] world.plist's `signing` entry always carries an anchor (it defaults to developer-id),
 * so a `signing` entry replaces the signature's anchor as well as any team it names.
 */
export interface IdentityOverrides {
  signing?: Partial<JobSpec['signing']>;
  entitlements?: Record<string, unknown>;
}

export interface ProgramIdentity {
  signature?: ProcessSignature;
  signing?: Pick<JobSpec['signing'], 'anchor'> & { teamId?: string };
  entitlements?: Record<string, unknown>;
  diagnostic?: Diagnostic;
}

/**
 * XPC-MODEL §10.5: the signature of a job's executable is its identity. Team
 * ID, entitlements and certificate fields come from it; world.plist may still
 * override each, to simulate a differently signed build. An executable that
 * is absent, a script or unsigned leaves the manifest-driven identity alone.
 * `program` is the job's program as the world shows it ("/App.app/Contents/MacOS/App").
 */
export function identityOfProgram(
  root: string,
  program: string,
  overrides: IdentityOverrides,
): ProgramIdentity {
  const shown = program.replace(/^\//, '');
  let read: ReturnType<typeof readExecutableSignature>;
  try {
    read = readExecutableSignature(join(root, shown), shown);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    return {
      diagnostic: {
        severity: 'warning',
        file: shown,
        message: `code signature cannot be read: ${error.detail}`,
        consequence: 'the process keeps the identity world.plist gives it, as if unsigned',
      },
    };
  }
  if (!read) return {};
  const overridden = [
    ...(overrides.signing?.anchor !== undefined ? ['anchor'] : []),
    ...(overrides.signing?.teamId !== undefined ? ['teamId'] : []),
    ...Object.keys(overrides.entitlements ?? {}).map((key) => `entitlement ${key}`),
  ];
  return {
    signature: { ...read.summary, overridden },
    signing: { anchor: anchorOf(read.slice), ...(read.slice.teamId ? { teamId: read.slice.teamId } : {}) },
    ...(read.slice.entitlements ? { entitlements: read.slice.entitlements } : {}),
  };
}
