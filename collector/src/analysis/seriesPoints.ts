// Per-minute buckets → evenly spaced points of `stepMs`, empty steps included. Pure.
import { redFigures, type RedFigures } from './serviceGraph.js';
import { emptyStats, mergeStats, type Stats } from './stats.js';

export interface SeriesPoint extends RedFigures {
  startMs: number;
  retries: number;
  timeouts: number;
  shortCircuits: number;
}

export function seriesPoints(buckets: readonly { bucketMs: number; stats: Stats }[], firstMs: number, stepMs: number, count: number): SeriesPoint[] {
  const steps = Array.from({ length: count }, () => emptyStats());
  for (const b of buckets) {
    const k = Math.floor((b.bucketMs - firstMs) / stepMs);
    if (k >= 0 && k < count) mergeStats(steps[k]!, b.stats);
  }
  return steps.map((s, k) => ({ startMs: firstMs + k * stepMs, ...redFigures(s), retries: s.retries, timeouts: s.timeouts, shortCircuits: s.shortCircuits }));
}
