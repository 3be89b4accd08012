/** A code signature that cannot be read: names the file and what is wrong with it. */
export class SignatureError extends Error {
  readonly file: string;
  readonly detail: string;

  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'SignatureError';
    this.file = file;
    this.detail = detail;
  }
}
