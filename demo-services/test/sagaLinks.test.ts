import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../src/lib/shop.js';
import { eventually, getJson, startTestCollector, type TestCollector } from './helpers.js';

interface ApiSpan {
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: string;
  status: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}
interface TraceSummary {
  traceId: string;
}

const FAULT_MS = 3000;

/**
 * The shop's own processes exporting to a real collector: an order whose payment fails is
 * compensated after the request answered (handed off, then retried by the poller while the
 * fault lasts). Those compensations must arrive as traces linked to the gateway's request.
 */
describe('saga work after the request, as the collector sees it', () => {
  let collector: TestCollector;
  let shop: Shop;
  let traceId = '';

  beforeAll(async () => {
    collector = await startTestCollector();
    shop = await startShop({ mode: 'resilient', otlpEndpoint: collector.url, natsUrl: '', chaosEnabled: true });
    // Captures fail for a while; refunds share the path prefix, so the first ones fail too.
    const fault = await fetch(`${shop.urls.payments}/__chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'error', status: 500, path: '/payments', durationMs: FAULT_MS }),
    });
    expect(fault.ok).toBe(true);
    traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${shop.urls.gateway}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ sku: 'sku-3', qty: 1 }),
    });
    await res.text();
    expect(res.status).not.toBe(201);
  });

  afterAll(async () => {
    await shop?.close();
    await collector?.close();
  });

  it('links every compensation trace, poller retries included, to the orders span of the gateway request', { timeout: 60_000 }, async () => {
    const linked = await eventually(async () => {
      // This collector holds this one test's traces only: read them all, keep those whose root names our request.
      const { body: summaries } = await getJson<TraceSummary[]>(`${collector.url}/api/traces?service=orders&limit=1000`);
      const all = await Promise.all(summaries.filter((t) => t.traceId !== traceId).map(async (t) => (await getJson<{ spans: ApiSpan[] }>(`${collector.url}/api/traces/${t.traceId}`)).body.spans));
      const isLinkedRoot = (s: ApiSpan) => !s.parentSpanId && s.attributes['faultline.origin.trace_id'] === traceId;
      const traces = all.filter((spans) => spans.some(isLinkedRoot));
      const roots = traces.flat().filter((s) => !s.parentSpanId);
      // Done once the cancellation was written and a refund failed at least once before succeeding.
      const refunds = roots.filter((s) => s.name === 'saga.compensate capture-payment');
      const notified = traces.flat().some((s) => s.service === 'notifications' && s.kind === 'server');
      const done = roots.some((s) => s.name === 'saga.finish cancelled') && notified && refunds.some((s) => s.status === 'error') && refunds.some((s) => s.status !== 'error');
      return done ? { traces, roots } : undefined;
    }, 45_000);
    expect(linked, 'compensation traces linked to the request never arrived').toBeDefined();

    const origin = await eventually(async () => {
      const { body } = await getJson<{ spans: ApiSpan[] }>(`${collector.url}/api/traces/${traceId}`);
      const has = (service: string) => body.spans.some((s) => s.service === service && s.kind === 'server');
      return has('gateway') && has('orders') ? body.spans : undefined;
    }, 20_000);
    expect(origin, 'the request trace never arrived with gateway and orders server spans').toBeDefined();
    const ordersServer = origin!.find((s) => s.service === 'orders' && s.kind === 'server');

    for (const root of linked!.roots) {
      expect(root.service).toBe('orders');
      expect(root.attributes['faultline.background']).toBe(true);
      expect(root.links.map((l) => l.traceId)).toEqual([traceId]);
      expect(root.links[0]!.spanId).toBe(ordersServer!.spanId);
    }
    // The saga's calls to payments and inventory are inside those linked traces, and so is the
    // delivery of OrderCancelled to notifications (written inside the finish span).
    const services = new Set(linked!.traces.flat().filter((s) => s.kind === 'server').map((s) => s.service));
    expect(services).toEqual(new Set(['payments', 'inventory', 'notifications']));
  });
});
