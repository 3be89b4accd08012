import { useConsole } from '../store';

/** Errors from main and confirmations, in the middle of the screen's lower edge where the eye is after a click. */
export function Notices() {
  const notices = useConsole((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice notice-${n.level}`}
          role={n.level === 'error' ? 'alert' : undefined}
        >
          {n.text}
        </div>
      ))}
    </div>
  );
}
