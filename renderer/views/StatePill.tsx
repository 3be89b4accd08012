import type { ConnectionState } from '../../main/trace/schema';

export function StatePill({ state }: { state: ConnectionState }) {
  return (
    <span className={`pill pill-${state}`} data-state={state}>
      {state}
    </span>
  );
}
