import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  breakers,
  createClient,
  isBrokenCircuitError,
  isBudgetExhaustedError,
  isBulkheadRejectedError,
  isConfigError,
  isTimeoutError,
  runWithContext,
} from '../index.js';
import type { PolicyOptions } from '../index.js';
import { eventsOf, startServer, startTracing, uniqueTarget } from '../../test/helpers.js';
import type { TestServer, Tracing } from '../../test/helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
let tracing: Tracing;
let server: TestServer;
let handler: Handler = (_q, res) => res.end('ok');
let requests: IncomingMessage[] = [];
let aborted = 0;

beforeAll(async () => {
  tracing = startTracing('policies');
  server = await startServer((req, res) => {
    // Another suite's exporter may still post spans to a port this server later reused.
    if (req.url?.startsWith('/v1/')) return void res.end();
    requests.push(req);
    res.on('close', () => {
      if (!res.writableFinished) aborted++;
    });
    req.resume();
    req.on('end', () => handler(req, res, requests.length));
  });
});
afterAll(async () => {
  await server.close();
  await tracing.stop();
});
beforeEach(async () => {
  requests = [];
  aborted = 0;
  await tracing.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

function client(policies: PolicyOptions, target = uniqueTarget()) {
  return createClient({ target, baseUrl: server.url, policies });
}

const failFirst =
  (n: number, status = 503, headers: Record<string, string> = {}): Handler =>
  (_req, res, i) => {
    if (i <= n) {
      res.writeHead(status, headers);
      res.end('fail');
    } else res.end('ok');
  };

async function logicalSpan(): Promise<ReadableSpan> {
  const spans = await tracing.spans();
  const logical = spans.filter((s) => s.attributes['faultline.attempt'] === undefined && s.kind === 2);
  expect(logical).toHaveLength(1);
  return logical[0]!;
}

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };

describe('retries', () => {
  it('retries a retryable status and records retry events and one span per attempt', async () => {
    handler = failFirst(2);
    const res = await client({ retry: { maxAttempts: 3, ...fastRetry } })('/r');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(requests).toHaveLength(3);

    const spans = await tracing.spans();
    const logical = await logicalSpan();
    const retries = eventsOf(logical, 'retry');
    expect(retries.map((e) => e.attributes?.['faultline.attempt'])).toEqual([2, 3]);
    expect(retries.map((e) => e.attributes?.['faultline.reason'])).toEqual(['http_503', 'http_503']);
    for (const e of retries) expect(e.attributes?.['faultline.delay_ms']).toBeLessThanOrEqual(5);
    const attempts = spans.filter((s) => s.attributes['faultline.attempt'] !== undefined);
    expect(attempts.map((s) => s.attributes['faultline.attempt']).sort()).toEqual([1, 2, 3]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(logical.spanContext().spanId);
    expect(attempts.find((a) => a.attributes['faultline.attempt'] === 1)!.attributes['http.response.status_code']).toBe(503);
    // Attempts 2 and 3 went out under their own span ids.
    const sentParents = requests.map((r) => String(r.headers.traceparent).split('-')[2]);
    expect(sentParents[0]).toBe(logical.spanContext().spanId);
    expect(sentParents.slice(1)).toEqual(
      attempts.filter((a) => a.attributes['faultline.attempt'] !== 1).sort((a, b) => Number(a.attributes['faultline.attempt']) - Number(b.attributes['faultline.attempt'])).map((a) => a.spanContext().spanId),
    );
  });

  it('creates no attempt spans when the first attempt succeeds', async () => {
    handler = (_q, res) => res.end('ok');
    await (await client({})('/one')).text();
    const spans = await tracing.spans();
    expect(spans).toHaveLength(1);
  });

  it('returns the last response when retries run out on a retryable status', async () => {
    handler = failFirst(10);
    const res = await client({ retry: { maxAttempts: 3, ...fastRetry } })('/r');
    expect(res.status).toBe(503);
    expect(requests).toHaveLength(3);
  });

  it('does not retry statuses outside retryableStatuses', async () => {
    handler = failFirst(1, 500);
    const res = await client({ retry: { maxAttempts: 3, ...fastRetry } })('/r');
    expect(res.status).toBe(500);
    expect(requests).toHaveLength(1);
  });

  it('retries POST only with an Idempotency-Key, reusing the same key', async () => {
    handler = failFirst(1);
    const c = client({ retry: { maxAttempts: 3, ...fastRetry } });
    expect((await c('/p', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers['idempotency-key']).toBeDefined();
    expect(requests[1]!.headers['idempotency-key']).toBe(requests[0]!.headers['idempotency-key']);

    requests = [];
    handler = failFirst(1);
    expect((await c('/p', { method: 'POST', body: '{}', idempotencyKey: false })).status).toBe(503);
    expect(requests).toHaveLength(1);
  });

  it('honours Retry-After in seconds', async () => {
    handler = failFirst(1, 503, { 'retry-after': '1' });
    const started = Date.now();
    const res = await client({ retry: { maxAttempts: 2, ...fastRetry } })('/ra');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const logical = await logicalSpan();
    expect(eventsOf(logical, 'retry')[0]!.attributes?.['faultline.delay_ms']).toBeGreaterThanOrEqual(1000);
  });

  it('gives the failure back at once when Retry-After is past the deadline', async () => {
    handler = failFirst(1, 503, { 'retry-after': '30' });
    const started = Date.now();
    const res = await client({ retry: { maxAttempts: 3, ...fastRetry }, timeout: { totalTimeoutMs: 2000 } })('/ra');
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(500);
    expect(requests).toHaveLength(1);
  });

  it('retries network errors and throws the last one', async () => {
    const c = createClient({ target: uniqueTarget(), baseUrl: 'http://127.0.0.1:9', policies: { retry: { maxAttempts: 2, ...fastRetry }, breaker: false } });
    await expect(c('/x')).rejects.toThrow(TypeError);
    const logical = await logicalSpan();
    expect(eventsOf(logical, 'retry').map((e) => e.attributes?.['faultline.reason'])).toEqual(['network_error']);
    expect(logical.status.code).toBe(2);
  });
});

describe('timeouts', () => {
  it('aborts an attempt at attemptTimeoutMs and raises TimeoutError(attempt)', async () => {
    handler = () => undefined; // never answers
    const c = client({ timeout: { attemptTimeoutMs: 50, totalTimeoutMs: 5000 }, retry: { maxAttempts: 2, ...fastRetry } });
    const error = await c('/slow').catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as { scope: string }).scope).toBe('attempt');
    expect(requests).toHaveLength(2);
    await vi.waitFor(() => expect(aborted).toBe(2));
    const logical = await logicalSpan();
    expect(eventsOf(logical, 'timeout').map((e) => [e.attributes?.['faultline.scope'], e.attributes?.['faultline.timeout_ms']])).toEqual([
      ['attempt', 50],
      ['attempt', 50],
    ]);
  });

  it('raises TimeoutError(total) when the total limit is the smaller one', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await client({ timeout: { attemptTimeoutMs: 5000, totalTimeoutMs: 80 } })('/slow').catch((e: unknown) => e);
    expect(isTimeoutError(error) && error.scope).toBe('total');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(requests).toHaveLength(1); // total expiry is never retried
  });

  it('uses the inbound deadline when it is sooner than the local limits', async () => {
    handler = () => undefined;
    const deadline = Date.now() + 100;
    const error = await runWithContext({ correlationId: 'c', deadlineMs: deadline }, () => client({})('/slow')).catch((e: unknown) => e);
    expect(isTimeoutError(error) && error.scope).toBe('total');
    expect(Number(requests[0]!.headers['x-request-deadline'])).toBe(deadline);
  });

  it('lets a per-call timeoutMs replace the total timeout', async () => {
    handler = () => undefined;
    const error = await client({})('/slow', { timeoutMs: 60 }).catch((e: unknown) => e);
    expect(isTimeoutError(error) && error.timeoutMs).toBe(60);
  });

  it('passes a caller abort through without retrying', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = client({ retry: { maxAttempts: 3, ...fastRetry } })('/slow', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 30);
    await expect(pending).rejects.toThrow('caller gave up');
    expect(requests).toHaveLength(1);
  });
});

