import type { Rates } from '../api/types.js';
import { formatMs, formatPct, formatRate } from '../model/format.js';

export function StatsTable({ stats, windowMs, extra }: { stats: Rates; windowMs: number; extra?: [string, string][] }) {
  const rows: [string, string][] = [
    ['requests', `${stats.requests.toLocaleString()} (${formatRate(stats.requests, windowMs)})`],
    ['errors', `${stats.errors.toLocaleString()} (${formatPct(stats.errorRate)})`],
    ['p50 / p95 / p99', `${formatMs(stats.p50Ms)} / ${formatMs(stats.p95Ms)} / ${formatMs(stats.p99Ms)}`],
    ...(extra ?? []),
  ];
  return (
    <dl className="stats">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
