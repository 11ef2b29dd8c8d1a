import { createClient, type PolicyOptions } from '@faultline/sdk';
import type { AnyServiceName, ServiceConfig } from './config.js';

export interface CallInit extends RequestInit {
  /** Reused on every retry of one logical call; `false` sends none. */
  idempotencyKey?: string | false;
}
export type ServiceFetch = (path: string, init?: CallInit) => Promise<Response>;

/** The incident's architecture: no timeout, no retry, no breaker, no bulkhead, no idempotency key. */
export const NAIVE_POLICIES: PolicyOptions = { timeout: false, retry: false, budget: false, breaker: false, bulkhead: false };

/**
 * A traced client for one downstream service. In naive mode with
 * NAIVE_RETRIES, failed calls are repeated at once and without a key, the
 * way hand-written retry loops do it: the retry-storm ingredient.
 */
export function serviceClient(config: ServiceConfig, target: AnyServiceName, policies: PolicyOptions): ServiceFetch {
  const naive = config.mode === 'naive';
  const fetchFn = createClient({ target, baseUrl: config.urls[target], policies: naive ? NAIVE_POLICIES : policies });
  if (!naive) return (path, init) => fetchFn(path, init);
  const attempts = 1 + config.naiveRetries;
  return async (path, init) => {
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await fetchFn(path, { ...init, idempotencyKey: false });
        if (res.status < 500 || i === attempts - 1) return res;
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  };
}

/** Timeouts, retries with a budget and backoff, a breaker and a bulkhead: orders' calls in the saga. */
export const SAGA_STEP_POLICIES: PolicyOptions = {
  // Each step is a local write that normally answers in milliseconds; 2 s leaves
  // room for an overloaded 2-core CI box, and the slow-dependency faults sit above it.
  timeout: { attemptTimeoutMs: 2000, totalTimeoutMs: 5000 },
  retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 400 },
  budget: { ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 },
  breaker: { mode: 'consecutive', consecutiveFailures: 3, halfOpenAfterMs: 2000 },
  bulkhead: { maxConcurrent: 64, maxQueue: 256 },
};

/** The edge: one bounded wait for the whole order, no retry of a non-idempotent POST. */
export const GATEWAY_POLICIES: PolicyOptions = {
  timeout: { attemptTimeoutMs: 15_000, totalTimeoutMs: 15_000 },
  retry: false,
  breaker: false,
  bulkhead: { maxConcurrent: 256, maxQueue: 256 },
};

export async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { error: text.slice(0, 200) };
  }
}
