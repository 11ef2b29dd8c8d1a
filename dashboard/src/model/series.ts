// RED time series for one service, assembled from per-bucket /api/services answers.
import type { ServiceSummary } from '../api/types.js';
import type { TimeWindow } from './timeRange.js';

export interface SeriesPoint {
  timeMs: number;
  requestsPerSec: number;
  errorsPerSec: number;
  errorPct: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export function buildSeries(buckets: readonly { window: TimeWindow; services: readonly ServiceSummary[] }[], service: string): SeriesPoint[] {
  return [...buckets]
    .sort((a, b) => a.window.fromMs - b.window.fromMs)
    .map(({ window, services }) => {
      const s = services.find((x) => x.name === service);
      const secs = Math.max(0.001, (window.toMs - window.fromMs) / 1000);
      if (!s || s.requests === 0) return { timeMs: window.fromMs, requestsPerSec: 0, errorsPerSec: 0, errorPct: 0, p50Ms: null, p95Ms: null, p99Ms: null };
      const round = (v: number) => Math.round(v * 1000) / 1000;
      return {
        timeMs: window.fromMs,
        requestsPerSec: round(s.requests / secs),
        errorsPerSec: round(s.errors / secs),
        errorPct: round((s.requests ? s.errors / s.requests : s.errorRate) * 100),
        p50Ms: s.p50Ms,
        p95Ms: s.p95Ms,
        p99Ms: s.p99Ms,
      };
    });
}

/** Bucket count that keeps one bucket at least a minute wide and the chart readable. */
export function bucketCount(window: TimeWindow, maxBuckets = 30): number {
  const minutes = Math.floor((window.toMs - window.fromMs) / 60_000);
  return Math.max(1, Math.min(maxBuckets, minutes));
}
