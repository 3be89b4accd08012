import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleSource } from '../session/source';
import { fsErrorInfo } from './fs-error';
import { defaultSessionPath, TraceRecorder } from './recorder';

export function defaultSessionsDir(): string {
  return process.env.XPC_LAB_SESSIONS ?? join(homedir(), '.xpc-lab', 'sessions');
}

/**
 * Records everything a source emits into an NDJSON trace in `dir`. A disk or
 * permission error is shown in the console as a diagnostic and the live
 * session goes on unrecorded.
 */
export function recordSource(
  source: ConsoleSource,
  opts: { dir: string; host: 'electron' | 'headless' | 'cli'; world: string },
): TraceRecorder {
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
