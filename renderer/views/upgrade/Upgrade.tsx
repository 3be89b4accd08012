import { useEffect } from 'react';
import { useConsole } from '../../store';
import { Report } from './Report';
import { SysextList } from './SysextList';
import { refreshList, useUpgrade } from './state';
import { UpgradeForm } from './UpgradeForm';

/** Install version N+1 of an app over the running one, and see what its connections go through. */
export function Upgrade() {
  const mode = useConsole((s) => s.mode);
  const { report, list } = useUpgrade();
  useEffect(() => {
    if (mode === 'live') void refreshList();
  }, [mode]);
  return (
    <div className="panel upgrade">
      {mode === 'trace' ? <p className="hint">A recorded trace is open: upgrades run only live.</p> : null}
      <UpgradeForm />
      {list ? <SysextList list={list} /> : null}
      {report ? <Report report={report} /> : null}
    </div>
  );
}
