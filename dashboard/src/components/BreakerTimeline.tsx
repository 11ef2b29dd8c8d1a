import type { BreakerState, BreakerTimeline as Timeline } from '../model/breakerIntervals.js';
import { formatPct, formatTime } from '../model/format.js';
import type { TimeWindow } from '../model/timeRange.js';

const STATE_TEXT: Record<BreakerState, string> = { closed: 'closed', open: 'OPEN', 'half-open': 'half-open' };

export function BreakerTimelines({ timelines, window }: { timelines: Timeline[]; window: TimeWindow }) {
  const span = Math.max(1, window.toMs - window.fromMs);
  return (
    <div className="breakers" data-testid="breaker-timeline">
      <ul className="legend" aria-label="Breaker states">
        {(['closed', 'open', 'half-open'] as const).map((s) => (
          <li key={s}>
            <span className={`swatch bk-${s}`} /> {STATE_TEXT[s]}
          </li>
        ))}
      </ul>
      {timelines.map((t) => (
        <div key={`${t.service}/${t.breaker}`} className="breaker-row" data-testid={`breaker-${t.breaker}`}>
          <div className="breaker-name">
            <strong>
              {t.service} → {t.breaker}
            </strong>
            <span className="muted">
              {t.transitions} transition{t.transitions === 1 ? '' : 's'} · not closed {formatPct(t.openShare)} of range
            </span>
          </div>
          <div className="breaker-bar" role="list" aria-label={`Breaker ${t.breaker} states`}>
            {t.intervals.map((i) => {
              const left = ((i.startMs - window.fromMs) / span) * 100;
              const width = ((i.endMs - i.startMs) / span) * 100;
              const text = `${STATE_TEXT[i.state]} ${formatTime(i.startMs)}–${formatTime(i.endMs)}`;
              return (
                <div key={i.startMs} role="listitem" className={`bk-seg bk-${i.state}`} data-state={i.state} style={{ left: `${left}%`, width: `${width}%` }} title={text} aria-label={text}>
                  {width > 6 ? STATE_TEXT[i.state] : ''}
                </div>
              );
            })}
          </div>
          <div className="breaker-axis">
            <span>{formatTime(window.fromMs)}</span>
            <span>{formatTime(window.toMs)}</span>
          </div>
        </div>
      ))}
    </div>
  );
}
