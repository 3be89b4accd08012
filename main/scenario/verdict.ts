/** Whether an expectation holds; a failure says what was seen instead and which event it is near. */
export type Verdict = { ok: true } | { ok: false; message: string; near?: number };

export const pass: Verdict = { ok: true };

export const fail = (message: string, near?: number): Verdict => ({
  ok: false,
  message,
  ...(near === undefined ? {} : { near }),
});
