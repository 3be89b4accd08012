import { ConnectionDetail } from '../inspect/ConnectionDetail';
import { EventDetail } from '../inspect/EventDetail';
import { MessageDetail } from '../inspect/MessageDetail';
import { ProcessDetail } from '../inspect/ProcessDetail';
import { useConsole } from '../store';

/** Details of whatever is selected, wherever it was selected. */
export function Inspector() {
  const selection = useConsole((s) => s.selection);
  switch (selection?.kind) {
    case 'conn':
      return <ConnectionDetail id={selection.id} />;
    case 'proc':
      return <ProcessDetail pid={selection.pid} />;
    case 'msg':
      return <MessageDetail id={selection.id} abs={selection.abs} />;
    case 'event':
      return <EventDetail seq={selection.seq} />;
    default:
      return (
        <p className="empty">
          Select a message, connection, process or event to see it here. Keys: j/k move, / filters, ? lists
          them all.
        </p>
      );
  }
}
