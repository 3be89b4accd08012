import { describeStatus, OSStatus } from './os-status';
import { evaluateRequirement } from './requirement-evaluator';
import { parseRequirement } from './requirement-parser';
import { RequirementSyntaxError } from './requirement-syntax-error';
import type { Requirement, SigningIdentity } from './requirement-types';

export { describeStatus, OSStatus } from './os-status';
export {
  OID_APPLE_DEVELOPMENT,
  OID_DEVELOPER_ID_APPLICATION,
  OID_DEVELOPER_ID_CA,
  OID_DEVELOPER_ID_KEXT,
  OID_WWDR_CA,
} from './requirement-chain';
export { evaluateRequirement } from './requirement-evaluator';
export { parseRequirement } from './requirement-parser';
export { RequirementSyntaxError } from './requirement-syntax-error';
export type {
  CertificateField,
  CertificateInfo,
  CertificatePosition,
  ComparisonOperator,
  EqualityMode,
  MatchSuffix,
  Requirement,
  SigningAnchor,
  SigningIdentity,
  SubjectKey,
} from './requirement-types';

export type RequirementStatus = 0 | -67050 | -67052 | -67062 | -67065;

export interface RequirementCheck {
  status: RequirementStatus;
  ok: boolean;
  message: string;
}

/**
 * Compiles and checks a requirement the way SecCodeCheckValidity reports it
 * (XPC-MODEL §6.2). `code` is undefined when the peer process has gone away.
 */
export function checkRequirement(text: string, code: SigningIdentity | undefined): RequirementCheck {
  // [I] XPC Lab's own decision: the string is compiled first, so a syntax
  // error wins over a missing or unsigned peer.
  const compiled = compile(text);
  if (compiled instanceof RequirementSyntaxError) return result(-67052, compiled.message);
  if (code === undefined) return result(-67065); // XPC-MODEL §1.5: pid exited or reused
  if (code.anchor === 'unsigned') return result(-67062);
  return evaluateRequirement(compiled, code) ? result(0) : result(-67050);
}

function compile(text: string): Requirement | RequirementSyntaxError {
  try {
    return parseRequirement(text);
  } catch (error) {
    if (error instanceof RequirementSyntaxError) return error;
    throw error;
  }
}

/** `detail` replaces the generic §6.2 meaning, e.g. with the syntax error's position. */
function result(status: RequirementStatus, detail?: string): RequirementCheck {
  const message = detail ? `${status} ${OSStatus[status]}: ${detail}` : describeStatus(status);
  return { status, ok: status === 0, message };
}
