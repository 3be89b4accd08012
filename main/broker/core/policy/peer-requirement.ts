import type { JobSpec } from '../../../world/model';
import type { Proc } from '../../launchd/process';
import { checkRequirement, type RequirementCheck, type SigningIdentity } from './requirement';
import { certificateInfo } from './signature-identity';

/**
 * The signature a process presents to a peer's requirement (XPC-MODEL §1.5, §6).
 * With a real code signature (XPC-MODEL §10.5) the identifier, CDHash and
 * certificate chain are the signature's; [I] once world.plist overrides the
 * anchor or the team, the real chain no longer describes the simulated build
 * and a chain is derived from the overriding values instead.
 */
export function signingIdentity(job: JobSpec): SigningIdentity {
  // XPC-MODEL §10.7: code loaded into an Apple host presents the host's signature: Apple, platform, no team.
  if (job.host) {
    return {
      identifier: job.host.identifier,
      anchor: 'apple',
      notarized: false,
      entitlements: { 'com.apple.private.security.clear-library-validation': true },
      info: { CFBundleIdentifier: job.host.identifier },
    };
  }
  const signature = job.signature;
  const realChain =
    signature && !signature.overridden.includes('anchor') && !signature.overridden.includes('teamId');
  return {
    identifier: signature?.identifier || job.bundleId || job.label,
    anchor: job.signing.anchor,
    notarized: job.signing.notarized,
    entitlements: job.entitlements,
    ...(job.signing.teamId ? { teamId: job.signing.teamId } : {}),
    ...(signature ? { cdhash: signature.cdhash } : {}),
    ...(realChain ? { certificates: signature.certificates.map(certificateInfo) } : {}),
  };
}

/**
 * XPC-MODEL §1.5: the requirement is checked against every message, using the
 * sender's signature. A sender that has exited has no code to check (-67065).
 */
export function checkPeer(requirement: string, sender: Proc | undefined): RequirementCheck {
  const alive = sender && sender.state !== 'exited' ? sender : undefined;
  return checkRequirement(requirement, alive ? signingIdentity(alive.job) : undefined);
}

/** Whether a requirement compiles: xpc_connection_set_peer_code_signing_requirement returns EINVAL otherwise. */
export function requirementCompiles(requirement: string): boolean {
  return checkRequirement(requirement, { identifier: '', anchor: 'apple' }).status !== -67052;
}
