/** XPC-MODEL §6.2: a requirement string that does not compile is errSecCSReqInvalid. */
export class RequirementSyntaxError extends Error {
  readonly status = -67052;
  /** 0-based character offset into the requirement text. */
  readonly position: number;
  readonly expected: string;
  readonly found: string;

  constructor(position: number, expected: string, found: string) {
    super(`requirement syntax error at position ${position}: expected ${expected}, found ${found}`);
    this.name = 'RequirementSyntaxError';
    this.position = position;
    this.expected = expected;
    this.found = found;
  }
}