describe('circuit breaker', () => {
  it('opens, rejects fast with BrokenCircuitError, then half-opens and closes on a good probe', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    handler = failFirst(3, 500);
    const target = uniqueTarget('brk');
    const c = client({ retry: false, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 10_000 } }, target);
    for (let i = 0; i < 3; i++) expect((await c('/b')).status).toBe(500);
    expect(breakers().find((b) => b.target === target)?.state).toBe('open');

    const error = await c('/b').catch((e: unknown) => e);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(requests).toHaveLength(3);

    vi.setSystemTime(Date.now() + 10_000);
    expect((await c('/b')).status).toBe(200);
    expect(breakers().find((b) => b.target === target)?.state).toBe('closed');

    const spans = await tracing.spans();
    const states = spans.flatMap((s) => eventsOf(s, 'breaker.state')).map((e) => `${e.attributes?.['faultline.from']}>${e.attributes?.['faultline.to']}`);
    expect(states).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
    const rejected = spans.flatMap((s) => eventsOf(s, 'breaker.rejected'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.attributes?.['faultline.breaker']).toBe(target);
  });

  it('re-opens when the half-open probe fails', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    handler = failFirst(100, 500);
    const target = uniqueTarget('brk');
    const c = client({ retry: false, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 1000 } }, target);
    await c('/b');
    vi.setSystemTime(Date.now() + 1000);
    expect((await c('/b')).status).toBe(500);
    expect(breakers().find((b) => b.target === target)?.state).toBe('open');
    expect(isBrokenCircuitError(await c('/b').catch((e: unknown) => e))).toBe(true);
  });

  it('stops retrying once the breaker opens mid-call (breaker sits inside retry)', async () => {
    handler = failFirst(100, 503);
    const c = client({ retry: { maxAttempts: 5, ...fastRetry }, breaker: { consecutiveFailures: 2 } });
    const error = await c('/b').catch((e: unknown) => e);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(requests).toHaveLength(2);
  });
});

