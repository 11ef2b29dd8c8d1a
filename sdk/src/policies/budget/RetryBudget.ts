import type { BudgetOptions } from '../options.js';

const BUCKETS = 10;

/**
 * Caps retries to one target at `ratio` of its first attempts over a sliding
 * window, with a floor of `minRetriesPerSecond` so low traffic still retries.
 * This is what keeps a retry storm from multiplying across layers: under 100%
 * failure each layer adds at most `ratio` more load, not `maxAttempts` times.
 *
 * Counters live in ten time buckets: recording a call is two integer
 * additions, no allocation.
 */
export class RetryBudget {
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly stamps = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private readonly floor: number;
  private readonly ratio: number;
  exhausted = 0;

  constructor(
    options: Required<BudgetOptions>,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = options.windowMs / BUCKETS;
    this.floor = (options.minRetriesPerSecond * options.windowMs) / 1000;
    this.ratio = options.ratio;
  }

  private bucket(nowMs: number): number {
    const slot = Math.floor(nowMs / this.bucketMs);
    const i = slot % BUCKETS;
    if (this.stamps[i] !== slot) {
      this.stamps[i] = slot;
      this.requests[i] = 0;
      this.retries[i] = 0;
    }
    return i;
  }

  /** Counts one logical call (its first attempt). */
  recordRequest(nowMs: number = this.now()): void {
    this.requests[this.bucket(nowMs)]! += 1;
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(nowMs: number = this.now()): boolean {
    const current = this.bucket(nowMs);
    const { requests, retries } = this.snapshot(nowMs);
    if (retries + 1 > Math.max(this.floor, this.ratio * requests)) {
      this.exhausted += 1;
      return false;
    }
    this.retries[current]! += 1;
    return true;
  }

  /** Retries and first attempts in the current window, for health output. */
  snapshot(nowMs: number = this.now()): { requests: number; retries: number } {
    const oldest = Math.floor(nowMs / this.bucketMs) - BUCKETS + 1;
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.stamps[i]! >= oldest) {
        requests += this.requests[i]!;
        retries += this.retries[i]!;
      }
    }
    return { requests, retries };
  }
}
