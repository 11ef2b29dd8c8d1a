import type { Rates } from '../api/types.js';
import { currentFigures, figuresLine, formatPerSec, rangeFigures, type WithFigures } from '../model/figures.js';
import { formatMs, formatPct, formatTime } from '../model/format.js';

/** Current figures (last complete minute) first, the range as history. */
export function StatsTable({ stats, extra }: { stats: Rates & WithFigures; extra?: [string, string][] }) {
  const now = currentFigures(stats);
  const range = rangeFigures(stats);
  const rows: [string, string][] = [
    [stats.current?.minuteStartMs != null ? `now (minute from ${formatTime(stats.current.minuteStartMs).slice(0, 5)})` : 'now (last complete minute)', figuresLine(now)],
    ['range: rate', `${formatPerSec(range.requestsPerSec)} (${stats.requests.toLocaleString()} requests)`],
    ['range: errors', `${stats.errors.toLocaleString()} (${formatPct(stats.errorRate)})`],
    ['range: p50 / p95 / p99', `${formatMs(stats.p50Ms)} / ${formatMs(stats.p95Ms)} / ${formatMs(stats.p99Ms)}`],
    ...(extra ?? []),
  ];
  return (
    <dl className="stats" data-testid="stats">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
