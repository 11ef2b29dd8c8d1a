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

/** The collector aggregates per minute (its BUCKET_MS); a query covers every minute it touches. */
export const COLLECTOR_BUCKET_MS = 60_000;

export interface SeriesBucket {
  /** Query window: whole collector buckets, `toMs` just before the next bucket so none is counted twice. */
  window: TimeWindow;
  /** Time the bucket's data actually covers (the current minute is partial), for per-second rates. */
  spanMs: number;
}

/** Minute-aligned buckets over `window`, at most `maxBuckets`, each a whole number of minutes. */
export function alignedBuckets(window: TimeWindow, maxBuckets = 30, nowMs = window.toMs, bucketMs = COLLECTOR_BUCKET_MS): SeriesBucket[] {
  const first = Math.floor(window.fromMs / bucketMs) * bucketMs;
  const minutes = Math.max(1, Math.ceil((window.toMs - first) / bucketMs));
  const step = bucketMs * Math.max(1, Math.ceil(minutes / Math.max(1, maxBuckets)));
  const out: SeriesBucket[] = [];
  for (let start = first; start < window.toMs; start += step) {
    const end = Math.min(start + step, window.toMs);
    const dataEnd = Math.min(start + step, window.toMs, Math.max(nowMs, start + 1));
    out.push({ window: { fromMs: start, toMs: end === start + step ? end - 1 : end }, spanMs: Math.max(1, dataEnd - start) });
  }
  return out;
}

/** Time a query over `window` really covers: the collector counts the whole first minute. */
export function coveredWindowMs(window: TimeWindow, bucketMs = COLLECTOR_BUCKET_MS): number {
  return Math.max(1, window.toMs - Math.floor(window.fromMs / bucketMs) * bucketMs);
}

export function buildSeries(buckets: readonly { window: TimeWindow; spanMs?: number; services: readonly ServiceSummary[] }[], service: string): SeriesPoint[] {
  return [...buckets]
    .sort((a, b) => a.window.fromMs - b.window.fromMs)
    .map(({ window, spanMs, services }) => {
      const s = services.find((x) => x.name === service);
      const secs = Math.max(0.001, (spanMs ?? window.toMs - window.fromMs) / 1000);
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
