import type { TimeoutScope } from '../../errors/TimeoutError.js';
import { fullJitterDelayMs } from '../backoff/fullJitter.js';
import type { ResolvedRetry } from '../options.js';
import { parseRetryAfterMs } from '../retryAfter.js';

/** What one attempt produced, as the retry policy sees it. */
export interface AttemptOutcome {
  response: Response | undefined;
  timedOut: boolean;
  scope: TimeoutScope;
}

/**
 * Whether the attempt numbered `attempt` (1-based) may be followed by another: only for
 * idempotent calls (`mayRetry`), while attempts remain, for a retryable status, a network error
 * or an attempt (not total) timeout.
 */
export function isRetryable(retry: ResolvedRetry | undefined, mayRetry: boolean, attempt: number, hasIdempotencyKey: boolean, o: AttemptOutcome): retry is ResolvedRetry {
  if (retry === undefined || !mayRetry || attempt >= retry.maxAttempts) return false;
  const response = o.response;
  if (response !== undefined) {
    // The server still runs our first attempt (IETF idempotency draft): asking again later yields its result.
    return retry.retryableStatuses.has(response.status) || (hasIdempotencyKey && response.status === 409 && response.headers.has('retry-after'));
  }
  return o.timedOut ? retry.retryOnTimeout && o.scope === 'attempt' : retry.retryOnNetworkError;
}

/** Backoff before retry `attempt + 1`: full jitter, raised to the server's Retry-After. */
export function retryDelayMs(retry: ResolvedRetry, attempt: number, response: Response | undefined, nowMs: number): number {
  const delayMs = fullJitterDelayMs(attempt, retry.initialDelayMs, retry.maxDelayMs);
  const retryAfterMs = response !== undefined ? parseRetryAfterMs(response.headers.get('retry-after'), nowMs) : undefined;
  return retryAfterMs !== undefined && retryAfterMs > delayMs ? retryAfterMs : delayMs;
}
