/** File-system error codes in words a user can act on; shared by the recorder, the trace reader and the log importer. */
const FS_ERROR_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'the folder or file does not exist',
  ENOTDIR: 'part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EEXIST: 'a file with that name already exists and is not overwritten',
  EISDIR: 'the path is a folder, not a file',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on this system',
  EFBIG: 'the file has reached the largest size this disk allows',
  EIO: 'the disk reported an input/output error',
  ENAMETOOLONG: 'the path is too long',
};

export interface FsErrorInfo {
  code?: string;
  /** Plain words for the code where we know it, else the system's own message. */
  words: string;
}

export function fsErrorInfo(err: unknown): FsErrorInfo {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  const known = code ? FS_ERROR_WORDS[code] : undefined;
  const words = known ?? (err instanceof Error ? err.message : String(err));
  return code ? { code, words } : { words };
}

/** A file that could not be opened or read at all (as opposed to a bad line in it), named with what it was for. */
export class FileReadError extends Error {
  readonly code: string | undefined;
  readonly path: string;

  constructor(what: string, path: string, cause: unknown) {
    const info = fsErrorInfo(cause);
    super(`cannot read ${what} ${path}: ${info.words}`, { cause });
    this.name = 'FileReadError';
    this.code = info.code;
    this.path = path;
  }
}
