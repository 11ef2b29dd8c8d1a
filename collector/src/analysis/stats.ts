// Per-bucket aggregate of a node or edge of the service graph.
import { emptyHistogram, mergeHistogram, type Histogram } from './histogram.js';

export interface Stats {
  requests: number;
  errors: number;
  histogram: Histogram;
  /** Retries the caller made (SDK `retry` events, or attempts after the first). */
  retries: number;
  /** Calls that ended on a timeout (SDK `timeout` events). */
  timeouts: number;
  /** Calls rejected without reaching the callee (breaker or bulkhead). */
  shortCircuits: number;
}

export function emptyStats(): Stats {
  return { requests: 0, errors: 0, histogram: emptyHistogram(), retries: 0, timeouts: 0, shortCircuits: 0 };
}

export function mergeStats(into: Stats, from: Stats): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.retries += from.retries;
  into.timeouts += from.timeouts;
  into.shortCircuits += from.shortCircuits;
  mergeHistogram(into.histogram, from.histogram);
}

/** Width of one aggregate bucket. */
export const BUCKET_MS = 60_000;

export function bucketStart(timeMs: number): number {
  return Math.floor(timeMs / BUCKET_MS) * BUCKET_MS;
}
