import type { ConnectionView } from '../../main/trace/model';
import { bytes, ms } from '../format';
import { live } from '../store';

/** Messages and bytes each way, pending replies and reply latency of one connection. */
export function MessageStatsLine({ conn }: { conn: ConnectionView }) {
  const clientConn = conn.side === 'peer' && conn.peerConn ? conn.peerConn : conn.conn;
  const agg = live.stats.byConnection.get(clientConn);
  const p50 = agg?.latency.quantile(0.5);
  const p95 = agg?.latency.quantile(0.95);
  return (
    <span>
      ↑ {conn.sent} · {bytes(conn.bytesOut)} ↓ {conn.received} · {bytes(conn.bytesIn)}
      {conn.pendingReplies ? ` · ${conn.pendingReplies} awaiting reply` : ''}
      {p50 !== undefined ? (
        <span className="muted">
          {' '}
          · reply p50 {ms(p50)}, p95 {ms(p95 ?? p50)}
        </span>
      ) : null}
    </span>
  );
}
