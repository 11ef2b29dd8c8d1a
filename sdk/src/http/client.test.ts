import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, runWithContext } from '../index.js';
import { json, readBody, startServer, startTracing, uniqueTarget } from '../../test/helpers.js';
import type { TestServer, Tracing } from '../../test/helpers.js';

let tracing: Tracing;
let server: TestServer;
const seen: Array<{ method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }> = [];

beforeAll(async () => {
  tracing = startTracing('caller');
  server = await startServer(async (req, res) => {
    const body = await readBody(req);
    // Another suite's exporter may still post spans to a port this server later reused.
    if (req.url?.startsWith('/v1/')) return void res.end();
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    json(res, req.url === '/missing' ? 404 : 200, { ok: true });
  });
});
afterAll(async () => {
  await server.close();
  await tracing.stop();
});
beforeEach(async () => {
  seen.length = 0;
  await tracing.reset();
});

describe('createClient', () => {
  it('creates one CLIENT span per call and injects traceparent, correlation id and deadline', async () => {
    const target = uniqueTarget('orders');
    const client = createClient({ target, baseUrl: server.url });
    const before = Date.now();
    const res = await runWithContext({ correlationId: 'corr-1' }, () => client('/orders/1'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });

    const spans = await tracing.spans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes['peer.service']).toBe(target);
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.attributes['faultline.correlation_id']).toBe('corr-1');
    const h = seen[0]!.headers;
    expect(h.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(h['x-correlation-id']).toBe('corr-1');
    const deadline = Number(h['x-request-deadline']);
    expect(deadline).toBeGreaterThanOrEqual(before + 5000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it('sends no deadline when timeouts are switched off, unless one is inherited', async () => {
    const client = createClient({ target: uniqueTarget(), baseUrl: server.url, policies: { timeout: false } });
    await (await client('/a')).text();
    const deadline = Date.now() + 3000;
    await runWithContext({ correlationId: 'c', deadlineMs: deadline }, async () => (await client('/b')).text());
    expect(seen[0]!.headers['x-request-deadline']).toBeUndefined();
    expect(Number(seen[1]!.headers['x-request-deadline'])).toBe(deadline);
  });

  it('mints a correlation id outside any request context', async () => {
    const client = createClient({ target: uniqueTarget(), baseUrl: server.url });
    await (await client('/a')).text();
    await (await client('/b')).text();
    const ids = seen.map((s) => s.headers['x-correlation-id']);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('keeps a valid caller-set correlation id outside a request context, and replaces an invalid one', async () => {
    const client = createClient({ target: uniqueTarget(), baseUrl: server.url });
    await (await client('/a', { headers: { 'X-Correlation-Id': 'job-7' } })).text();
    await (await client('/b', { headers: { 'x-correlation-id': 'bad id\twith tab' } })).text();
    await runWithContext({ correlationId: 'ctx-1' }, async () => (await client('/c', { headers: { 'x-correlation-id': 'job-8' } })).text());
    expect(seen.map((s) => s.headers['x-correlation-id'])).toEqual(['job-7', expect.stringMatching(/^[0-9a-f-]{36}$/), 'ctx-1']);
  });

  it('returns non-2xx responses instead of throwing', async () => {
    const client = createClient({ target: uniqueTarget(), baseUrl: server.url });
    const res = await client('/missing');
    expect(res.status).toBe(404);
  });

  it('sends an Idempotency-Key on POST and PATCH only, unless opted out', async () => {
    const client = createClient({ target: uniqueTarget(), baseUrl: server.url });
    await (await client('/x', { method: 'POST', body: '{}' })).text();
    await (await client('/x', { method: 'PATCH', body: '{}' })).text();
    await (await client('/x', { method: 'PUT', body: '{}' })).text();
    await (await client('/x', { method: 'POST', body: '{}', idempotencyKey: false })).text();
    await (await client('/x', { method: 'POST', body: '{}', idempotencyKey: 'mine-1' })).text();
    await (await client('/x', { method: 'POST', body: '{}', headers: { 'Idempotency-Key': 'hdr-1' } })).text();
    const keys = seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[2]).toBeUndefined();
    expect(keys[3]).toBeUndefined();
    expect(keys[4]).toBe('mine-1');
    expect(keys[5]).toBe('hdr-1');
  });

  it('keeps caller headers and body', async () => {
    const client = createClient({ target: uniqueTarget(), baseUrl: server.url });
    await (await client('/echo?q=1', { method: 'POST', headers: new Headers({ 'X-Custom': 'yes' }), body: 'hello' })).text();
    expect(seen[0]!.headers['x-custom']).toBe('yes');
    expect(seen[0]!.body).toBe('hello');
    expect(seen[0]!.url).toBe('/echo?q=1');
  });

  it('accepts absolute URLs and URL objects', async () => {
    const client = createClient({ target: uniqueTarget() });
    await (await client(`${server.url}/abs`)).text();
    await (await client(new URL('/obj', server.url))).text();
    expect(seen.map((s) => s.url)).toEqual(['/abs', '/obj']);
  });
});
