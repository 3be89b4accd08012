import { compact, num } from '../../format';

/** An area chart of per-second values, oldest first; the newest second is on the right. */
export function AreaChart({
  values,
  width,
  height,
  label,
  format = compact,
}: {
  values: number[];
  width: number;
  height: number;
  label: string;
  format?: (n: number) => string;
}) {
  const max = Math.max(1, ...values);
  const padL = 44;
  const padB = 16;
  const w = width - padL - 4;
  const h = height - padB - 6;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const pts = values.map((v, i) => `${padL + i * step},${6 + h - (v / max) * h}`);
  const area = `M ${padL},${6 + h} L ${pts.join(' L ')} L ${padL + w},${6 + h} Z`;
  return (
    <svg className="chart" width={width} height={height} role="img" aria-label={label}>
      <title>{label}</title>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line className="grid-line" x1={padL} x2={padL + w} y1={6 + h - f * h} y2={6 + h - f * h} />
          <text className="axis" x={padL - 4} y={10 + h - f * h} textAnchor="end">
            {format(max * f)}
          </text>
        </g>
      ))}
      <path className="area" d={area} />
      <polyline className="area-line" points={pts.join(' ')} />
      <text className="axis" x={padL} y={height - 2}>
        −{values.length} s
      </text>
      <text className="axis" x={padL + w} y={height - 2} textAnchor="end">
        now
      </text>
    </svg>
  );
}

export function Sparkline({
  values,
  width = 90,
  height = 18,
}: {
  values: number[];
  width?: number;
  height?: number;
}) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const pts = values.map((v, i) => `${i * step},${height - 1 - (v / max) * (height - 2)}`).join(' ');
  return (
    <svg className="spark" width={width} height={height} aria-hidden="true">
      <polyline points={pts} />
    </svg>
  );
}

/** Horizontal bars: label, bar, count. */
export function Bars({ rows, tone }: { rows: [string, number][]; tone: (label: string) => string }) {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return (
    <div className="bars">
      {rows.map(([label, n]) => (
        <div key={label} className="bar-row" title={`${label}: ${n}`}>
          <span className="bar-label mono">{label}</span>
          <span className="bar-track">
            <span className={`bar bar-${tone(label)}`} style={{ width: `${(n / max) * 100}%` }} />
          </span>
          <span className="num">{num(n)}</span>
        </div>
      ))}
    </div>
  );
}
