import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { CORRELATION_HEADER, DEADLINE_HEADER, getContext, newCorrelationId, sanitizeCorrelationId } from '../context/index.js';
import { BrokenCircuitError } from '../errors/BrokenCircuitError.js';
import { BudgetExhaustedError } from '../errors/BudgetExhaustedError.js';
import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { ConfigError } from '../errors/ConfigError.js';
import { isTimeoutError } from '../errors/TimeoutError.js';
import { Permit } from '../policies/breaker/CircuitBreaker.js';
import type { BreakerState } from '../policies/breaker/CircuitBreaker.js';
import { resolveFallback } from '../policies/options.js';
import type { CallFailure, FallbackOptions } from '../policies/options.js';
import { runFallback, shouldFallback } from '../policies/fallback/Fallback.js';
import { isRetryable, retryDelayMs } from '../policies/retry/Retry.js';
import { attemptLimit, totalTimeout } from '../policies/timeout/Timeout.js';
import * as A from '../telemetry/attributes.js';
import { redactUrl } from '../telemetry/redactUrl.js';
import { getTracer } from '../telemetry/tracer.js';
import { injectTraceContext } from '../telemetry/traceparent.js';
import { outcomeReason, sleep, toHeaderRecord } from './callHelpers.js';
import { ClientRuntime } from './ClientRuntime.js';
import type { ClientOptions, FaultlineFetch, FaultlineRequestInit } from './clientOptions.js';
import { BULKHEAD_FULL, runAttempt } from './runAttempt.js';
import type { Attempt } from './runAttempt.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export type { ClientOptions, CallOptions, FaultlineFetch, FaultlineRequestInit } from './clientOptions.js';

const IDEMPOTENCY_KEY_MAX_CHARS = 255;



/**
 * Creates a fetch-compatible function for one dependency. Every call gets a
 * CLIENT span, W3C trace context, the correlation id and the remaining
 * deadline, and runs through the target's policies:
 * fallback → total timeout → retry (+ budget) → breaker → bulkhead → attempt timeout → fetch.
 * Non-2xx responses are returned, not thrown; policy rejections throw typed errors.
 * @example
 * const payments = createClient({ target: 'payments', baseUrl: 'http://127.0.0.1:8082' });
 * const res = await payments('/charges', { method: 'POST', body: JSON.stringify(charge) });
 */
export function createClient(options: ClientOptions): FaultlineFetch {
  const rt = new ClientRuntime(options);
  const call = (input: string | URL, init?: FaultlineRequestInit): Promise<Response> => execute(rt, input, init);
  Object.defineProperty(call, 'target', { value: rt.target, enumerable: true });
  return call as FaultlineFetch;
}

async function execute(rt: ClientRuntime, input: string | URL, init: FaultlineRequestInit | undefined): Promise<Response> {
  const policies = rt.state.policies;
  const startMs = Date.now();
  const rc = getContext();

  let totalTimeoutMs = policies.totalTimeoutMs;
  if (init?.timeoutMs !== undefined) {
    if (!Number.isInteger(init.timeoutMs) || init.timeoutMs <= 0) throw new ConfigError('timeoutMs', 'must be a positive integer');
    totalTimeoutMs = init.timeoutMs;
  }
  let endMs = startMs + totalTimeoutMs;
  if (rc?.deadlineMs !== undefined && rc.deadlineMs < endMs) endMs = rc.deadlineMs;

  const method = init?.method === undefined ? 'GET' : init.method.toUpperCase();
  const url = rt.resolveUrl(input);
  const headers = toHeaderRecord(init?.headers);
  // Inside a request the context's id wins; outside one (a job, a load
  // generator) a valid id set by the caller is kept, else one is minted.
  const correlationId = rc?.correlationId ?? sanitizeCorrelationId(headers[CORRELATION_HEADER]) ?? newCorrelationId();
  headers[CORRELATION_HEADER] = correlationId;

  let idempotencyKey: string | undefined = headers[IDEMPOTENCY_HEADER];
  if (init?.idempotencyKey === false) {
    idempotencyKey = undefined;
    delete headers[IDEMPOTENCY_HEADER];
  } else if ((method === 'POST' || method === 'PATCH') && idempotencyKey === undefined) {
    idempotencyKey = init?.idempotencyKey ?? randomUUID();
    if (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX_CHARS) {
      throw new ConfigError('idempotencyKey', `must be 1-${IDEMPOTENCY_KEY_MAX_CHARS} chars`);
    }
    headers[IDEMPOTENCY_HEADER] = idempotencyKey;
  }

  const parentContext = context.active();
  const attributes: Attributes = {
    [A.ATTR_PEER_SERVICE]: rt.target,
    [A.ATTR_SERVICE_PEER_NAME]: rt.target,
    [A.ATTR_SERVER_ADDRESS]: rt.serverAddress,
    [A.ATTR_SERVER_PORT]: rt.serverPort,
    [A.ATTR_HTTP_METHOD]: method,
    [A.ATTR_URL_FULL]: redactUrl(url),
    [A.ATTR_URL_SCHEME]: url.charCodeAt(4) === 115 /* 's' of https */ ? 'https' : 'http',
    [A.ATTR_CORRELATION_ID]: correlationId,
  };
  const span = getTracer().startSpan(method + rt.spanSuffix, { kind: SpanKind.CLIENT, attributes }, parentContext);
  // Built once per call; each attempt only swaps in its own signal.
  const fetchInit: RequestInit = init === undefined ? { method, headers } : { ...init, method, headers };

  let fallback = policies.fallback;
  if (init?.fallback !== undefined) fallback = init.fallback === false ? undefined : resolveFallback('fallback', init.fallback);

  try {
    const response = await attemptLoop(rt, span, parentContext, url, method, headers, fetchInit, idempotencyKey !== undefined, init, startMs, endMs);
    span.setAttribute(A.ATTR_HTTP_STATUS, response.status);
    if (response.status >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
      span.setAttribute(A.ATTR_ERROR_TYPE, String(response.status));
      if (shouldFallback(fallback, { response })) {
        return await useFallback(span, fallback, { response });
      }
    }
    return response;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.setAttribute(A.ATTR_ERROR_TYPE, error instanceof Error ? error.name : 'error');
    if (!isUserAbort(init, error) && shouldFallback(fallback, { error })) {
      return await useFallback(span, fallback, { error });
    }
    throw error;
  } finally {
    span.end();
  }
}

