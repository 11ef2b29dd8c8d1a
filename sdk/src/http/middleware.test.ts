import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, getCorrelationId, getDeadline, getDeadlineSignal, isTimeoutError, middleware } from '../index.js';
import { startServer, startTracing, uniqueTarget } from '../../test/helpers.js';
import type { TestServer, Tracing } from '../../test/helpers.js';

let tracing: Tracing;
let edge: TestServer;
let mid: TestServer;
let leaf: TestServer;
let leafSaw: { correlationId?: string; deadline?: number; header?: string } = {};
let leafDelayMs = 0;

function app(): express.Express {
  const a = express();
  a.use(middleware());
  return a;
}

beforeAll(async () => {
  tracing = startTracing('three');
  const leafApp = app();
  leafApp.get('/work', async (req, res) => {
    leafSaw = { correlationId: getCorrelationId(), deadline: getDeadline(), header: req.header('x-request-deadline') };
    if (leafDelayMs) await new Promise((r) => setTimeout(r, leafDelayMs));
    res.json({ leaf: true });
  });
  leaf = await startServer(leafApp);

  const toLeaf = createClient({ target: uniqueTarget('leaf'), baseUrl: leaf.url, policies: { retry: false } });
  const midApp = app();
  midApp.get('/work', async (_req, res) => {
    try {
      const r = await toLeaf('/work');
      res.status(r.status).json(await r.json());
    } catch (error) {
      res.status(isTimeoutError(error) ? 504 : 502).json({ error: (error as Error).message, scope: isTimeoutError(error) ? error.scope : undefined });
    }
  });
  mid = await startServer(midApp);

  const toMid = createClient({ target: uniqueTarget('mid'), baseUrl: mid.url, policies: { retry: false } });
  const edgeApp = app();
  edgeApp.get('/work', async (_req, res) => {
    try {
      const r = await toMid('/work');
      res.status(r.status).json(await r.json());
    } catch (error) {
      res.status(504).json({ error: (error as Error).message, scope: isTimeoutError(error) ? error.scope : undefined });
    }
  });
  edgeApp.get('/echo', (_req, res) => {
    res.json({ correlationId: getCorrelationId(), deadline: getDeadline() ?? null });
  });
  edgeApp.get('/signal', async (_req, res) => {
    const signal = getDeadlineSignal();
    if (!signal) return void res.json({ signal: false });
    await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    res.json({ signal: true, aborted: signal.aborted });
  });
  edgeApp.get('/boom', () => {
    throw new Error('boom');
  });
  edge = await startServer(edgeApp);
});

afterAll(async () => {
  await Promise.all([edge.close(), mid.close(), leaf.close()]);
  await tracing.stop();
});

beforeEach(async () => {
  leafSaw = {};
  leafDelayMs = 0;
  await tracing.reset();
});

describe('middleware', () => {
  it('continues the caller trace and keeps one correlation id across three services', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await fetch(`${edge.url}/work`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01`, 'x-correlation-id': 'order-42' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toBe('order-42');
    expect(leafSaw.correlationId).toBe('order-42');

    const spans = await tracing.spans();
    expect(spans.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    const clients = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(servers).toHaveLength(3);
    expect(clients).toHaveLength(2);
    const edgeSpan = servers.find((s) => s.parentSpanContext?.spanId === 'b7ad6b7169203331')!;
    expect(edgeSpan.name).toBe('GET /work');
    expect(edgeSpan.attributes['http.route']).toBe('/work');
    // Every client span is the child of a server span, and every other server span the child of a client span.
    for (const c of clients) expect(servers.some((s) => s.spanContext().spanId === c.parentSpanContext?.spanId)).toBe(true);
    for (const s of servers.filter((x) => x !== edgeSpan)) {
      expect(clients.some((c) => c.spanContext().spanId === s.parentSpanContext?.spanId)).toBe(true);
    }
    expect(spans.every((s) => s.attributes['faultline.correlation_id'] === 'order-42')).toBe(true);
  });

  it('creates a correlation id at the edge when none is sent', async () => {
    const res = await fetch(`${edge.url}/echo`);
    const body = (await res.json()) as { correlationId: string };
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-correlation-id')).toBe(body.correlationId);
  });

  it('propagates the inbound deadline downstream, never later than the caller set', async () => {
    const deadline = Date.now() + 3000;
    const res = await fetch(`${edge.url}/work`, { headers: { 'x-request-deadline': String(deadline) } });
    expect(res.status).toBe(200);
    expect(leafSaw.deadline).toBeDefined();
    expect(leafSaw.deadline!).toBeLessThanOrEqual(deadline);
    expect(Number(leafSaw.header)).toBe(leafSaw.deadline);
  });

  it('stops a downstream call the caller has given up on', async () => {
    leafDelayMs = 1000;
    const started = Date.now();
    const res = await fetch(`${edge.url}/work`, { headers: { 'x-request-deadline': String(Date.now() + 150) } });
    const body = (await res.json()) as { scope?: string };
    expect(res.status).toBe(504);
    expect(body.scope).toBe('total');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('answers 504 at once when the propagated deadline has already passed', async () => {
    const res = await fetch(`${edge.url}/work`, { headers: { 'x-request-deadline': String(Date.now() - 10) } });
    expect(res.status).toBe(504);
    expect(leafSaw.correlationId).toBeUndefined();
  });

  it('offers an AbortSignal that fires at the deadline, for work the SDK does not see', async () => {
    const started = Date.now();
    const res = await fetch(`${edge.url}/signal`, { headers: { 'x-request-deadline': String(Date.now() + 100) } });
    expect(await res.json()).toEqual({ signal: true, aborted: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await (await fetch(`${edge.url}/signal`)).json()).toEqual({ signal: false });
  });

  it('marks the server span as an error on 5xx', async () => {
    const res = await fetch(`${edge.url}/boom`);
    expect(res.status).toBe(500);
    const spans = await tracing.spans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === '/boom')!;
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes['http.response.status_code']).toBe(500);
  });
});
