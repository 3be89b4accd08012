import { bytes, compact, ms, num, shortError } from '../../format';
import { useTick, useWidth } from '../../hooks';
import { shortLabel } from '../../names';
import type { Aggregate } from '../../stats/aggregates';
import { actions, live } from '../../store';
import { AreaChart, Bars, Sparkline } from './charts';

const CHART_SECONDS = 120;
const RATE_SECONDS = 10;
const SPARK_SECONDS = 60;

function quantiles(a: Aggregate): [string, string, string] {
  const q = (p: number) => {
    const v = a.latency.quantile(p);
    return v === undefined ? '—' : ms(v);
  };
  return [q(0.5), q(0.95), q(0.99)];
}

function AggregateRow({
  name,
  a,
  sec,
  onSelect,
}: {
  name: React.ReactNode;
  a: Aggregate;
  sec: number;
  onSelect?: () => void;
}) {
  const [p50, p95, p99] = quantiles(a);
  return (
    <tr onClick={onSelect}>
      <td>{name}</td>
      <td className="num">{num(a.messages)}</td>
      <td className="num">{compact(a.perSecond.rate(RATE_SECONDS, sec))}/s</td>
      <td className="num">{bytes(a.bytes)}</td>
      <td className="num">{p50}</td>
      <td className="num">{p95}</td>
      <td className="num">{p99}</td>
      <td>
        <Sparkline values={a.perSecond.window(SPARK_SECONDS, sec).counts} />
      </td>
    </tr>
  );
}

function Head({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th>{first}</th>
        <th className="num">Messages</th>
        <th className="num">Rate ({RATE_SECONDS} s)</th>
        <th className="num">Bytes</th>
        <th className="num">p50</th>
        <th className="num">p95</th>
        <th className="num">p99</th>
        <th>Last {SPARK_SECONDS} s</th>
      </tr>
    </thead>
  );
}

const errorTone = (label: string) =>
  label.includes('INTERRUPTED') || label.includes('IMMINENT') ? 'warn' : 'bad';

/** Rates, bytes, reply latency and errors, all read from aggregates kept as messages arrive. */
export function Statistics() {
  useTick(2);
  const [ref, width] = useWidth(800);
  const stats = live.stats;
  const sec = stats.tick();
  const total = stats.total;
  const series = total.perSecond.window(CHART_SECONDS, sec);
  const chartW = Math.max(260, (width - 48) / 2);
  const [p50, p95, p99] = quantiles(total);
  const errors = Object.entries(live.model.state.errors)
    .map(([k, n]): [string, number] => [k.startsWith('XPC_ERROR') ? shortError(k as never) : k, n])
    .sort((a, b) => b[1] - a[1]);
  const services = [...stats.byService.entries()].sort((a, b) => b[1].messages - a[1].messages);
  const conns = [...stats.byConnection.entries()].sort((a, b) => b[1].messages - a[1].messages).slice(0, 50);
  const { connections, processes } = live.model.state;
  return (
    <div className="statistics" ref={ref}>
      <div className="cards">
        <section className="card">
          <h3>Messages / s</h3>
          <AreaChart
            values={series.counts}
            width={chartW}
            height={120}
            label="Messages per second, last two minutes"
          />
        </section>
        <section className="card">
          <h3>Bytes / s</h3>
          <AreaChart
            values={series.bytes}
            width={chartW}
            height={120}
            label="Bytes per second, last two minutes"
            format={(n) => bytes(Math.round(n))}
          />
        </section>
        <section className="card">
          <h3>Reply latency</h3>
          <div className="big-numbers">
            <span>
              <b className="big-value">{p50}</b> p50
            </span>
            <span>
              <b className="big-value">{p95}</b> p95
            </span>
            <span>
              <b className="big-value">{p99}</b> p99
            </span>
          </div>
          <p className="muted">
            {num(total.replies)} replies to {num(total.requests)} requests · {num(total.messages)} messages,{' '}
            {bytes(total.bytes)} since the console attached
          </p>
        </section>
        <section className="card" aria-label="Errors">
          <h3>Errors since the start</h3>
          <p className="muted">
            Every error event so far, both ends and failed replies; the header shows the state now.
          </p>
          {errors.length === 0 ? (
            <p className="muted">None so far.</p>
          ) : (
            <Bars rows={errors} tone={errorTone} />
          )}
        </section>
      </div>
      <h3>Per service</h3>
      {services.length === 0 ? (
        <p className="empty">No messages yet: rates and latencies appear once helpers talk.</p>
      ) : (
        <table className="grid stats-table" aria-label="Per service">
          <Head first="Service" />
          <tbody>
            {services.map(([name, a]) => (
              <AggregateRow key={name} name={<span className="mono">{name}</span>} a={a} sec={sec} />
            ))}
          </tbody>
        </table>
      )}
      <h3>Per connection</h3>
      {conns.length === 0 ? null : (
        <table className="grid stats-table" aria-label="Per connection">
          <Head first="Connection" />
          <tbody>
            {conns.map(([id, a]) => {
              const c = connections[id];
              const client = c ? shortLabel(processes[c.pid]?.label ?? String(c.pid)) : '?';
              return (
                <AggregateRow
                  key={id}
                  a={a}
                  sec={sec}
                  onSelect={() => actions.select({ kind: 'conn', id })}
                  name={
                    <span>
                      <span className="mono muted">{id}</span> {client} →{' '}
                      <span className="mono">{c?.name ?? '?'}</span>
                    </span>
                  }
                />
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
