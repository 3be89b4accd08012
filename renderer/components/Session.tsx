import { useConsole } from '../store';

/** Where this session is written to, or why it no longer is: a lost recording must not go unnoticed. */
export function Recording() {
  const recording = useConsole((s) => s.recording);
  if (!recording) return null;
  if (recording.error)
    return (
      <span className="recording recording-error" role="alert" title={recording.path}>
        Not recording: {recording.error}
      </span>
    );
  return (
    <span className="recording muted" title={recording.path}>
      ● Recording to {recording.path}
    </span>
  );
}

/** How far a trace file has loaded; gone once it has. */
export function TraceProgress() {
  const progress = useConsole((s) => s.progress);
  if (!progress || progress.total === 0 || progress.done >= progress.total) return null;
  const percent = Math.floor((progress.done / progress.total) * 100);
  return (
    <label className="trace-progress">
      Loading trace {percent}%
      <progress value={progress.done} max={progress.total} />
    </label>
  );
}
