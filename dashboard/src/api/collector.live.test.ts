// The dashboard's client against a real collector (collector/src/cli.ts on a free port,
// in-memory database) loaded with the cascading-failure fixture over OTLP: every answer the
// pages read must pass the client's validation. Fails when the dashboard's expectations and
// the collector's answers drift apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCascade, type CascadeResult } from '../../e2e/fixtures/cascade.js';
import { startCollector, type RunningCollector } from '../../e2e/fixtures/collector.js';
import { OtlpEmitter } from '../../e2e/fixtures/otlp.js';
import { createCollectorApi, type SeriesSubject } from './collector.js';

const START_TIMEOUT_MS = 120_000;
const HOUR_MS = 3_600_000;
/** Alert rules run every 5 s; the test waits for the first evaluation that sees the open breaker. */
const POLL_MS = 250;
const RUN = 'live-run-1';

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

let collector: RunningCollector;
let fixture: CascadeResult;
let api: ReturnType<typeof createCollectorApi>;
let window: { fromMs: number; toMs: number };

beforeAll(async () => {
  collector = await startCollector();
  fixture = await loadCascade(collector.url);
  const res = await fetch(`${collector.url}/api/annotations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'deploy', service: 'orders', text: 'orders v2' }),
  });
  expect(res.status).toBe(201);
  // One run (service.namespace) with a finished saga, for the runs list and transactions.
  const emitter = new OtlpEmitter(collector.url, RUN);
  const t0 = Date.now() - 5_000;
  const tx = (name: string, step?: string) => ({ name, attributes: { 'faultline.tx.id': 'order-live-1', 'faultline.tx.type': 'order', ...(step ? { 'faultline.tx.step': step } : {}) } });
  emitter.span({ service: 'checkout', name: 'POST /orders', kind: 'server', startMs: t0, endMs: t0 + 40, events: [
    { ...tx('tx.step.started', 'reserve-stock'), timeMs: t0 + 1 },
    { ...tx('tx.step.succeeded', 'reserve-stock'), timeMs: t0 + 10 },
    { ...tx('tx.completed'), timeMs: t0 + 20 },
  ] });
  await emitter.flush();
  await emitter.shutdown();
  api = createCollectorApi(`${collector.url}/`);
  const now = Date.now();
  window = { fromMs: now - HOUR_MS, toMs: now };
}, START_TIMEOUT_MS);

afterAll(async () => collector?.stop());

describe('answers of a real collector pass the dashboard client', () => {
  it('services, graph and root causes', async () => {
    const services = await api.services(window);
    expect(services.map((s) => s.name)).toEqual(expect.arrayContaining(['gateway', 'orders']));
    const graph = await api.graph(window);
    expect(graph.nodes.find((n) => n.id === 'inventory')?.incoming?.errors).toBeGreaterThan(0);
    expect(graph.nodes.every((n) => n.current.minuteStartMs === graph.nodes[0]!.current.minuteStartMs)).toBe(true);
    await api.rootCauses(window);
  });
  it('series of a service, an edge and the system', async () => {
    const subjects: SeriesSubject[] = [{ service: 'orders' }, { source: 'orders', target: 'inventory' }, {}];
    for (const subject of subjects) {
      const s = await api.series({ ...window, stepMs: 300_000 }, subject);
      expect(s.stepMs).toBe(300_000);
      expect(s.points.length).toBeGreaterThan(0);
    }
  });
  it('breakers and annotations', async () => {
    const breakers = await api.breakers(window);
    expect(breakers.some((b) => b.service === 'orders' && b.transitions.some((t) => t.to === 'open'))).toBe(true);
    const annotations = await api.annotations(window);
    expect(annotations.find((a) => a.kind === 'deploy')?.text).toBe('orders v2');
  });
  it('traces, filters and one trace', async () => {
    const traceId = fixture.retryTraceIds[0]!;
    const byCorrelation = await api.traces({ ...window, correlationId: fixture.correlationIds.get(traceId)! });
    expect(byCorrelation.map((t) => t.traceId)).toEqual([traceId]);
    const failing = await api.traces({ ...window, service: 'inventory', status: 'error', limit: 5 });
    expect(failing.length).toBeGreaterThan(0);
    const byAttr = await api.traces({ ...window, attrs: ['peer.service=inventory'], maxDurationMs: 60_000, limit: 5 });
    expect(byAttr.length).toBeGreaterThan(0);
    const byIds = await api.traces({ ...window, traceIds: fixture.okTraceIds.slice(0, 2) });
    expect(byIds.map((t) => t.traceId).sort()).toEqual(fixture.okTraceIds.slice(0, 2).sort());
    const trace = await api.trace(traceId);
    expect(trace.spans.some((s) => s.status === 'error' && s.statusMessage !== '')).toBe(true);
  });
  it('runs, and the run filter on the calls that take it', async () => {
    const runs = await api.namespaces(window);
    expect(runs.map((r) => r.namespace)).toEqual([RUN]);
    expect(runs[0]!.requests).toBe(1);
    const scoped = { ...window, run: RUN };
    expect((await api.services(scoped)).map((s) => s.name)).toEqual(['checkout']);
    expect((await api.graph(scoped)).nodes.map((n) => n.id)).toEqual(['checkout']);
    expect((await api.traces(scoped)).every((t) => t.services.includes('checkout'))).toBe(true);
    expect((await api.traces({ ...scoped, namespace: 'no-such-run' })).length).toBe(0);
  });
  it('config, alerts and transactions', async () => {
    expect((await api.config()).controlUrl).toBeNull();
    // The cascade's orders breaker is open: BreakerOpen fires at the next rule evaluation.
    const alerts = await until(() => api.alerts({ ...window, toMs: Date.now(), state: 'firing' }), (list) => list.some((a) => a.rule === 'BreakerOpen'));
    expect(alerts.find((a) => a.rule === 'BreakerOpen')!.updatedAt).toBeGreaterThanOrEqual(alerts.find((a) => a.rule === 'BreakerOpen')!.startsAt);
    const list = await api.transactions(window);
    expect(list.map((t) => `${t.id}:${t.state}`)).toEqual(['order-live-1:completed']);
    expect(list[0]!.ageMs).toBeGreaterThanOrEqual(0);
    const one = await api.transaction('order-live-1');
    expect(one.steps.map((s) => `${s.service}:${s.name}:${s.state}`)).toEqual(['checkout:reserve-stock:succeeded']);
  });
});
