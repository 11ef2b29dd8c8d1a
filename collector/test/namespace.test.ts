// Two runs of the same shop (same service names) in one collector, told apart by the
// `service.namespace` resource attribute: GET /api/traces?namespace=… and the store query behind it.
import { afterAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/model.js';
import { otlpJson, postJson, testCollector } from './collector.js';
import { call, postgresFixture, postgresReachable, sqliteFixture, threadedSqliteFixture, type StoreFixture } from './helpers.js';

function run(namespace: string, n: number): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (let i = 0; i < n; i++) {
    for (const s of call('gateway', 'orders')) spans.push({ ...s, resource: { 'service.name': s.service, 'service.namespace': namespace } });
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

describe('GET /api/traces?namespace=', () => {
  it('filters by the service.namespace resource attribute sent over OTLP', async () => {
    const c = await testCollector();
    try {
      for (const [ns, n] of [['run-1', 2], ['run-2', 3]] as const) {
        const body = otlpJson(run(ns, n)) as { resourceSpans: { resource: { attributes: object[] } }[] };
        for (const rs of body.resourceSpans) rs.resource.attributes.push({ key: 'service.namespace', value: { stringValue: ns } });
        expect((await postJson(c.url, body)).status).toBe(200);
      }
      const get = async (q: string) => (await (await fetch(`${c.url}/api/traces${q}`)).json()) as unknown[];
      expect(await get('?namespace=run-1')).toHaveLength(2);
      expect(await get('?namespace=run-2')).toHaveLength(3);
      expect(await get('')).toHaveLength(5);
      expect((await fetch(`${c.url}/api/traces?namespace=${'x'.repeat(300)}`)).status).toBe(400);
    } finally {
      await c.close();
    }
  });
});

describe('namespace on the aggregate endpoints', () => {
  it('filters /api/services, /api/graph, /api/series and /api/root-causes by run; unfiltered adds the runs up', async () => {
    const c = await testCollector();
    try {
      for (const [ns, n] of [['run-1', 2], ['run-2', 3]] as const) {
        const body = otlpJson(run(ns, n)) as { resourceSpans: { resource: { attributes: object[] } }[] };
        for (const rs of body.resourceSpans) rs.resource.attributes.push({ key: 'service.namespace', value: { stringValue: ns } });
        expect((await postJson(c.url, body)).status).toBe(200);
      }
      const json = async (path: string) => {
        const res = await fetch(`${c.url}${path}`);
        expect(res.status, path).toBe(200);
        return res.json();
      };
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
    } finally {
      await c.close();
    }
  });
});