function isUserAbort(init: FaultlineRequestInit | undefined, error: unknown): boolean {
  return init?.signal?.aborted === true && !isTimeoutError(error);
}

async function useFallback(span: Span, fallback: FallbackOptions, failure: CallFailure): Promise<Response> {
  span.addEvent(A.EVENT_FALLBACK, { [A.ATTR_REASON]: outcomeReason(failure.response, failure.error) });
  return await runFallback(fallback, failure);
}

function recordBreakerChange(span: Span, target: string, from: BreakerState, to: BreakerState): void {
  if (from !== to) span.addEvent(A.EVENT_BREAKER_STATE, { [A.ATTR_BREAKER]: target, [A.ATTR_FROM]: from, [A.ATTR_TO]: to });
}

async function attemptLoop(
  rt: ClientRuntime,
  span: Span,
  parentContext: Context,
  url: string,
  method: string,
  headers: Record<string, string>,
  fetchInit: RequestInit,
  hasIdempotencyKey: boolean,
  init: FaultlineRequestInit | undefined,
  callStartMs: number,
  endMs: number,
): Promise<Response> {
  const { breaker, budget, policies } = rt.state;
  const retry = policies.retry;
  const sendDeadline = policies.timeoutEnabled || init?.timeoutMs !== undefined || endMs < callStartMs + policies.totalTimeoutMs;
  const mayRetry = retry !== undefined && (hasIdempotencyKey || retry.idempotentMethods.has(method));
  budget?.recordRequest(callStartMs);
  let spanContext: Context | undefined;
  let previous: Attempt | undefined;

  for (let attempt = 1; ; attempt++) {
    const startMs = Date.now();
    const remainingMs = endMs - startMs;
    if (remainingMs <= 0) {
      const total = endMs - (previous?.startMs ?? startMs);
      span.addEvent(A.EVENT_TIMEOUT, { [A.ATTR_TIMEOUT_MS]: total, [A.ATTR_SCOPE]: 'total' });
      throw totalTimeout(total, rt.target);
    }

    let permit: Permit = Permit.Normal;
    if (breaker) {
      const before = breaker.currentState;
      permit = breaker.tryAcquire(startMs);
      recordBreakerChange(span, rt.target, before, breaker.currentState);
      if (permit === Permit.Rejected) {
        span.addEvent(A.EVENT_BREAKER_REJECTED, { [A.ATTR_BREAKER]: rt.target, [A.ATTR_ATTEMPT]: attempt });
        throw new BrokenCircuitError(rt.target);
      }
    }

    // Attempt spans only exist once a call needs more than one attempt; the
    // first attempt is then recorded after the fact from its timings.
    let attemptSpan: Span | undefined;
    if (attempt > 1) {
      spanContext ??= trace.setSpan(parentContext, span);
      attemptSpan = getTracer().startSpan(
        `${method} ${rt.target}`,
        {
          kind: SpanKind.CLIENT,
          startTime: startMs,
          attributes: { ...rt.staticAttributes, [A.ATTR_HTTP_METHOD]: method, [A.ATTR_ATTEMPT]: attempt, [A.ATTR_HTTP_RESEND_COUNT]: attempt - 1 },
        },
        spanContext,
      );
      injectTraceContext(headers, trace.setSpan(spanContext, attemptSpan));
    } else {
      spanContext ??= trace.setSpan(parentContext, span);
      injectTraceContext(headers, spanContext);
    }

    const { limitMs, scope, reportedMs } = attemptLimit(policies.attemptTimeoutMs, remainingMs, callStartMs, endMs);
    // With timeouts switched off and no deadline to pass on, a day-long "deadline" would only mislead.
    if (sendDeadline) headers[DEADLINE_HEADER] = String(startMs + limitMs);

    const result = await runAttempt(rt, url, fetchInit, init?.signal ?? undefined, limitMs, reportedMs, scope);
    if (result === BULKHEAD_FULL) {
      breaker?.release(permit);
      attemptSpan?.end();
      span.addEvent(A.EVENT_BULKHEAD_REJECTED, { [A.ATTR_ATTEMPT]: attempt });
      throw new BulkheadRejectedError(rt.target);
    }
    const response = result.response;
    const error = result.error;
    const timedOut = error !== undefined && isTimeoutError(error);
    if (timedOut) span.addEvent(A.EVENT_TIMEOUT, { [A.ATTR_TIMEOUT_MS]: reportedMs, [A.ATTR_SCOPE]: scope, [A.ATTR_ATTEMPT]: attempt });

    const userAborted = error !== undefined && !timedOut && init?.signal?.aborted === true;
    if (breaker) {
      const before = breaker.currentState;
      if (userAborted) breaker.release(permit);
      else breaker.record(permit, response !== undefined && response.status < 500, result.endMs - result.startMs);
      recordBreakerChange(span, rt.target, before, breaker.currentState);
    }

    if (attemptSpan) endAttemptSpan(attemptSpan, result);
    if (userAborted) throw error;

    if (!isRetryable(retry, mayRetry, attempt, hasIdempotencyKey, { response, timedOut, scope })) {
      if (response !== undefined) return response;
      throw error;
    }

    const now = Date.now();
    const delayMs = retryDelayMs(retry, attempt, response, now);
    // Waiting past the deadline would only produce a timeout later: give the failure back now.
    if (now + delayMs >= endMs) {
      if (response !== undefined) return response;
      throw error;
    }
    if (budget && !budget.tryRetry(now)) {
      span.addEvent(A.EVENT_BUDGET_EXHAUSTED, { [A.ATTR_ATTEMPT]: attempt + 1, [A.ATTR_REASON]: outcomeReason(response, error) });
      if (response !== undefined) return response;
      throw new BudgetExhaustedError(rt.target, { cause: error });
    }

    if (attempt === 1) {
      spanContext ??= trace.setSpan(parentContext, span);
      recordFirstAttempt(rt, method, spanContext, result);
    }
    span.addEvent(A.EVENT_RETRY, {
      [A.ATTR_ATTEMPT]: attempt + 1,
      [A.ATTR_DELAY_MS]: delayMs,
      [A.ATTR_REASON]: outcomeReason(response, error),
    });
    // The discarded response must release its connection.
    response?.body?.cancel().catch(() => undefined);
    previous = result;
    if (delayMs > 0) await sleep(delayMs);
    if (init?.signal?.aborted) throw init.signal.reason;
  }
}

function endAttemptSpan(attemptSpan: Span, result: Attempt): void {
  if (result.response) {
    attemptSpan.setAttribute(A.ATTR_HTTP_STATUS, result.response.status);
    if (result.response.status >= 500) attemptSpan.setStatus({ code: SpanStatusCode.ERROR });
  } else {
    attemptSpan.setStatus({ code: SpanStatusCode.ERROR, message: result.error instanceof Error ? result.error.message : 'error' });
  }
  attemptSpan.end(result.endMs);
}

function recordFirstAttempt(rt: ClientRuntime, method: string, spanContext: Context, result: Attempt): void {
  const first = getTracer().startSpan(
    `${method} ${rt.target}`,
    {
      kind: SpanKind.CLIENT,
      startTime: result.startMs,
      attributes: { ...rt.staticAttributes, [A.ATTR_HTTP_METHOD]: method, [A.ATTR_ATTEMPT]: 1, [A.ATTR_HTTP_RESEND_COUNT]: 0 },
    },
    spanContext,
  );
  endAttemptSpan(first, result);
}
