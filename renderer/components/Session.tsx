import { useEffect, useState } from 'react';
import type { Progress } from '../../preload/contract';
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

/** How long the last step of a helpers' start stays in the header once all are up. */
const STARTED_SHOWN_MS = 6000;

/** The helpers a world launches at load coming up: a bar while they start, then one line that fades. */
function HelperProgress({ progress }: { progress: Progress }) {
  const finished = progress.done >= progress.total;
  const [faded, setFaded] = useState(false);
  useEffect(() => {
    setFaded(false);
    if (!finished) return;
    const timer = setTimeout(() => setFaded(true), STARTED_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [finished]);
  return (
    <span
      className="startup-progress"
      role="status"
      title={progress.label}
      data-state={finished ? 'started' : 'starting'}
    >
      {finished ? (
        faded ? null : (
          <span className="muted">{progress.label}</span>
        )
      ) : (
        <label>
          {progress.label ?? `Starting helpers ${progress.done} of ${progress.total}`}
          <progress value={progress.done} max={progress.total} />
        </label>
      )}
    </span>
  );
}

/** How far a trace file has loaded, or the world's helpers have started; gone once done. */
export function TraceProgress() {
  const progress = useConsole((s) => s.progress);
  if (progress?.kind === 'helpers') return <HelperProgress progress={progress} />;
  if (!progress || progress.total === 0 || progress.done >= progress.total) return null;
  const percent = Math.floor((progress.done / progress.total) * 100);
  return (
    <label className="trace-progress">
      Loading trace {percent}%
      <progress value={progress.done} max={progress.total} />
    </label>
  );
}
