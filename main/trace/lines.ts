/**
 * Splits text that arrives in pieces into lines, shared by the trace reader
 * and the log importer. It keeps only the unfinished last line between pieces,
 * so a file of any size needs one chunk of memory; a line number counts every
 * line, empty ones included, from 1.
 *
 * Given each piece's byte offset in the file, it also says for each line where
 * a re-read can start and still find it: see `resumeOffset`.
 */
export class LineSplitter {
  private carry = '';
  private carryChunk = 0;
  private lineNo = 0;

  /** `complete` is false only for a last line the text ends without a newline. */
  constructor(
    private readonly onLine: (line: string, lineNo: number, complete: boolean, chunkStart: number) => void,
  ) {}

  /** `chunkStart`: the file offset of the first byte of the chunk `text` was decoded from. */
  push(text: string, chunkStart = 0): void {
    const buf = this.carry === '' ? text : this.carry + text;
    // The first line began in the chunk the carried text came from.
    let lineChunk = this.carry === '' ? chunkStart : this.carryChunk;
    let start = 0;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      this.onLine(buf.slice(start, nl), ++this.lineNo, true, lineChunk);
      lineChunk = chunkStart;
      start = nl + 1;
    }
    this.carry = start === 0 ? buf : buf.slice(start);
    this.carryChunk = lineChunk;
  }

  end(): void {
    if (this.carry !== '') this.onLine(this.carry, ++this.lineNo, false, this.carryChunk);
    this.carry = '';
  }
}

/**
 * Where to start re-reading a file so that, after skipping up to the first
 * newline, a line that began in the chunk at `chunkStart` is not passed over.
 * A chunk can begin inside a multi-byte character that itself begins a line,
 * so the re-read starts one newline and three continuation bytes earlier.
 */
export function resumeOffset(chunkStart: number): number {
  return Math.max(0, chunkStart - 4);
}
