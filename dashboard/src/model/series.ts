// RED chart points from one /api/series answer (per-step counts → per-second rates for the axis).
import type { SeriesAnswer } from '../api/types.js';
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

/** The collector aggregates per minute; a query covers every minute it touches. */
export const COLLECTOR_BUCKET_MS = 60_000;

/** Time a query over `window` really covers: the collector counts the whole first minute. */
export function coveredWindowMs(window: TimeWindow, bucketMs = COLLECTOR_BUCKET_MS): number {
  return Math.max(1, window.toMs - Math.floor(window.fromMs / bucketMs) * bucketMs);
}

/** Step for about `points` points over the window: a whole number of minutes, as the API requires. */
export function seriesStepMs(window: TimeWindow, points = 60, bucketMs = COLLECTOR_BUCKET_MS): number {
  return bucketMs * Math.max(1, Math.ceil((window.toMs - window.fromMs) / bucketMs / Math.max(1, points)));
}

export function chartPoints(answer: SeriesAnswer): SeriesPoint[] {
  const secs = Math.max(1, answer.stepMs) / 1000;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return [...answer.points]
    .sort((a, b) => a.startMs - b.startMs)
    .map((p) =>
      p.requests === 0
        ? { timeMs: p.startMs, requestsPerSec: 0, errorsPerSec: round(p.errors / secs), errorPct: 0, p50Ms: null, p95Ms: null, p99Ms: null }
        : { timeMs: p.startMs, requestsPerSec: round(p.requests / secs), errorsPerSec: round(p.errors / secs), errorPct: round(p.errorRate * 100), p50Ms: p.p50Ms, p95Ms: p.p95Ms, p99Ms: p.p99Ms },
    );
}
