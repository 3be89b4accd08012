import { actions } from '../store';

/** Crash and Kill for a running process, wherever it is shown; a click acts on it and selects nothing else. */
export function ProcessActions({
  pid,
  ariaLabel,
}: {
  pid: number;
  /** The accessible name of each button: the views showing the same process side by side name them apart. */
  ariaLabel: (verb: 'Crash' | 'Kill') => string;
}) {
  return (
    <>
      <button
        type="button"
        className="small danger"
        aria-label={ariaLabel('Crash')}
        onClick={(e) => {
          e.stopPropagation();
          void actions.crash(pid);
        }}
      >
        Crash
      </button>
      <button
        type="button"
        className="small"
        aria-label={ariaLabel('Kill')}
        onClick={(e) => {
          e.stopPropagation();
          void actions.kill(pid);
        }}
      >
        Kill
      </button>
    </>
  );
}
