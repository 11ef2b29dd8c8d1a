import { checkKeys } from '../config/checkKeys.js';
import { ConfigError } from '../errors/ConfigError.js';

/** What a failed call looked like, handed to fallback handlers and predicates. */
export interface CallFailure {
  /** Set when the call ended in an error (network, timeout, policy rejection). */
  readonly error?: unknown;
  /** Set when the call ended in a response the SDK counts as failed (5xx, retryable status). */
  readonly response?: Response;
}

export interface TimeoutOptions {
  /** Limit for one attempt, ms. Default 5000. */
  attemptTimeoutMs?: number;
  /** Limit for the whole logical call including retries and backoff, ms. Default 15000. */
  totalTimeoutMs?: number;
}

export interface RetryOptions {
  /** Attempts per logical call, the first one included. Default 3. */
  maxAttempts?: number;
  /** Backoff before the first retry is drawn from [0, initialDelayMs), ms. Default 100. */
  initialDelayMs?: number;
  /** Cap of the exponential backoff, ms. Default 2000. */
  maxDelayMs?: number;
  /** Response statuses worth retrying. Default [408, 429, 502, 503, 504]. */
  retryableStatuses?: number[];
  /** Retry network errors (connection refused, reset). Default true. */
  retryOnNetworkError?: boolean;
  /** Retry attempts that hit the attempt timeout. Default true. */
  retryOnTimeout?: boolean;
  /** Methods retried without an Idempotency-Key. Default GET, HEAD, OPTIONS, PUT, DELETE, TRACE. */
  idempotentMethods?: string[];
}

export interface BudgetOptions {
  /** Retries may add at most this fraction to the target's request rate. Default 0.2. */
  ratio?: number;
  /** Retries always allowed per second regardless of traffic. Default 10. */
  minRetriesPerSecond?: number;
  /** Sliding window the rates are measured over, ms. Default 10000. */
  windowMs?: number;
}

export interface BreakerOptions {
  /** `consecutive` opens after N failures in a row; `ratio` on a failure ratio over a sliding window. Default `consecutive`. */
  mode?: 'consecutive' | 'ratio';
  /** `consecutive` mode: failures in a row that open the breaker. Default 5. */
  consecutiveFailures?: number;
  /** `ratio` mode: opens when more than this fraction of the window failed, in (0, 1). Default 0.5. */
  failureRatio?: number;
  /** `ratio` mode: calls in the sliding window. Default 20. */
  windowSize?: number;
  /** `ratio` mode: calls needed in the window before it may open. Default 10. */
  minCalls?: number;
  /** Time the breaker stays open before letting probes through, ms. Default 5000. */
  halfOpenAfterMs?: number;
  /** Probe calls let through while half-open; all must succeed to close. Default 1. */
  halfOpenProbes?: number;
  /** Calls slower than this count as failures, ms; 0 disables. Default 0. */
  slowCallMs?: number;
}

export interface BulkheadOptions {
  /** Calls in flight at once to this target. Default 100. */
  maxConcurrent?: number;
  /** Calls waiting for a slot; beyond it calls are rejected. Default 100. */
  maxQueue?: number;
}

export type FallbackHandler = (failure: CallFailure) => Response | Promise<Response>;

export interface FallbackOptions {
  /** Produces the response used instead of the failure. */
  handler: FallbackHandler;
  /** Which failures use the fallback. Default: every error, and 5xx responses. */
  when?: (failure: CallFailure) => boolean;
}

/** Policies of one target. `false` switches a policy off. */
export interface PolicyOptions {
  timeout?: TimeoutOptions | false;
  retry?: RetryOptions | false;
  budget?: BudgetOptions | false;
  breaker?: BreakerOptions | false;
  bulkhead?: BulkheadOptions | false;
  fallback?: FallbackOptions | FallbackHandler;
}

export interface ResolvedRetry {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  retryableStatuses: ReadonlySet<number>;
  retryOnNetworkError: boolean;
  retryOnTimeout: boolean;
  idempotentMethods: ReadonlySet<string>;
}

export interface ResolvedBreaker {
  mode: 'consecutive' | 'ratio';
  consecutiveFailures: number;
  failureRatio: number;
  windowSize: number;
  minCalls: number;
  halfOpenAfterMs: number;
  halfOpenProbes: number;
  slowCallMs: number;
}

