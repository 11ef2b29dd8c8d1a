// The dashboard's client against a real collector (collector/src/cli.ts on a free port,
// in-memory database) loaded with the cascading-failure fixture over OTLP: every answer the
// pages read must pass the client's validation. Fails when the dashboard's expectations and
// the collector's answers drift apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCascade, type CascadeResult } from '../../e2e/fixtures/cascade.js';
import { startCollector, type RunningCollector } from '../../e2e/fixtures/collector.js';
import { createCollectorApi, type SeriesSubject } from './collector.js';

const START_TIMEOUT_MS = 120_000;
const HOUR_MS = 3_600_000;

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
  it('config, alerts and transactions', async () => {
    expect((await api.config()).controlUrl).toBeNull();
    await api.alerts(window);
    await api.transactions(window);
  });
});
