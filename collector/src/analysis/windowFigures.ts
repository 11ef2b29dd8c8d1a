// Rates over the minutes that hold data, and the figures of the last complete minute: what
// a dashboard shows as "now" during an incident, beside the range as history. Pure.
import { quantileMs } from './histogram.js';
import { BUCKET_MS, emptyStats, mergeStats, type Stats } from './stats.js';

/** Figures of one minute: the last complete minute of the window in which anything reported. */
export interface CurrentFigures {
  requestsPerSec: number;
  errors: number;
  errorRate: number;
  p95Ms: number;
  minuteStartMs: number;
}

export interface WindowClock {
  /** Seconds covered by the minutes that hold data (the window's last minute up to its end only). */
  dataSeconds: number;
  /** Start of the last complete minute that holds data; null when none is complete yet. */
  currentMinuteMs: number | null;
  /** Minute that `current` figures are of (the minute before the window's end when none holds data). */
  reportedMinuteMs: number;
}

/** Totals over the window and the stats of the current minute, per node or edge. */
export class WindowAggregate {
  readonly total = emptyStats();
  readonly current = emptyStats();
  background = 0;
  backgroundErrors = 0;

  add(stats: Stats, bucketMs: number | undefined, clock: WindowClock): void {
    mergeStats(this.total, stats);
    if (bucketMs !== undefined && bucketMs === clock.currentMinuteMs) mergeStats(this.current, stats);
  }
}

/** The clock of a window ending at `toMs` whose data lies in `minutes` (bucket starts). */
export function windowClock(minutes: Iterable<number>, toMs: number): WindowClock {
  const distinct = [...new Set(minutes)].sort((a, b) => a - b);
  let dataSeconds = 0;
  let currentMinuteMs: number | null = null;
  for (const m of distinct) {
    dataSeconds += Math.max(0, Math.min(m + BUCKET_MS, toMs) - m) / 1000;
    if (m + BUCKET_MS <= toMs) currentMinuteMs = m;
  }
  const lastComplete = Number.isFinite(toMs) ? Math.floor(toMs / BUCKET_MS) * BUCKET_MS - BUCKET_MS : (distinct.at(-1) ?? 0);
  return { dataSeconds, currentMinuteMs, reportedMinuteMs: currentMinuteMs ?? lastComplete };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function requestsPerSec(stats: Stats, clock: WindowClock): number {
  return clock.dataSeconds > 0 ? round(stats.requests / clock.dataSeconds, 3) : 0;
}

export function currentFigures(stats: Stats, clock: WindowClock): CurrentFigures {
  return {
    requestsPerSec: round(stats.requests / (BUCKET_MS / 1000), 3),
    errors: stats.errors,
    errorRate: stats.requests > 0 ? Math.min(1, stats.errors / stats.requests) : 0,
    p95Ms: round(quantileMs(stats.histogram, 0.95), 3),
    minuteStartMs: clock.reportedMinuteMs,
  };
}
