import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../src/lib/shop.js';
import { eventually, getJson, pidAlive, startTestCollector, type TestCollector } from './helpers.js';

interface ApiSpan {
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
}
interface GraphEdge {
  source: string;
  target: string;
  requests: number;
  errors: number;
}

const CORRELATION_ATTR = 'faultline.correlation_id';
const REQUESTS = 5;

describe('walking skeleton: gateway → orders traced into the collector', () => {
  let collector: TestCollector;
  let shop: Shop;
  let pids: number[] = [];
  const traceIds: string[] = [];
  const correlationIds: string[] = [];

  beforeAll(async () => {
    collector = await startTestCollector();
    shop = await startShop({ mode: 'resilient', otlpEndpoint: collector.url });
    pids = [collector.process.pid!, ...shop.supervisor.pids()];
    for (let i = 0; i < REQUESTS; i++) {
      const traceId = randomBytes(16).toString('hex');
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      };
      // Every other request comes without a correlation id: the gateway must create one.
      if (i % 2 === 0) headers['x-correlation-id'] = `e2e-${i}`;
      const res = await fetch(`${shop.urls.gateway}/orders`, { method: 'POST', headers, body: JSON.stringify({ sku: 'sku-2', qty: 1 }) });
      expect(res.status).toBe(201);
      await res.text();
      traceIds.push(traceId);
      correlationIds.push(res.headers.get('x-correlation-id') ?? '');
    }
  });

  afterAll(async () => {
    await shop?.close();
    await collector?.close();
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });

  it('echoes the caller correlation id and creates one at the edge when absent', () => {
    expect(correlationIds[0]).toBe('e2e-0');
    expect(correlationIds[1]).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(correlationIds[1]).not.toBe(correlationIds[3]);
  });

  it('returns one trace with spans of both services, correctly parented, sharing the correlation id', async () => {
    for (const [i, traceId] of traceIds.entries()) {
      const spans = await eventually(async () => {
        const { status, body } = await getJson<{ spans: ApiSpan[] }>(`${collector.url}/api/traces/${traceId}`);
        if (status !== 200) return undefined;
        // Each process exports in its own batches, and a server span ends (and is exported) after
        // its client children: wait until every half this test checks has arrived.
        const has = (service: string, kind: string) => body.spans.some((s) => s.service === service && s.kind === kind);
        const ids = new Set(body.spans.map((s) => s.spanId));
        const ordersClientsParented = body.spans.filter((s) => s.service === 'orders' && s.kind === 'client').every((s) => ids.has(s.parentSpanId));
        return has('gateway', 'server') && has('gateway', 'client') && has('orders', 'server') && has('orders', 'client') && ordersClientsParented ? body.spans : undefined;
      }, 20_000);
      expect(spans, `trace ${traceId} never arrived with both services`).toBeDefined();
      const byId = new Map(spans!.map((s) => [s.spanId, s]));
      const gatewayServer = spans!.find((s) => s.service === 'gateway' && s.kind === 'server')!;
      const gatewayClient = spans!.find((s) => s.service === 'gateway' && s.kind === 'client')!;
      const ordersServer = spans!.find((s) => s.service === 'orders' && s.kind === 'server')!;
      expect(gatewayServer).toBeDefined();
      // The gateway continued the caller's trace: its parent is the span id we sent, which the collector does not hold.
      expect(byId.has(gatewayServer.parentSpanId)).toBe(false);
      expect(gatewayClient.parentSpanId).toBe(gatewayServer.spanId);
      expect(ordersServer.parentSpanId).toBe(gatewayClient.spanId);
      // Orders' calls to the next services hang off orders' server span.
      const ordersClients = spans!.filter((s) => s.service === 'orders' && s.kind === 'client');
      for (const c of ordersClients) expect(byId.get(c.parentSpanId)?.service).toBe('orders');
      const servers = spans!.filter((s) => s.kind === 'server');
      for (const s of servers) expect(s.attributes[CORRELATION_ATTR]).toBe(correlationIds[i]);
    }
  });

  it('shows the gateway → orders edge with exactly the requests made', async () => {
    const edge = await eventually(async () => {
      const { body } = await getJson<{ nodes: { id: string }[]; edges: GraphEdge[] }>(`${collector.url}/api/graph`);
      const e = body.edges.find((x) => x.source === 'gateway' && x.target === 'orders');
      return e && e.requests >= REQUESTS ? e : undefined;
    }, 20_000);
    expect(edge).toBeDefined();
    expect(edge!.requests).toBe(REQUESTS);
    expect(edge!.errors).toBe(0);
  });
});
