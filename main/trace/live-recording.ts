import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleSource } from '../session/source';
import { fsErrorInfo } from './fs-error';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES, defaultSessionPath, TraceRecorder } from './recorder';

export function defaultSessionsDir(): string {
  return process.env.XPC_LAB_SESSIONS ?? join(homedir(), '.xpc-lab', 'sessions');
}

/**
 * The trace cap: XPC_LAB_TRACE_MAX_MB (default 256) per file, XPC_LAB_TRACE_FILES (default 4) files kept.
 * A value that is not a positive number is ignored.
 */
export function traceCap(env: NodeJS.ProcessEnv = process.env): { maxFileBytes: number; maxFiles: number } {
  const mb = Number(env.XPC_LAB_TRACE_MAX_MB);
  const files = Number(env.XPC_LAB_TRACE_FILES);
  return {
    maxFileBytes: Number.isFinite(mb) && mb > 0 ? Math.round(mb * 1024 * 1024) : DEFAULT_MAX_FILE_BYTES,
    maxFiles: Number.isInteger(files) && files > 0 ? files : DEFAULT_MAX_FILES,
  };
}

/**
 * Records everything a source emits into an NDJSON trace in `dir`. A disk or
 * permission error is shown in the console as a diagnostic and the live
 * session goes on unrecorded.
 */
export function recordSource(
  source: ConsoleSource,
  opts: {
    dir: string;
    host: 'electron' | 'headless' | 'cli';
    world: string;
    /** The cap on one trace file and the files kept (main/trace/recorder.ts); default from traceCap(). */
    maxFileBytes?: number;
    maxFiles?: number;
  },
): TraceRecorder {
  const cap = traceCap();
  let folderError: unknown;
  try {
    mkdirSync(opts.dir, { recursive: true });
  } catch (error) {
    // The folder's own error is the cause; opening a file in it would only say the file does not exist.
    folderError = error;
  }
  const path = uniquePath(defaultSessionPath(opts.dir));
  const recorder = new TraceRecorder({
    path,
    header: { host: opts.host, world: opts.world },
    maxFileBytes: opts.maxFileBytes ?? cap.maxFileBytes,
    maxFiles: opts.maxFiles ?? cap.maxFiles,
    onRotate: (r) =>
      source.hub.emit({
        kind: 'diagnostic',
        severity: 'warning',
        file: recorder.path,
        key: 'trace-cap',
        message:
          `The trace reached its cap of ${Math.round(r.maxFileBytes / (1024 * 1024))} MB and was rotated to ${r.rotatedTo}` +
          (r.deleted ? `; the oldest part ${r.deleted} was deleted with its ${r.deletedEvents} events` : ''),
        consequence: `${r.droppedEvents} events dropped from the recording so far; at most ${r.maxFiles} files are kept`,
      }),
    ...(folderError === undefined ? {} : { openFile: () => Promise.reject(folderError) }),
    onError: (e) => {
      source.recording = { path: e.path, error: e.message };
      source.hub.emit({
        kind: 'diagnostic',
        severity: 'error',
        file: e.path,
        // The recorder's message is a whole sentence: "Recording stopped: cannot create …".
        message: e.message,
        consequence:
          recorder.state === 'retrying'
            ? 'the live session goes on; events are held in memory while recording is retried'
            : 'the live session goes on; events from now on are not saved',
      });
    },
  });
  if (folderError !== undefined) {
    const info = fsErrorInfo(folderError);
    source.recording = {
      path,
      error: `Recording stopped: cannot create the folder ${opts.dir}: ${info.words}.`,
    };
    return recorder;
  }
  source.recording = { path: recorder.path };
  for (const event of source.hub.window.toArray()) recorder.append([event]);
  source.hub.subscribe((event) => recorder.append([event]));
  return recorder;
}

/** Two sessions started in the same second get distinct files. */
function uniquePath(path: string): string {
  if (!existsSync(path)) return path;
  for (let n = 2; ; n++) {
    const candidate = path.replace(/\.ndjson$/, `-${n}.ndjson`);
    if (!existsSync(candidate)) return candidate;
  }
}
