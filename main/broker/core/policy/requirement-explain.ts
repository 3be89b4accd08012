import { certificateAt, certificateChain, isAppleRooted } from './requirement-chain';
import { evaluateRequirement } from './requirement-evaluator';
import { field, formatRequirement, position } from './requirement-format';
import { lookup } from './requirement-match';
import type { CertificateInfo, Requirement, SigningIdentity } from './requirement-types';

/** Which clause of a failed requirement did not hold, and what the code has instead. */
export interface RequirementMismatch {
  /** The failing clause, as requirement text. */
  clause: string;
  /** The field's actual value, e.g. `the leaf's subject.OU is "ABCDE12345"`. */
  actual: string;
}

/**
 * Explains why a requirement evaluated to false for `code` (XPC-MODEL §1.5, §6):
 * the first failing clause of an `and`, every alternative of an `or`.
 */
export function explainFailure(requirement: Requirement, code: SigningIdentity): RequirementMismatch[] {
  if (evaluateRequirement(requirement, code)) return [];
  return explain(requirement, code);
}

function explain(r: Requirement, code: SigningIdentity): RequirementMismatch[] {
  switch (r.kind) {
    case 'and':
      return evaluateRequirement(r.left, code) ? explain(r.right, code) : explain(r.left, code);
    case 'or':
      return [...explain(r.left, code), ...explain(r.right, code)];
    case 'not':
      return [{ clause: formatRequirement(r), actual: `${formatRequirement(r.operand)} holds` }];
    default:
      return [{ clause: formatRequirement(r), actual: actual(r, code) }];
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function certificateName(p: number): string {
  if (p === 0) return "the leaf's";
  if (p === -1) return "the root's";
  return `certificate ${p}'s`;
}

function actual(r: Requirement, code: SigningIdentity): string {
  const chain = certificateChain(code);
  const noChain =
    code.anchor === 'adhoc'
      ? 'ad-hoc code has no certificates'
      : `the code is signed by ${code.anchor}, with no certificate chain`;
  switch (r.kind) {
    case 'constant':
      return 'never holds';
    case 'anchorApple':
      return isAppleRooted(code.anchor)
        ? 'the code is not Apple’s own (anchor apple means Apple’s code only)'
        : noChain;
    case 'anchorAppleGeneric':
    case 'certificateTrusted':
      return chain.length === 0 ? noChain : 'the chain does not end at the Apple Root CA';
    case 'certificateHash': {
      const cert = certificateAt(chain, r.position);
      if (chain.length === 0) return noChain;
      return cert?.sha1
        ? `certificate ${position(r.position)}'s SHA-1 is ${cert.sha1}`
        : `certificate ${position(r.position)} has no known hash`;
    }
    case 'certificateField': {
      if (chain.length === 0) return noChain;
      const cert: CertificateInfo | undefined = certificateAt(chain, r.position);
      if (!cert) return `there is no certificate ${position(r.position)} (the chain has ${chain.length})`;
      const name = field(r.field);
      if (r.field.kind === 'subject') {
        const value = lookup(cert.subject, r.field.key);
        return value === undefined
          ? `${certificateName(r.position)} subject has no ${r.field.key}`
          : `${certificateName(r.position)} ${name} is ${show(value)}`;
      }
      const present = lookup(cert.fields, r.field.oid) !== undefined;
      const cn = cert.subject.CN ? ` ("${cert.subject.CN}")` : '';
      return present
        ? `${certificateName(r.position)} ${name} is ${show(cert.fields[r.field.oid])}`
        : `${certificateName(r.position).replace(/'s$/, '')}${cn} does not carry ${r.field.oid}`;
    }
    case 'identifier':
      return `the identifier is "${code.identifier}"`;
    case 'cdhash':
      return code.cdhash ? `the CDHash is ${code.cdhash}` : 'the CDHash is not known';
    case 'info': {
      const value = lookup(code.info, r.key);
      return value === undefined ? `Info.plist has no ${r.key}` : `info[${r.key}] is ${show(value)}`;
    }
    case 'entitlement': {
      const value = lookup(code.entitlements, r.key);
      return value === undefined
        ? `the code has no ${r.key} entitlement`
        : `entitlement[${r.key}] is ${show(value)}`;
    }
    case 'notarized':
      return 'the code is not notarized';
    case 'platform':
      return code.platform === undefined ? 'the code has no platform' : `the platform is ${code.platform}`;
    default:
      return 'does not hold';
  }
}

/** One line: `certificate leaf[subject.OU] = ABCDE12345 (the leaf's subject.OU is "ZZZZZ99999")`. */
export function describeMismatches(mismatches: readonly RequirementMismatch[]): string {
  return mismatches.map((m) => `${m.clause} (${m.actual})`).join('; nor ');
}
