import { FileReadError } from '../fs-error';
import type { TraceEvent } from '../schema';
import { streamTextFile, type TextFileOptions } from '../text-file';
import { LogImporter, type LogImportOptions, type LogImportStats } from './stream';

export interface ImportLogFileOptions extends Omit<LogImportOptions, 'source'>, TextFileOptions {
  /** The name errors and the stats give the file; its path when not set. */
  source?: string;
}

/** A log file that could not be opened or read at all (as opposed to a line in it that is not XPC). */
export class LogReadError extends FileReadError {
  constructor(path: string, cause: unknown) {
    super('log', path, cause);
    this.name = 'LogReadError';
  }
}

/**
 * Imports a Mac's log file in chunks: each event goes to `onEvent` as it is
 * made and is then forgotten, so memory does not grow with the file. Progress
 * is in bytes of the file. Throws LogReadError when the file cannot be read,
 * UnknownLogFormatError (naming the file) when its first lines are in no
 * style it knows, and the signal's reason when aborted.
 */
export async function importLogFile(
  path: string,
  onEvent: (event: TraceEvent) => void,
  options: ImportLogFileOptions = {},
): Promise<LogImportStats> {
  const { onProgress, signal, chunkBytes, source, ...rest } = options;
  const importer = new LogImporter(onEvent, { ...rest, source: source ?? path });
  // What the importer or onEvent throws is theirs to report; only a failure to read is a LogReadError.
  let fromImport: { error: unknown } | undefined;
  const push = (text: string) => {
    try {
      importer.push(text);
    } catch (error) {
      fromImport = { error };
      throw error;
    }
  };
  try {
    await streamTextFile(path, push, {
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
      ...(chunkBytes ? { chunkBytes } : {}),
    });
  } catch (err) {
    if (fromImport) throw fromImport.error;
    if (signal?.aborted) throw err;
    throw new LogReadError(path, err);
  }
  return importer.end();
}
