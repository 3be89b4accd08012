/**
 * Splits text that arrives in pieces into lines, shared by the trace reader
 * and the log importer. It keeps only the unfinished last line between pieces,
 * so a file of any size needs one chunk of memory; a line number counts every
 * line, empty ones included, from 1.
 */
export class LineSplitter {
  private carry = '';
  private lineNo = 0;

  /** `complete` is false only for a last line the text ends without a newline. */
  constructor(private readonly onLine: (line: string, lineNo: number, complete: boolean) => void) {}

  push(text: string): void {
    const buf = this.carry === '' ? text : this.carry + text;
    let start = 0;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      this.onLine(buf.slice(start, nl), ++this.lineNo, true);
      start = nl + 1;
    }
    this.carry = start === 0 ? buf : buf.slice(start);
  }

  end(): void {
    if (this.carry !== '') this.onLine(this.carry, ++this.lineNo, false);
    this.carry = '';
  }
}
