/** The signature of a simulated process, as the requirement evaluator sees it. */
export interface SigningIdentity {
  identifier: string;
  teamId?: string;
  anchor: SigningAnchor;
  notarized?: boolean;
  platform?: number;
  cdhash?: string;
  info?: Record<string, unknown>;
  entitlements?: Record<string, unknown>;
  /** Leaf first; when absent a chain is derived from `anchor` and `teamId`. */
  certificates?: CertificateInfo[];
}

export type SigningAnchor =
  | 'apple'
  | 'developer-id'
  | 'apple-development'
  | 'mac-app-store'
  | 'adhoc'
  | 'unsigned';

export interface CertificateInfo {
  subject: Record<string, string>;
  /** Keyed by OID; `true` for a marker extension that carries no value. */
  fields: Record<string, string | true>;
  /** 40 hex digits. */
  sha1?: string;
}

/** leaf = 0, root/anchor = -1; negative positions count from the anchor end (XPC-MODEL §6.1). */
export type CertificatePosition = number;

export type SubjectKey = 'CN' | 'C' | 'D' | 'L' | 'O' | 'OU' | 'STREET' | 'ST' | 'email';

export type CertificateField =
  | { kind: 'subject'; key: SubjectKey }
  | { kind: 'field'; oid: string }
  | { kind: 'extension'; oid: string };

export type ComparisonOperator = '<' | '>' | '<=' | '>=';

/** `foo*` begins with, `*foo` ends with, `*foo*` contains (XPC-MODEL §6.1). */
export type EqualityMode = 'equal' | 'beginsWith' | 'endsWith' | 'contains';

export type MatchSuffix =
  | { op: 'exists' }
  /** XPC-MODEL §10.5: the key is not there at all. */
  | { op: 'absent' }
  | { op: '='; mode: EqualityMode; value: string }
  | { op: ComparisonOperator; value: string };

export type Requirement =
  /** `always`/`true`, `never`/`false` (Apple REQLANG). */
  | { kind: 'constant'; value: boolean }
  | { kind: 'and'; left: Requirement; right: Requirement }
  | { kind: 'or'; left: Requirement; right: Requirement }
  | { kind: 'not'; operand: Requirement }
  | { kind: 'anchorApple' }
  | { kind: 'anchorAppleGeneric' }
  | { kind: 'certificateTrusted'; position: CertificatePosition }
  | { kind: 'certificateHash'; position: CertificatePosition; hash: string }
  | { kind: 'certificateField'; position: CertificatePosition; field: CertificateField; match: MatchSuffix }
  | { kind: 'identifier'; value: string }
  | { kind: 'cdhash'; hash: string }
  | { kind: 'info'; key: string; match: MatchSuffix }
  | { kind: 'entitlement'; key: string; match: MatchSuffix }
  | { kind: 'notarized' }
  | { kind: 'platform'; value: number };
