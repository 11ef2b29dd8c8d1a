// Latency histogram with fixed bounds, so histograms from different minutes,
// stores and collector processes merge by plain addition.

/**
 * Upper bounds (inclusive) of each bucket, in ms. Steps of roughly 20–33% keep
 * a quantile's interpolation error within one bucket width (≤ a third of the
 * value) from sub-millisecond calls up to two-minute timeouts.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([
  0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250,
  300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000, 15000,
  20000, 30000, 60000, 120000,
]);

/** counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot counts everything above the last bound. */
export type Histogram = number[];

const SLOTS = LATENCY_BOUNDS_MS.length + 1;

export function emptyHistogram(): Histogram {
  return new Array<number>(SLOTS).fill(0);
}

/** Index of the bucket `ms` falls in (binary search over the bounds). */
export function bucketIndex(ms: number): number {
  if (!(ms > LATENCY_BOUNDS_MS[0]!)) return 0; // also NaN and negatives
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length; // answer in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= LATENCY_BOUNDS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function observe(h: Histogram, ms: number, count = 1): void {
  const i = bucketIndex(ms);
  h[i] = (h[i] ?? 0) + count;
}

/** Adds `from` into `into`. Tolerates histograms of a different length (older stored rows). */
export function mergeHistogram(into: Histogram, from: readonly number[]): void {
  const n = Math.min(from.length, SLOTS);
  for (let i = 0; i < n; i++) {
    const v = from[i]!;
    if (Number.isFinite(v) && v > 0) into[i] = (into[i] ?? 0) + v;
  }
}

export function histogramCount(h: readonly number[]): number {
  let total = 0;
  for (const v of h) if (Number.isFinite(v) && v > 0) total += v;
  return total;
}

/**
 * The q-quantile (0..1) in ms, interpolated linearly inside its bucket; 0 when
 * empty. Values above the last bound are reported as the last bound.
 */
export function quantileMs(h: readonly number[], q: number): number {
  const total = histogramCount(h);
  if (total === 0) return 0;
  const clampedQ = Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0.5;
  const rank = clampedQ * total;
  let seen = 0;
  const last = Math.min(h.length, SLOTS) - 1;
  for (let i = 0; i <= last; i++) {
    const count = h[i]!;
    if (!(count > 0)) continue;
    if (seen + count >= rank) {
      if (i >= LATENCY_BOUNDS_MS.length) return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i]!;
      const within = Math.max(0, rank - seen) / count;
      return lower + (upper - lower) * within;
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
}
