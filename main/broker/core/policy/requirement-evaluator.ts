import { certificateAt, certificateChain, isAppleRooted, isTrusted } from './requirement-chain';
import { lookup, satisfiesMatch } from './requirement-match';
import type { CertificateField, CertificateInfo, Requirement, SigningIdentity } from './requirement-types';

interface Context {
  code: SigningIdentity;
  chain: readonly CertificateInfo[];
}

/** Evaluates a compiled requirement against a signature (XPC-MODEL §6.1). */
export function evaluateRequirement(requirement: Requirement, code: SigningIdentity): boolean {
  // [I] XPC Lab's own decision: unsigned code satisfies nothing; checkRequirement
  // reports it as -67062 before evaluating.
  if (code.anchor === 'unsigned') return false;
  return evaluate(requirement, { code, chain: certificateChain(code) });
}

function evaluate(requirement: Requirement, context: Context): boolean {
  const { code, chain } = context;
  switch (requirement.kind) {
    case 'and':
      return evaluate(requirement.left, context) && evaluate(requirement.right, context);
    case 'or':
      return evaluate(requirement.left, context) || evaluate(requirement.right, context);
    case 'not':
      return !evaluate(requirement.operand, context);
    case 'constant':
      return requirement.value;
    case 'anchorApple':
      return code.anchor === 'apple';
    case 'anchorAppleGeneric':
      return isAppleRooted(code.anchor);
    case 'certificateTrusted':
      return isTrusted(chain, requirement.position);
    case 'certificateHash':
      return sameHash(certificateAt(chain, requirement.position)?.sha1, requirement.hash);
    case 'certificateField':
      return satisfiesMatch(
        fieldValue(certificateAt(chain, requirement.position), requirement.field),
        requirement.match,
      );
    case 'identifier':
      return code.identifier === requirement.value;
    case 'cdhash':
      return sameHash(code.cdhash, requirement.hash);
    case 'info':
      return satisfiesMatch(lookup(code.info, requirement.key), requirement.match);
    case 'entitlement':
      return satisfiesMatch(lookup(code.entitlements, requirement.key), requirement.match);
    case 'notarized':
      return code.notarized === true;
    case 'platform':
      return code.platform === requirement.value;
  }
}

function sameHash(actual: string | undefined, expected: string): boolean {
  return actual !== undefined && actual.toLowerCase() === expected;
}

// [I] XPC Lab's own decision: `field.OID` and `extension.OID` both read the
// certificate's `fields` map, keyed by OID.
function fieldValue(certificate: CertificateInfo | undefined, field: CertificateField): unknown {
  if (!certificate) return undefined;
  if (field.kind === 'subject') return lookup(certificate.subject, field.key);
  return lookup(certificate.fields, field.oid);
}
