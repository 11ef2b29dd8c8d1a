// GET /metrics: format, auth, the series cap with 1,000 services, monotonic counters.
import { afterAll, describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../src/analysis/index.js';
import { AggregateCounters } from '../src/metrics/AggregateCounters.js';
import { SERIES_PER_EDGE, SERIES_PER_SERVICE } from '../src/metrics/MetricsRegistry.js';
import { SeriesBudget } from '../src/metrics/SeriesBudget.js';
import type { SpanRecord } from '../src/model.js';
import { SqliteTraceStore } from '../src/store/sqlite/SqliteTraceStore.js';
import { otlpJson, postJson, testCollector } from './collector.js';
import { call, span } from './helpers.js';

/** Sample lines (not comments) of /metrics, as name → count, and the whole parsed list. */
function parse(text: string) {
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
  const byName = new Map<string, number>();
  for (const l of samples) {
    const name = l.match(/^[a-z_:]+/)![0];
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  const value = (prefix: string) => samples.filter((l) => l.startsWith(prefix)).map((l) => Number(l.split(' ').pop()));
  return { samples, byName, value };
}

const CAPPED = /^faultline_(requests_total|request_errors_total|request_duration_seconds|calls_total|call_|breaker_state|transactions)/;

describe('GET /metrics', () => {
  const collectors: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const c of collectors) await c.close();
  });

  it('answers the Prometheus text format with the contract families, HELP and TYPE lines', async () => {
    const c = await testCollector();
    collectors.push(c);
    const [client, server] = call('gateway', 'orders');
    const breakerSpan = span({
      service: 'orders',
      kind: 'client',
      parentSpanId: server.spanId,
      traceId: server.traceId,
      attributes: { 'peer.service': 'payments' },
      events: [{ name: 'breaker.state', timeMs: Date.now(), attributes: { 'faultline.breaker': 'payments', 'faultline.from': 'closed', 'faultline.to': 'open' } }],
    });
    expect((await postJson(c.url, otlpJson([client, server, breakerSpan]))).status).toBe(200);
    const r = await fetch(`${c.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    for (const name of ['faultline_requests_total', 'faultline_request_errors_total', 'faultline_request_duration_seconds', 'faultline_calls_total', 'faultline_call_errors_total', 'faultline_call_duration_seconds', 'faultline_call_retries_total', 'faultline_call_timeouts_total', 'faultline_call_short_circuits_total', 'faultline_breaker_state', 'faultline_transactions', 'faultline_spans_accepted_total', 'faultline_spans_rejected_total', 'faultline_ingest_throttled_total', 'faultline_write_queue_spans', 'faultline_metrics_series_dropped_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('faultline_requests_total{service="orders"} 1\n');
    expect(text).toContain('faultline_calls_total{client="gateway",server="orders"} 1\n');
    expect(text).toContain('faultline_request_duration_seconds_bucket{service="orders",le="0.00025"} 0\n');
    expect(text).toContain('faultline_request_duration_seconds_bucket{service="orders",le="0.012"} 1\n');
    expect(text).toContain('faultline_request_duration_seconds_bucket{service="orders",le="+Inf"} 1\n');
    expect(text).toContain('faultline_request_duration_seconds_count{service="orders"} 1\n');
    expect(text).toContain('faultline_breaker_state{service="orders",breaker="payments",target="payments"} 2\n');
    expect(text).toContain('faultline_spans_accepted_total 3\n');
  });

  it('needs the bearer token when FAULTLINE_TOKEN is set', async () => {
    const c = await testCollector({ token: 's3cret' });
    collectors.push(c);
    expect((await fetch(`${c.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${c.url}/metrics`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });

  it('stays under FAULTLINE_METRICS_MAX_SERIES with 1,000 services, folding the rest into service="other"', async () => {
    const maxSeries = 10_000;
    const c = await testCollector({ metricsMaxSeries: maxSeries });
    collectors.push(c);
    const spans: SpanRecord[] = [];
    for (let i = 0; i < 1000; i++) {
      const name = `svc-${String(i).padStart(4, '0')}`;
      // Busier services first in admission: svc-0000 gets the most requests.
      for (let k = 0; k < (i < 10 ? 3 : 1); k++) spans.push(...call('gateway', name));
    }
    expect((await postJson(c.url, otlpJson(spans))).status).toBe(200);
    const first = parse(await (await fetch(`${c.url}/metrics`)).text());
    const capped = first.samples.filter((l) => CAPPED.test(l));
    console.log(`1,000 services + 1,000 edges: ${capped.length} capped series (cap ${maxSeries}), ${first.samples.length} in all; dropped ${first.value('faultline_metrics_series_dropped_total')[0]}`);
    expect(capped.length).toBeLessThanOrEqual(maxSeries);
    expect(first.value('faultline_metrics_series ')[0]).toBeLessThanOrEqual(maxSeries);
    expect(first.samples).toContain('faultline_requests_total{service="svc-0000"} 3');
    const other = first.value('faultline_requests_total{service="other"}')[0]!;
    const own = first.value('faultline_requests_total{service="svc-');
    expect(own.reduce((a, b) => a + b, 0) + other).toBe(1020);
    expect(first.value('faultline_calls_total{client="other",server="other"}')[0]).toBeGreaterThan(0);
    const dropped = first.value('faultline_metrics_series_dropped_total')[0]!;
    expect(dropped).toBeGreaterThan(0);
    // Sticky: a second scrape has the same label sets, and folded ones are not counted again.
    const second = parse(await (await fetch(`${c.url}/metrics`)).text());
    expect(second.samples.filter((l) => CAPPED.test(l)).length).toBe(capped.length);
    expect(second.value('faultline_metrics_series_dropped_total')[0]).toBe(dropped);
  });

  it('keeps counters monotonic as minutes leave the live window and fold into the base', async () => {
    const store = new SqliteTraceStore({ path: ':memory:' });
    try {
      const counters = new AggregateCounters(store, new SeriesBudget(10_000, { node: { cost: SERIES_PER_SERVICE }, edge: { cost: SERIES_PER_EDGE } }), 2 * BUCKET_MS);
      const t0 = Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS - 60 * BUCKET_MS;
      const at = (minute: number) => t0 + minute * BUCKET_MS + 1000;
      const seen: number[] = [];
      for (let minute = 0; minute < 6; minute++) {
        await store.insertSpans([span({ service: 'a', startMs: at(minute) }), span({ service: 'a', startMs: at(minute) + 5 })], at(minute));
        const snap = await counters.snapshot(at(minute) + 30_000);
        seen.push(snap.nodes.get('a')!.requests);
      }
      expect(seen).toEqual([2, 4, 6, 8, 10, 12]);
      const later = await counters.snapshot(at(20));
      expect(later.nodes.get('a')!.requests).toBe(12);
    } finally {
      await store.close();
    }
  });
});
