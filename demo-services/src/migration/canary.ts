/** One point of the collector's `GET /api/series` (the fields the canary reads). */
export interface SeriesPoint {
  startMs: number;
  requests: number;
  errors: number;
  p99Ms: number;
}

/** What one side did during one stage. */
export interface StageFigures {
  requests: number;
  errors: number;
  /** errors / requests; 0 without requests. */
  errorRate: number;
  /** Worst p99 of the minutes in which the stage made requests; 0 without requests. */
  p99Ms: number;
}

export interface CanaryThresholds {
  /** The new side fails when its error rate exceeds the monolith's by more than this (absolute, 0–1). Default 0.05. */
  errorRateMargin: number;
  /** ...or when its p99 exceeds both `p99Ratio` × the monolith's and the monolith's + `p99SlackMs`. Default 2. */
  p99Ratio: number;
  /** Default 500 ms: below that a p99 difference is noise on a loaded machine. */
  p99SlackMs: number;
  /** Requests the new side must have served in the stage before it is judged. Default 3. */
  minRequests: number;
}

export const DEFAULT_THRESHOLDS: CanaryThresholds = { errorRateMargin: 0.05, p99Ratio: 2, p99SlackMs: 500, minRequests: 3 };

export type CanaryVerdict =
  | { verdict: 'promote'; reason: string }
  | { verdict: 'rollback'; reason: string }
  | { verdict: 'wait'; reason: string };

/**
 * The stage's own figures from two reads of a cumulative per-minute series:
 * per minute, what `after` holds beyond `before`. This lets stages shorter
 * than the series' one-minute step be judged on their own requests. p99
 * cannot be subtracted, so the stage gets the worst p99 of the minutes it
 * added requests to.
 */
export function stageFigures(before: readonly SeriesPoint[], after: readonly SeriesPoint[]): StageFigures {
  const earlier = new Map(before.map((p) => [p.startMs, p]));
  let requests = 0;
  let errors = 0;
  let p99Ms = 0;
  for (const p of after) {
    const b = earlier.get(p.startMs);
    const dr = p.requests - (b?.requests ?? 0);
    const de = p.errors - (b?.errors ?? 0);
    if (dr <= 0) continue;
    requests += dr;
    errors += Math.max(0, Math.min(de, dr));
    p99Ms = Math.max(p99Ms, p.p99Ms);
  }
  return { requests, errors, errorRate: requests > 0 ? errors / requests : 0, p99Ms };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/**
 * Compares the new side (`candidate`) with the monolith (`baseline`) over one
 * stage. Without monolith traffic (the last route at 100%) the candidate is
 * held to the margin on its own. Pure: the thresholds are the only knobs.
 */
export function judgeCanary(candidate: StageFigures, baseline: StageFigures, t: CanaryThresholds = DEFAULT_THRESHOLDS): CanaryVerdict {
  if (candidate.requests < t.minRequests) {
    return { verdict: 'wait', reason: `${candidate.requests} requests on the new side, ${t.minRequests} needed to judge` };
  }
  const baseRate = baseline.requests > 0 ? baseline.errorRate : 0;
  if (candidate.errorRate > baseRate + t.errorRateMargin) {
    return {
      verdict: 'rollback',
      reason: `error rate ${pct(candidate.errorRate)} (${candidate.errors}/${candidate.requests}) against the monolith's ${pct(baseRate)}, margin ${pct(t.errorRateMargin)}`,
    };
  }
  if (baseline.requests > 0) {
    const limitMs = Math.max(baseline.p99Ms * t.p99Ratio, baseline.p99Ms + t.p99SlackMs);
    if (candidate.p99Ms > limitMs) {
      return { verdict: 'rollback', reason: `p99 ${Math.round(candidate.p99Ms)} ms against the monolith's ${Math.round(baseline.p99Ms)} ms, limit ${Math.round(limitMs)} ms` };
    }
  }
  return {
    verdict: 'promote',
    reason: `error rate ${pct(candidate.errorRate)} over ${candidate.requests} requests, p99 ${Math.round(candidate.p99Ms)} ms (monolith ${pct(baseRate)}, ${Math.round(baseline.p99Ms)} ms)`,
  };
}

/** Validates and fills the thresholds once; bad values are programmer errors. */
export function resolveThresholds(partial: Partial<CanaryThresholds> = {}): CanaryThresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...partial };
  if (!(t.errorRateMargin >= 0 && t.errorRateMargin <= 1)) throw new Error('errorRateMargin must be within 0..1');
  if (!(t.p99Ratio >= 1)) throw new Error('p99Ratio must be at least 1');
  if (!(t.p99SlackMs >= 0)) throw new Error('p99SlackMs must be non-negative');
  if (!(Number.isInteger(t.minRequests) && t.minRequests >= 1)) throw new Error('minRequests must be a positive integer');
  return t;
}