export interface ResolvedPolicies {
  /** false when `timeout: false`: the limits are then a day and no deadline is sent. */
  timeoutEnabled: boolean;
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
  retry: ResolvedRetry | undefined;
  budget: Required<BudgetOptions> | undefined;
  breaker: ResolvedBreaker | undefined;
  bulkhead: Required<BulkheadOptions> | undefined;
  fallback: FallbackOptions | undefined;
}

export const DEFAULT_RETRYABLE_STATUSES = [408, 429, 502, 503, 504];
export const DEFAULT_IDEMPOTENT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'];

function objectOrUndefined(name: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(name, 'must be an object or false');
  return value as Record<string, unknown>;
}

function int(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function num(name: string, value: unknown, fallback: number, minExclusive: number, maxExclusive: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= minExclusive || value >= maxExclusive) {
    throw new ConfigError(name, `must be a number in (${minExclusive}, ${maxExclusive}), got ${String(value)}`);
  }
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(name, `must be a boolean, got ${String(value)}`);
  return value;
}

function statusList(name: string, value: unknown, fallback: number[]): ReadonlySet<number> {
  if (value === undefined) return new Set(fallback);
  if (!Array.isArray(value) || value.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    throw new ConfigError(name, 'must be an array of HTTP status codes');
  }
  return new Set(value as number[]);
}

function methodList(name: string, value: unknown, fallback: string[]): ReadonlySet<string> {
  if (value === undefined) return new Set(fallback);
  if (!Array.isArray(value) || value.some((m) => typeof m !== 'string' || m.length === 0)) {
    throw new ConfigError(name, 'must be an array of HTTP method names');
  }
  return new Set((value as string[]).map((m) => m.toUpperCase()));
}

const MAX_MS = 24 * 60 * 60 * 1000;

// Every valid key, so that a typo is an error rather than a silent default.
const POLICY_KEYS = ['timeout', 'retry', 'budget', 'breaker', 'bulkhead', 'fallback'] as const satisfies ReadonlyArray<keyof PolicyOptions>;
const TIMEOUT_KEYS = ['attemptTimeoutMs', 'totalTimeoutMs'] as const satisfies ReadonlyArray<keyof TimeoutOptions>;
const RETRY_KEYS = ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'retryableStatuses', 'retryOnNetworkError', 'retryOnTimeout', 'idempotentMethods'] as const satisfies ReadonlyArray<keyof RetryOptions>;
const BUDGET_KEYS = ['ratio', 'minRetriesPerSecond', 'windowMs'] as const satisfies ReadonlyArray<keyof BudgetOptions>;
const BREAKER_KEYS = ['mode', 'consecutiveFailures', 'failureRatio', 'windowSize', 'minCalls', 'halfOpenAfterMs', 'halfOpenProbes', 'slowCallMs'] as const satisfies ReadonlyArray<keyof BreakerOptions>;
const BULKHEAD_KEYS = ['maxConcurrent', 'maxQueue'] as const satisfies ReadonlyArray<keyof BulkheadOptions>;
const FALLBACK_KEYS = ['handler', 'when'] as const satisfies ReadonlyArray<keyof FallbackOptions>;

