import { useEffect } from 'react';
import { useTick } from '../../hooks';
import { useConsole } from '../../store';
import { Report } from './Report';
import { SysextList } from './SysextList';
import { latestUpgrade, refreshList, useUpgrade } from './state';
import { UpgradeForm } from './UpgradeForm';

/** Install version N+1 of an app over the running one, and see what its connections go through. */
export function Upgrade() {
  useTick(4);
  const mode = useConsole((s) => s.mode);
  const { list } = useUpgrade();
  useEffect(() => {
    if (mode === 'live') void refreshList();
  }, [mode]);
  const latest = latestUpgrade();
  return (
    <div className="panel upgrade">
      {mode === 'trace' ? (
        <p className="hint">
          A recorded trace is open: its upgrade report is shown as recorded; upgrades and remedies run only
          live.
        </p>
      ) : (
        <UpgradeForm />
      )}
      {latest ? <Report report={latest.report} story={latest.story} /> : null}
      {mode === 'trace' && !latest ? <p className="muted">This trace holds no upgrade.</p> : null}
      {list && mode === 'live' ? <SysextList list={list} /> : null}
    </div>
  );
}
