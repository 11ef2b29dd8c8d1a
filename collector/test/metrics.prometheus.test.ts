// GET /metrics scraped by a real Prometheus: rate() and histogram_quantile() agree with /api/services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/model.js';
import { testCollector, postJson, otlpJson } from './collector.js';
import { call, span } from './helpers.js';
import { missingBinary, PROMETHEUS_BIN, promQuery, startPrometheus, type SystemProcess, waitFor } from './services/systemBinaries.js';

const skip = missingBinary(PROMETHEUS_BIN, 'prometheus');
if (skip) console.log(`skipping the Prometheus test: ${skip}`);

/** Deterministic latencies spread over several buckets (5–400 ms). */
const durationOf = (i: number) => 5 + ((i * 37) % 100) * 4;

describe.skipIf(skip !== null)('a real Prometheus scraping /metrics', () => {
  let collector: Awaited<ReturnType<typeof testCollector>>;
  let prom: SystemProcess | null = null;
  let sent = 0;
  const sentAt: { ms: number; total: number }[] = [];

  beforeAll(async () => {
    collector = await testCollector();
    prom = await startPrometheus(collector.url, { scrapeIntervalS: 1 });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await collector?.close();
  });

  it('scrapes the target and sees rate() and histogram_quantile() that match /api/services', async () => {
    await waitFor('Prometheus to scrape the collector', async () => (await promQuery(prom!, 'up{job="faultline"}')) === 1);
    // 20 s of steady traffic: 40 gateway requests per 200 ms tick = 200 requests/s, each calling orders.
    const perTick = 40;
    const tickMs = 200;
    const startedMs = Date.now();
    while (Date.now() - startedMs < 20_000) {
      const tickStart = Date.now();
      const spans: SpanRecord[] = [];
      for (let i = 0; i < perTick; i++) {
        const n = sent + i;
        const root = span({ service: 'gateway', name: 'GET /orders', durationMs: durationOf(n), status: n % 10 === 0 ? 'error' : 'unset' });
        const [client, server] = call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId });
        spans.push(root, client, server);
      }
      const r = await postJson(collector.url, otlpJson(spans));
      expect(r.status).toBe(200);
      sent += perTick;
      sentAt.push({ ms: Date.now(), total: sent });
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - tickStart))));
    }

    // Prometheus has the final total once a scrape after the last batch is in.
    await waitFor('the last batch in Prometheus', async () => (await promQuery(prom!, 'faultline_requests_total{service="gateway"}')) === sent, 20_000);
    const services = (await (await fetch(`${collector.url}/api/services?from=${startedMs - 60_000}`)).json()) as { name: string; requests: number; errors: number; p95Ms: number; p50Ms: number }[];
    const gateway = services.find((s) => s.name === 'gateway')!;
    expect(gateway.requests).toBe(sent);

    // rate() over the sending period against the rate /api/services implies for it.
    const sendingS = (sentAt[sentAt.length - 1]!.ms - startedMs) / 1000;
    const evalTimeS = sentAt[sentAt.length - 1]!.ms / 1000;
    const promRate = await promQuery(prom!, `rate(faultline_requests_total{service="gateway"}[15s] @ ${evalTimeS})`);
    const lastIdx = sentAt.findIndex((p) => p.ms >= sentAt[sentAt.length - 1]!.ms - 15_000);
    const senderRate = (sent - sentAt[lastIdx]!.total) / ((sentAt[sentAt.length - 1]!.ms - sentAt[lastIdx]!.ms) / 1000);
    const apiRate = gateway.requests / sendingS;
    console.log(`Prometheus rate(faultline_requests_total[15s]) = ${promRate?.toFixed(1)}/s; sender ${senderRate.toFixed(1)}/s; /api/services ${gateway.requests} requests over ${sendingS.toFixed(1)} s = ${apiRate.toFixed(1)}/s`);
    expect(Math.abs(promRate! - senderRate) / senderRate).toBeLessThan(0.05);

    const errRatio = await promQuery(prom!, 'faultline_request_errors_total{service="gateway"} / faultline_requests_total{service="gateway"}');
    expect(errRatio).toBeCloseTo(gateway.errors / gateway.requests, 6);

    // Same fixed buckets, same linear interpolation inside a bucket: the quantiles agree.
    const p95 = await promQuery(prom!, 'histogram_quantile(0.95, faultline_request_duration_seconds_bucket{service="gateway"})');
    const p50 = await promQuery(prom!, 'histogram_quantile(0.5, sum by (le) (rate(faultline_request_duration_seconds_bucket{service="gateway"}[1m])))');
    console.log(`histogram_quantile p95 = ${(p95! * 1000).toFixed(2)} ms (/api/services ${gateway.p95Ms} ms); p50 of rate = ${(p50! * 1000).toFixed(2)} ms (/api/services ${gateway.p50Ms} ms)`);
    expect(Math.abs(p95! * 1000 - gateway.p95Ms)).toBeLessThan(gateway.p95Ms * 0.01);
    expect(Math.abs(p50! * 1000 - gateway.p50Ms)).toBeLessThan(gateway.p50Ms * 0.1);

    expect(await promQuery(prom!, 'faultline_calls_total{client="gateway",server="orders"}')).toBe(sent);
    expect(await promQuery(prom!, 'faultline_spans_accepted_total')).toBe(sent * 3);
    // Counters never went down between scrapes.
    expect(await promQuery(prom!, 'resets(faultline_requests_total{service="gateway"}[5m])')).toBe(0);
  }, 120_000);
});