/** Applies defaults and validates once, at construction; throws ConfigError naming the option. */
export function resolvePolicies(options: PolicyOptions | undefined, prefix = 'policies'): ResolvedPolicies {
  const p = objectOrUndefined(prefix, options) ?? {};
  checkKeys(p, POLICY_KEYS, `${prefix}.`);

  const t = p.timeout === false ? undefined : objectOrUndefined(`${prefix}.timeout`, p.timeout) ?? {};
  if (t) checkKeys(t, TIMEOUT_KEYS, `${prefix}.timeout.`);
  // Timeouts cannot be fully switched off: an unbounded call is how one slow
  // dependency takes its callers down. `false` means "as long as a day".
  const totalTimeoutMs = t ? int(`${prefix}.timeout.totalTimeoutMs`, t.totalTimeoutMs, 15_000, 1, MAX_MS) : MAX_MS;
  const attemptTimeoutMs = t ? int(`${prefix}.timeout.attemptTimeoutMs`, t.attemptTimeoutMs, Math.min(5_000, totalTimeoutMs), 1, MAX_MS) : MAX_MS;

  let retry: ResolvedRetry | undefined;
  if (p.retry !== false) {
    const r = objectOrUndefined(`${prefix}.retry`, p.retry) ?? {};
    checkKeys(r, RETRY_KEYS, `${prefix}.retry.`);
    const initialDelayMs = int(`${prefix}.retry.initialDelayMs`, r.initialDelayMs, 100, 0, MAX_MS);
    retry = {
      maxAttempts: int(`${prefix}.retry.maxAttempts`, r.maxAttempts, 3, 1, 100),
      initialDelayMs,
      maxDelayMs: int(`${prefix}.retry.maxDelayMs`, r.maxDelayMs, Math.max(2_000, initialDelayMs), initialDelayMs, MAX_MS),
      retryableStatuses: statusList(`${prefix}.retry.retryableStatuses`, r.retryableStatuses, DEFAULT_RETRYABLE_STATUSES),
      retryOnNetworkError: bool(`${prefix}.retry.retryOnNetworkError`, r.retryOnNetworkError, true),
      retryOnTimeout: bool(`${prefix}.retry.retryOnTimeout`, r.retryOnTimeout, true),
      idempotentMethods: methodList(`${prefix}.retry.idempotentMethods`, r.idempotentMethods, DEFAULT_IDEMPOTENT_METHODS),
    };
    if (retry.maxAttempts === 1) retry = undefined;
  }

  let budget: Required<BudgetOptions> | undefined;
  if (p.budget !== false) {
    const b = objectOrUndefined(`${prefix}.budget`, p.budget) ?? {};
    checkKeys(b, BUDGET_KEYS, `${prefix}.budget.`);
    budget = {
      ratio: num(`${prefix}.budget.ratio`, b.ratio, 0.2, 0, 100),
      minRetriesPerSecond: int(`${prefix}.budget.minRetriesPerSecond`, b.minRetriesPerSecond, 10, 0, 1_000_000),
      windowMs: int(`${prefix}.budget.windowMs`, b.windowMs, 10_000, 1_000, 600_000),
    };
  }

  let breaker: ResolvedBreaker | undefined;
  if (p.breaker !== false) {
    const b = objectOrUndefined(`${prefix}.breaker`, p.breaker) ?? {};
    checkKeys(b, BREAKER_KEYS, `${prefix}.breaker.`);
    const mode = b.mode ?? 'consecutive';
    if (mode !== 'consecutive' && mode !== 'ratio') throw new ConfigError(`${prefix}.breaker.mode`, "must be 'consecutive' or 'ratio'");
    const windowSize = int(`${prefix}.breaker.windowSize`, b.windowSize, 20, 1, 100_000);
    breaker = {
      mode,
      consecutiveFailures: int(`${prefix}.breaker.consecutiveFailures`, b.consecutiveFailures, 5, 1, 1_000_000),
      failureRatio: num(`${prefix}.breaker.failureRatio`, b.failureRatio, 0.5, 0, 1),
      windowSize,
      minCalls: int(`${prefix}.breaker.minCalls`, b.minCalls, Math.min(10, windowSize), 1, windowSize),
      halfOpenAfterMs: int(`${prefix}.breaker.halfOpenAfterMs`, b.halfOpenAfterMs, 5_000, 1, MAX_MS),
      halfOpenProbes: int(`${prefix}.breaker.halfOpenProbes`, b.halfOpenProbes, 1, 1, 1_000),
      slowCallMs: int(`${prefix}.breaker.slowCallMs`, b.slowCallMs, 0, 0, MAX_MS),
    };
  }

  let bulkhead: Required<BulkheadOptions> | undefined;
  if (p.bulkhead !== false) {
    const b = objectOrUndefined(`${prefix}.bulkhead`, p.bulkhead) ?? {};
    checkKeys(b, BULKHEAD_KEYS, `${prefix}.bulkhead.`);
    bulkhead = {
      maxConcurrent: int(`${prefix}.bulkhead.maxConcurrent`, b.maxConcurrent, 100, 1, 1_000_000),
      maxQueue: int(`${prefix}.bulkhead.maxQueue`, b.maxQueue, 100, 0, 1_000_000),
    };
  }

  return { timeoutEnabled: t !== undefined, attemptTimeoutMs, totalTimeoutMs, retry, budget, breaker, bulkhead, fallback: resolveFallback(`${prefix}.fallback`, p.fallback) };
}

export function resolveFallback(name: string, value: unknown): FallbackOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return { handler: value as FallbackHandler };
  const f = objectOrUndefined(name, value);
  checkKeys(f, FALLBACK_KEYS, `${name}.`);
  if (!f || typeof f.handler !== 'function') throw new ConfigError(`${name}.handler`, 'must be a function');
  if (f.when !== undefined && typeof f.when !== 'function') throw new ConfigError(`${name}.when`, 'must be a function');
  return f as unknown as FallbackOptions;
}