describe('bulkhead', () => {
  it('runs maxConcurrent calls, queues maxQueue, rejects the rest with BulkheadRejectedError', async () => {
    const release: Array<() => void> = [];
    handler = (_q, res) => release.push(() => res.end('ok'));
    const c = client({ retry: false, bulkhead: { maxConcurrent: 1, maxQueue: 1 } });
    const first = c('/a');
    const second = c('/b');
    const third = await c('/c').catch((e: unknown) => e);
    expect(isBulkheadRejectedError(third)).toBe(true);
    await vi.waitFor(() => expect(release).toHaveLength(1));
    release[0]!();
    await vi.waitFor(() => expect(release).toHaveLength(2));
    release[1]!();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const spans = await tracing.spans();
    expect(spans.flatMap((s) => eventsOf(s, 'bulkhead.rejected'))).toHaveLength(1);
  });

  it('bounds the queue wait by the time limit', async () => {
    handler = () => undefined;
    const c = client({ retry: false, bulkhead: { maxConcurrent: 1, maxQueue: 5 }, timeout: { attemptTimeoutMs: 100, totalTimeoutMs: 100 } });
    const first = c('/a').catch((e: unknown) => e);
    const queued = await c('/b').catch((e: unknown) => e);
    expect(isTimeoutError(queued)).toBe(true);
    expect(isTimeoutError(await first)).toBe(true);
  });
});

