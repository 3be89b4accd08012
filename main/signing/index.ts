import { readFileSync } from 'node:fs';
import { sparseSource, withFileSource } from './byte-source';
import { readCodeSignature } from './code-signature';
import type { CodeSignatureReport } from './types';

export { type ByteSource, bufferSource, SPARSE_MAGIC, sparseSource, withFileSource } from './byte-source';
export {
  FLAG_ADHOC,
  FLAG_LINKER_SIGNED,
  FLAG_RUNTIME,
  flagNames,
  hostArchitecture,
  readCodeSignature,
} from './code-signature';
export { SignatureError } from './errors';
export { requirementText } from './requirement-text';
export type * from './types';

/** Reads the code signature of a Mach-O file on disk. */
export function readCodeSignatureFile(path: string): CodeSignatureReport {
  return withFileSource(path, readCodeSignature);
}

/** Reads a cut-signature fixture (see byte-source.ts) as if it were the original binary. */
export function readCodeSignatureSparse(path: string): CodeSignatureReport {
  return readCodeSignature(sparseSource(path, readFileSync(path)));
}
