import { describeStatus, OSStatus } from './os-status';
import { evaluateRequirement } from './requirement-evaluator';
import { describeMismatches, explainFailure, type RequirementMismatch } from './requirement-explain';
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
export { describeMismatches, explainFailure, type RequirementMismatch } from './requirement-explain';
export { formatRequirement } from './requirement-format';
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
  /** For -67050: the clauses that did not hold and what the code has instead. */
  mismatches?: RequirementMismatch[];
  /** Set when the text was adjusted before compiling (a pasted `designated =>` prefix). */
  hint?: string;
}

/** `designated => …` (or `# designated => …`) is how `codesign -d -r-` labels its output. */
const DESIGNATED_PREFIX = /^\s*#?\s*designated\s*=>\s*/;

export const DESIGNATED_HINT =
  'the requirement began with "designated =>", which is how codesign -d -r- labels its output, not part of the requirement; the prefix was removed (XPC-MODEL §10.5)';

/** XPC-MODEL §10.5: strips a pasted `designated =>` prefix and says so. */
export function prepareRequirement(text: string): { text: string; hint?: string } {
  const match = DESIGNATED_PREFIX.exec(text);
  if (!match) return { text };
  return { text: text.slice(match[0].length), hint: DESIGNATED_HINT };
}

/**
 * Compiles and checks a requirement the way SecCodeCheckValidity reports it
 * (XPC-MODEL §6.2). `code` is undefined when the peer process has gone away.
 */
export function checkRequirement(text: string, code: SigningIdentity | undefined): RequirementCheck {
  const prepared = prepareRequirement(text);
  const hint = prepared.hint ? { hint: prepared.hint } : {};
  // [I] XPC Lab's own decision: the string is compiled first, so a syntax
  // error wins over a missing or unsigned peer.
  const compiled = compile(prepared.text);
  if (compiled instanceof RequirementSyntaxError) return { ...result(-67052, compiled.message), ...hint };
  if (code === undefined) return { ...result(-67065), ...hint }; // XPC-MODEL §1.5: pid exited or reused
  if (code.anchor === 'unsigned') return { ...result(-67062), ...hint };
  if (evaluateRequirement(compiled, code)) return { ...result(0), ...hint };
  const mismatches = explainFailure(compiled, code);
  const failed = result(-67050);
  return {
    ...failed,
    message: `${failed.message}: ${describeMismatches(mismatches)}`,
    mismatches,
    ...hint,
  };
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
