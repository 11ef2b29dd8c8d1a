// Two runs of the same shop (same service names) in one collector, told apart by the
// `service.namespace` resource attribute: the store queries, the filtered endpoints and the
// list of runs (GET /api/namespaces).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStart } from '../src/analysis/index.js';
import * as S from '../src/api/answers/index.js';
import type { SpanRecord } from '../src/model.js';
import { otlpJson, postJson, testCollector } from './collector.js';
import { call, postgresFixture, postgresReachable, span, sqliteFixture, threadedSqliteFixture, type StoreFixture } from './helpers.js';

const MINUTE = 60_000;

function run(namespace: string, n: number, startMs?: number): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (let i = 0; i < n; i++) {
    for (const s of call('gateway', 'orders', { startMs })) spans.push({ ...s, resource: { 'service.name': s.service, 'service.namespace': namespace } });
  }
  return spans;
}

const pg = await postgresReachable();
const fixtures: StoreFixture[] = [sqliteFixture(), threadedSqliteFixture(), ...(pg ? [postgresFixture()] : [])];

describe.each(fixtures)('listTraces({ namespace }) on $name', (fixture) => {
  afterAll(() => fixture.cleanup());

  it('returns only the traces of that run; without it, both runs', async () => {
    const store = await fixture.open();
    try {
      const a = run('scenario-a', 3);
      const b = run('scenario-b', 2);
      await store.insertSpans([...a, ...b]);
      const range = { fromMs: Date.now() - 60_000, toMs: Date.now(), limit: 100 };
      const onlyA = await store.listTraces({ ...range, namespace: 'scenario-a' });
      expect(onlyA.map((t) => t.traceId).sort()).toEqual([...new Set(a.map((s) => s.traceId))].sort());
      expect(await store.listTraces({ ...range, namespace: 'scenario-b' })).toHaveLength(2);
      expect(await store.listTraces({ ...range, namespace: 'nobody' })).toEqual([]);
      expect(await store.listTraces(range)).toHaveLength(5);
    } finally {
      await store.close();
    }
  });
});

describe('the query API by run', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  // Both runs in one minute; an older run 20 minutes before (outside the default window) and spans of no run.
  const t = Date.now() - 1000;
  beforeAll(async () => {
    c = await testCollector();
    const spans = [...run('run-1', 2, t), ...run('run-2', 3, t), ...run('run-0', 1, t - 20 * MINUTE), span({ service: 'gateway', startMs: t - 20 * MINUTE })];
    expect((await postJson(c.url, otlpJson(spans))).status).toBe(200);
  });
  afterAll(async () => {
    await c?.close();
  });

  const json = async (path: string) => {
    const res = await fetch(`${c.url}${path}`);
    expect(res.status, path).toBe(200);
    return res.json();
  };

  it('filters /api/traces by the service.namespace resource attribute sent over OTLP', async () => {
    expect(await json('/api/traces?namespace=run-1')).toHaveLength(2);
    expect(await json('/api/traces?namespace=run-2')).toHaveLength(3);
    expect(await json('/api/traces')).toHaveLength(5);
    expect((await fetch(`${c.url}/api/traces?namespace=${'x'.repeat(300)}`)).status).toBe(400);
  });

  it('filters /api/services, /api/graph, /api/series and /api/root-causes by run; unfiltered adds the runs up', async () => {
    const requests = (list: { name: string; requests: number }[]) => list.map((s) => [s.name, s.requests]);
    expect(requests(await json('/api/services?namespace=run-1'))).toEqual([['orders', 2]]);
    expect(requests(await json('/api/services'))).toEqual([['orders', 5]]);
    const graph = await json('/api/graph?namespace=run-2');
    expect(graph.edges.map((e: { requests: number }) => e.requests)).toEqual([3]);
    const total = (series: { points: { requests: number }[] }) => series.points.reduce((k, p) => k + p.requests, 0);
    expect(total(await json('/api/series?service=orders&namespace=run-2'))).toBe(3);
    expect(total(await json('/api/series?service=orders'))).toBe(5);
    expect(total(await json('/api/series?source=gateway&target=orders&namespace=run-1'))).toBe(2);
    expect(total(await json('/api/series?service=orders&namespace=nobody'))).toBe(0);
    expect(await json('/api/root-causes?namespace=run-1')).toEqual({ incidents: [] });
    expect((await fetch(`${c.url}/api/services?namespace=${'x'.repeat(300)}`)).status).toBe(400);
  });

  it('lists the runs that hold data in the window, newest first, with their minutes and requests', async () => {
    const raw = await json(`/api/namespaces?from=${t - 30 * MINUTE}&to=${t + MINUTE}`);
    // Every field is named by the schema (zod drops the others).
    expect(S.NamespacesAnswer.parse(raw)).toEqual(raw);
    const minute = bucketStart(t);
    const old = bucketStart(t - 20 * MINUTE);
    expect(raw).toEqual([
      { namespace: 'run-1', firstMs: minute, lastMs: minute, requests: 2 },
      { namespace: 'run-2', firstMs: minute, lastMs: minute, requests: 3 },
      { namespace: 'run-0', firstMs: old, lastMs: old, requests: 1 },
    ]);
    expect((await json('/api/namespaces')).map((r: { namespace: string }) => r.namespace)).toEqual(['run-1', 'run-2']);
    expect(await json(`/api/namespaces?from=${t - 30 * MINUTE}&to=${t - 25 * MINUTE}`)).toEqual([]);
    for (const q of ['from=abc', `from=${t}&to=${t - 1}`, 'to=-5', 'from=1&from=2']) {
      const res = await fetch(`${c.url}/api/namespaces?${q}`);
      expect(res.status, q).toBe(400);
      expect(S.ErrorAnswer.parse(await res.json()).error).not.toBe('');
    }
  });
});
