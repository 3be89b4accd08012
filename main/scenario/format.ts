import type { TraceEvent } from '../trace/schema';

/** One event on one line, for a failure report. */
export function formatEvent(e: TraceEvent, t0: number): string {
  const at = `#${e.seq} +${Math.max(0, Math.round(e.t - t0))}ms`;
  return `${at} ${describeEvent(e)}`;
}

/** One event in words, without its time. */
export function describeEvent(e: TraceEvent): string {
  switch (e.kind) {
    case 'log':
      return `log ${e.process}[${e.pid}]: ${e.text}`;
    case 'connection.state':
      return `connection ${e.conn} ${e.side} of ${e.name} in pid ${e.pid}: ${e.from} → ${e.to}${e.error ? ` ${e.error}` : ''}${e.cause ? ` (${e.cause})` : ''}`;
    case 'process.spawn':
      return `spawn ${e.label}[${e.pid}] because ${e.reason}`;
    case 'process.exit':
      return `exit ${e.label}[${e.pid}] ${e.cause}${e.clean ? ' clean' : ''}: ${e.detail}`;
    case 'lookup':
      return `lookup ${e.name} by pid ${e.pid}: ${e.ok ? `found ${e.target}` : `error ${e.errno} (${e.error})`}`;
    case 'message':
      return `message #${e.id} ${e.dir} ${e.from} → ${e.to} on ${e.conn}${e.key ? ` ${e.key}` : ''} (${e.size} bytes)`;
    case 'reply.failed':
      return `reply to #${e.request} on ${e.conn} failed: ${e.error} (${e.cause})`;
    case 'message.dropped':
      return `message dropped on ${e.conn}: ${e.reason}`;
    case 'service.register':
      return `register ${e.name} in ${e.domain} by ${e.label}`;
    case 'service.unregister':
      return `unregister ${e.name} from ${e.domain}: ${e.reason}`;
    case 'diagnostic':
      return `${e.severity} ${e.file ? `${e.file}: ` : ''}${e.message}`;
    case 'action':
      return `action ${e.action}${e.target ? ` ${e.target}` : ''}${e.detail ? ` (${e.detail})` : ''}`;
    case 'sysext':
      return `sysext ${e.bundleId} (${e.shortVersion}/${e.bundleVersion}) [${e.state}]${e.detail ? `: ${e.detail}` : ''}`;
    case 'service.binding':
      return `binding ${e.name} in ${e.domain}: ${e.binding}, bound to ${e.label} ${e.boundTo} (${e.cause})`;
    case 'upgrade':
      return `upgrade ${e.app} ${e.from} → ${e.to} (${e.installer}, VPN ${e.vpnConnected ? 'connected' : 'disconnected'}): ${e.replaced.map((r) => `${r.label} ${r.action}`).join('; ')}`;
    default: {
      const { v: _v, seq: _s, t: _t, kind, ...rest } = e as TraceEvent & Record<string, unknown>;
      return `${kind} ${JSON.stringify(rest)}`;
    }
  }
}