describe('retry budget', () => {
  it('keeps retries within the budget under sustained 100% failure', async () => {
    handler = failFirst(1_000_000, 503);
    const c = client({ retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 }, breaker: false, budget: { ratio: 0.2, minRetriesPerSecond: 0 } });
    const calls = 200;
    for (let i = 0; i < calls; i++) expect((await c('/budget')).status).toBe(503);
    const retries = requests.filter((r) => r.url === '/budget').length - calls;
    expect(retries).toBeLessThanOrEqual(0.2 * calls);
    expect(retries).toBeGreaterThan(0.15 * calls);
    const spans = await tracing.spans();
    expect(spans.flatMap((s) => eventsOf(s, 'retry.budget_exhausted')).length).toBeGreaterThan(0);
  });

  it('raises BudgetExhaustedError when the failed attempt was an error', async () => {
    const c = createClient({
      target: uniqueTarget(),
      baseUrl: 'http://127.0.0.1:9',
      policies: { retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 }, breaker: false, budget: { ratio: 0.01, minRetriesPerSecond: 0 } },
    });
    const error = await c('/').catch((e: unknown) => e);
    expect(isBudgetExhaustedError(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});

describe('fallback', () => {
  it('answers with the fallback on errors and 5xx and records a fallback event', async () => {
    handler = failFirst(1, 500);
    const c = client({ retry: false, fallback: () => new Response('cached', { status: 200 }) });
    const res = await c('/f');
    expect(await res.text()).toBe('cached');
    const logical = await logicalSpan();
    expect(eventsOf(logical, 'fallback')[0]!.attributes?.['faultline.reason']).toBe('http_500');
  });

  it('can be disabled per call and filtered with when', async () => {
    handler = failFirst(10, 500);
    const c = client({ retry: false, fallback: { handler: () => new Response('cached'), when: (f) => f.error !== undefined } });
    expect((await c('/f')).status).toBe(500);
    const dead = createClient({ target: uniqueTarget(), baseUrl: 'http://127.0.0.1:9', policies: { retry: false, fallback: () => new Response('cached') } });
    expect(await (await dead('/')).text()).toBe('cached');
    await expect(dead('/', { fallback: false })).rejects.toThrow(TypeError);
  });
});

describe('composition order: fallback → total timeout → retry + budget → breaker → bulkhead → attempt timeout', () => {
  it('fallback sees what the inner policies raise (open breaker)', async () => {
    handler = failFirst(100, 503);
    let seen: unknown;
    const c = client({
      retry: { maxAttempts: 5, ...fastRetry },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
      fallback: (f) => {
        seen = f.error;
        return new Response('fallback');
      },
    });
    expect(await (await c('/o')).text()).toBe('fallback');
    expect(isBrokenCircuitError(seen)).toBe(true);
  });

  it('the total timeout bounds all retries together, each attempt has its own limit', async () => {
    handler = () => undefined;
    const started = Date.now();
    const c = client({ retry: { maxAttempts: 10, ...fastRetry }, timeout: { attemptTimeoutMs: 40, totalTimeoutMs: 150 }, breaker: false });
    const error = await c('/o').catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(600);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.length).toBeLessThanOrEqual(5);
  });

  it('a bulkhead rejection does not count against the breaker (bulkhead sits inside it)', async () => {
    const target = uniqueTarget();
    const release: Array<() => void> = [];
    handler = (_q, res) => release.push(() => res.end('ok'));
    const c = client({ retry: false, bulkhead: { maxConcurrent: 1, maxQueue: 0 }, breaker: { consecutiveFailures: 1 } }, target);
    const first = c('/a');
    expect(isBulkheadRejectedError(await c('/b').catch((e: unknown) => e))).toBe(true);
    expect(breakers().find((b) => b.target === target)?.state).toBe('closed');
    await vi.waitFor(() => expect(release).toHaveLength(1));
    release[0]!();
    await first;
  });
});

describe('options', () => {
  it.each([
    [{ retry: { maxAttempts: 0 } }, 'policies.retry.maxAttempts'],
    [{ timeout: { attemptTimeoutMs: -1 } }, 'policies.timeout.attemptTimeoutMs'],
    [{ breaker: { failureRatio: 1.5 } }, 'policies.breaker.failureRatio'],
    [{ breaker: { mode: 'sometimes' } }, 'policies.breaker.mode'],
    [{ bulkhead: { maxConcurrent: 0 } }, 'policies.bulkhead.maxConcurrent'],
    [{ retry: { retryableStatuses: [99] } }, 'policies.retry.retryableStatuses'],
    [{ budget: { ratio: 'lots' } }, 'policies.budget.ratio'],
    [{ fallback: { handler: 3 } }, 'policies.fallback.handler'],
  ])('rejects %j with a ConfigError naming %s', (policies, option) => {
    let error: unknown;
    try {
      createClient({ target: uniqueTarget(), baseUrl: server.url, policies: policies as PolicyOptions });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { option: string }).option).toBe(option);
  });

  it('rejects a bad target and baseUrl', () => {
    expect(() => createClient({ target: '' })).toThrow(/target/);
    expect(() => createClient({ target: 'x', baseUrl: 'not a url' })).toThrow(/baseUrl/);
  });
});
