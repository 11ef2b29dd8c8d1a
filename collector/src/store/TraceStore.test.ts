// One suite, both backends: every behaviour of the TraceStore contract.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../analysis/index.js';
import { call, hex, postgresFixture, postgresReachable, span, sqliteFixture, type StoreFixture, threadedSqliteFixture } from '../../test/helpers.js';
import type { SpanRecord } from '../model.js';
import type { TraceStore } from './TraceStore.js';

const pgUp = await postgresReachable();
if (!pgUp) console.log('skipping PostgreSQL store suite: server unreachable at DATABASE_URL');

const backends: { name: string; make: () => StoreFixture; skip: boolean }[] = [
  { name: 'sqlite', make: sqliteFixture, skip: false },
  { name: 'sqlite with writer thread', make: threadedSqliteFixture, skip: false },
  { name: 'postgres', make: postgresFixture, skip: !pgUp },
];

describe.each(backends)('TraceStore on $name', ({ make, skip }) => {
  let fixture: StoreFixture;
  let store: TraceStore;
  const now = Date.now();
  const range = { fromMs: now - 15 * 60_000, toMs: now + 60_000 };

  beforeAll(() => {
    fixture = make();
  });
  afterEach(async () => {
    await store?.close();
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  async function graph(s: TraceStore) {
    return buildGraph(await s.graphInput(range));
  }

  it.skipIf(skip)('stores spans and returns a whole trace by id, ignoring re-sent duplicates', async () => {
    store = await fixture.open();
    const root = span({ service: 'gateway', name: 'GET /orders', attributes: { 'http.route': '/orders', n: 3 }, events: [{ name: 'retry', timeMs: now, attributes: { 'faultline.attempt': 1 } }] });
    const [client, server] = call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId });
    expect(await store.insertSpans([root, client, server], now)).toEqual({ inserted: 3 });
    expect(await store.insertSpans([root, server], now)).toEqual({ inserted: 0 });
    const spans = await store.getTrace(root.traceId);
    expect(spans.map((s) => s.spanId).sort()).toEqual([root.spanId, client.spanId, server.spanId].sort());
    expect(spans.find((s) => s.spanId === root.spanId)).toEqual(root);
    const [summary] = await store.listTraces({ ...range, limit: 10 });
    expect(summary).toMatchObject({ traceId: root.traceId, rootService: 'gateway', rootOperation: 'GET /orders', spanCount: 3, errorCount: 0, services: ['gateway', 'orders'] });
    expect(await store.getTrace(hex(16))).toEqual([]);
  });

  it.skipIf(skip)('pairs a client span with its server span in the same batch', async () => {
    store = await fixture.open();
    await store.insertSpans(call('gateway', 'orders'), now);
    const g = await graph(store);
    expect(g.edges).toEqual([expect.objectContaining({ source: 'gateway', target: 'orders', requests: 1, errors: 0 })]);
    expect(g.nodes.map((n) => [n.id, n.kind])).toEqual([['gateway', 'service'], ['orders', 'service']]);
  });

  it.skipIf(skip)('pairs halves that arrive in different batches, in either order', async () => {
    store = await fixture.open({ pendingEdgeMs: 5000 });
    const [c1, s1] = call('gateway', 'orders');
    const [c2, s2] = call('orders', 'payments', { status: 'error' });
    await store.insertSpans([s1], now); // server first
    await store.insertSpans([c1], now + 1000);
    await store.insertSpans([c2], now); // client first
    await store.insertSpans([s2], now + 2000);
    expect(await store.resolvePendingEdges(now + 60_000)).toBe(0);
    const g = await graph(store);
    expect(g.edges.map((e) => [e.source, e.target, e.requests, e.errors])).toEqual([
      ['gateway', 'orders', 1, 0],
      ['orders', 'payments', 1, 1],
    ]);
  });

  it.skipIf(skip)('shows a pending call at once, then gives a callee that never reports a virtual node', async () => {
    store = await fixture.open({ pendingEdgeMs: 5000 });
    const client = span({ service: 'orders', kind: 'client', parentSpanId: hex(8), status: 'error', attributes: { 'server.address': 'payments.internal' } });
    await store.insertSpans([client], now);
    let g = await graph(store);
    expect(g.edges).toEqual([expect.objectContaining({ source: 'orders', target: 'payments.internal', requests: 1, errors: 1 })]);
    expect(await store.resolvePendingEdges(now + 4000)).toBe(0);
    expect(await store.resolvePendingEdges(now + 5000)).toBe(1);
    g = await graph(store);
    expect(g.edges).toEqual([expect.objectContaining({ source: 'orders', target: 'payments.internal', requests: 1, errors: 1 })]);
    expect(g.nodes.find((n) => n.id === 'payments.internal')?.kind).toBe('virtual');
  });

  it.skipIf(skip)('sends an unanswered call to the known service its peer.service names', async () => {
    store = await fixture.open({ pendingEdgeMs: 1000 });
    await store.insertSpans([span({ service: 'payments' })], now);
    await store.insertSpans([span({ service: 'orders', kind: 'client', parentSpanId: hex(8), status: 'error', attributes: { 'peer.service': 'payments' } })], now);
    await store.resolvePendingEdges(now + 2000);
    const g = await graph(store);
    expect(g.edges).toEqual([expect.objectContaining({ source: 'orders', target: 'payments', errors: 1 })]);
    expect(g.nodes.find((n) => n.id === 'payments')?.kind).toBe('service');
  });

  it.skipIf(skip)('pairs a server span below a retry attempt with the logical call, counting the retry', async () => {
    store = await fixture.open({ pendingEdgeMs: 1000 });
    const traceId = hex(16);
    const logical = span({ service: 'orders', kind: 'client', traceId, parentSpanId: hex(8), attributes: { 'peer.service': 'payments' }, durationMs: 50 });
    const a1 = span({ service: 'orders', kind: 'client', traceId, parentSpanId: logical.spanId, status: 'error', attributes: { 'faultline.attempt': 1 } });
    const a2 = span({ service: 'orders', kind: 'client', traceId, parentSpanId: logical.spanId, attributes: { 'faultline.attempt': 2 } });
    const server = span({ service: 'payments', traceId, parentSpanId: a2.spanId });
    await store.insertSpans([server], now);
    await store.insertSpans([a1, a2, logical], now + 500);
    await store.resolvePendingEdges(now + 10_000);
    const g = await graph(store);
    expect(g.edges).toEqual([expect.objectContaining({ source: 'orders', target: 'payments', requests: 1, retries: 1 })]);
  });

  it.skipIf(skip)('pairs a producer with a consumer that links to it', async () => {
    store = await fixture.open({ pendingEdgeMs: 1000 });
    const producer = span({ service: 'orders', kind: 'producer', parentSpanId: hex(8), attributes: { 'messaging.destination.name': 'order.events' } });
    const consumer = span({ service: 'notifications', kind: 'consumer', links: [{ traceId: producer.traceId, spanId: producer.spanId, attributes: {} }] });
    await store.insertSpans([producer], now);
    await store.insertSpans([consumer], now + 100);
    await store.resolvePendingEdges(now + 10_000);
    const g = await graph(store);
    expect(g.edges.map((e) => [e.source, e.target])).toEqual([['orders', 'notifications']]);
  });

  it.skipIf(skip)('summarises services, entry series and filters trace lists', async () => {
    store = await fixture.open();
    const ok = span({ service: 'gateway', name: 'GET /a', durationMs: 5 });
    const bad = span({ service: 'gateway', name: 'GET /b', status: 'error', durationMs: 300, startMs: now - 500 });
    const [c, s] = call('gateway', 'orders', { traceId: bad.traceId, parentSpanId: bad.spanId, status: 'error', startMs: now - 500 });
    await store.insertSpans([ok, bad, c, s], now);
    const services = await store.services(range);
    expect(services.map((x) => [x.name, x.requests, x.errors])).toEqual([['gateway', 2, 1], ['orders', 1, 1]]);
    const series = await store.entrySeries(range);
    expect(series.map((x) => x.service)).toEqual(['gateway']);
    expect(series[0]!.points.reduce((n, p) => n + p.stats.requests, 0)).toBe(2);
    expect((await store.listTraces({ ...range, status: 'error', limit: 10 })).map((t) => t.traceId)).toEqual([bad.traceId]);
    expect((await store.listTraces({ ...range, status: 'ok', limit: 10 })).map((t) => t.traceId)).toEqual([ok.traceId]);
    expect((await store.listTraces({ ...range, service: 'orders', limit: 10 })).map((t) => t.traceId)).toEqual([bad.traceId]);
    expect((await store.listTraces({ ...range, operation: 'GET /a', limit: 10 })).map((t) => t.traceId)).toEqual([ok.traceId]);
    expect((await store.listTraces({ ...range, minDurationMs: 100, limit: 10 })).map((t) => t.traceId)).toEqual([bad.traceId]);
    expect(await store.listTraces({ ...range, limit: 1 })).toHaveLength(1);
    const sample = await store.sampleSpans({ ...range, maxTraces: 1 });
    expect(new Set(sample.map((x) => x.traceId))).toEqual(new Set([bad.traceId]));
  });

  it.skipIf(skip)('samples evenly over the time that holds data: a burst does not crowd out the calm before it', async () => {
    store = await fixture.open();
    const t0 = now - 10 * 60_000;
    // 60 calm traces over the first minute, then 600 in a burst over the next 10 s; the rest of the range is empty.
    const calm = Array.from({ length: 60 }, (_, k) => span({ service: 'a', startMs: t0 + k * 1000 }));
    const burst = Array.from({ length: 600 }, (_, k) => span({ service: 'a', startMs: t0 + 60_000 + k * 16 }));
    await store.insertSpans([...calm, ...burst], now);
    const sample = await store.sampleSpans({ ...range, maxTraces: 120, prefer: 'spread' });
    const ids = new Set(sample.map((x) => x.traceId));
    expect(ids.size).toBeLessThanOrEqual(120);
    const calmTaken = calm.filter((c) => ids.has(c.traceId)).length;
    // Slices are 1/60 of the 70 s extent: every calm slice keeps its trace, the burst's slices their first two.
    expect(calmTaken).toBeGreaterThanOrEqual(50);
    expect(ids.size - calmTaken).toBeGreaterThan(0);
    expect(await store.sampleSpans({ fromMs: now + 3_600_000, toMs: now + 7_200_000, maxTraces: 10, prefer: 'spread' })).toEqual([]);
  });

  it.skipIf(skip)('prunes traces that ended before the cutoff, in bounded batches', async () => {
    store = await fixture.open();
    const old = [1, 2, 3].map(() => span({ service: 'a', startMs: now - 3 * 3600_000 }));
    const fresh = span({ service: 'a' });
    await store.insertSpans([...old, fresh], now);
    expect(await store.prune(now - 3600_000, 2)).toBe(2);
    expect(await store.prune(now - 3600_000, 2)).toBe(1);
    expect(await store.prune(now - 3600_000, 2)).toBe(0);
    expect(await store.getTrace(old[0]!.traceId)).toEqual([]);
    await store.upsertAnnotations([{ id: 'old', timeMs: now - 3 * 3600_000, kind: 'deploy', text: 'v1', attributes: {}, namespace: '', origin: 'api' }]);
    await store.prune(now - 3600_000, 2);
    expect(await store.annotations({ fromMs: now - 4 * 3600_000, toMs: now, limit: 10 })).toEqual([]);
    expect(await store.getTrace(fresh.traceId)).toHaveLength(1);
    await store.checkWritable();
  });

  it.skipIf(skip)('keeps per-minute series of a service, an edge and the system, per run and summed over runs', async () => {
    store = await fixture.open();
    const t0 = Math.floor(now / 60_000) * 60_000 - 3 * 60_000;
    const inRun = (ns: string, spans: SpanRecord[]) => spans.map((x) => ({ ...x, resource: { 'service.name': x.service, 'service.namespace': ns } }));
    const batch: SpanRecord[] = [];
    for (const [ns, minute, n] of [['run-a', 0, 3], ['run-b', 0, 2], ['run-a', 2, 4]] as const) {
      for (let i = 0; i < n; i++) {
        const root = span({ service: 'gateway', startMs: t0 + minute * 60_000 + i, status: i === 0 ? 'error' : 'unset' });
        batch.push(...inRun(ns, [root, ...call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId, startMs: t0 + minute * 60_000 + i })]));
      }
    }
    await store.insertSpans(batch, now);
    const q = { fromMs: t0, toMs: t0 + 3 * 60_000 };
    const byMinute = (b: { bucketMs: number; stats: { requests: number } }[]) => b.map((x) => [(x.bucketMs - t0) / 60_000, x.stats.requests]);
    expect(byMinute(await store.series({ ...q, of: { service: 'gateway' } }))).toEqual([[0, 5], [2, 4]]);
    expect(byMinute(await store.series({ ...q, namespace: 'run-a', of: { service: 'gateway' } }))).toEqual([[0, 3], [2, 4]]);
    expect(byMinute(await store.series({ ...q, namespace: 'run-b', of: { source: 'gateway', target: 'orders' } }))).toEqual([[0, 2]]);
    expect(byMinute(await store.series({ ...q, of: { system: true } }))).toEqual([[0, 5], [2, 4]]);
    expect(byMinute(await store.series({ ...q, namespace: 'run-a', of: { callersOf: 'orders' } }))).toEqual([[0, 3], [2, 4]]);
    expect((await store.series({ ...q, of: { service: 'gateway' } }))[0]!.stats.errors).toBe(2);
    const graphB = buildGraph(await store.graphInput({ ...q, namespace: 'run-b' }));
    expect(graphB.nodes.map((n) => [n.id, n.requests])).toEqual([['gateway', 2], ['orders', 2]]);
    expect((await store.services({ ...q, namespace: 'nobody' }))).toEqual([]);
    expect((await store.entrySeries({ ...q, namespace: 'run-a' }))[0]!.points.map((p) => p.stats.requests)).toEqual([3, 4]);
    const sample = await store.sampleSpans({ ...q, namespace: 'run-b', maxTraces: 100 });
    expect(new Set(sample.map((x) => x.resource['service.namespace']))).toEqual(new Set(['run-b']));
  });

  it.skipIf(skip)('lists the runs with aggregates in a range, newest first, with their first and last minutes and requests', async () => {
    store = await fixture.open({ pendingEdgeMs: 1000 });
    const t0 = Math.floor(now / 60_000) * 60_000 - 10 * 60_000;
    const inRun = (ns: string, s: SpanRecord) => ({ ...s, resource: { 'service.name': s.service, 'service.namespace': ns } });
    const request = (ns: string, minute: number) => inRun(ns, span({ service: 'gateway', startMs: t0 + minute * 60_000 + 5 }));
    // run-edge only made a call that nobody answered: an edge, no node of its own.
    const unanswered = inRun('run-edge', span({ service: 'orders', kind: 'client', parentSpanId: hex(8), startMs: t0 + 6 * 60_000, attributes: { 'peer.service': 'payments' } }));
    await store.insertSpans([request('run-old', 0), request('run-old', 0), request('run-old', 2), request('run-new', 5), request('run-new', 5), unanswered, span({ service: 'gateway', startMs: t0 + 7 * 60_000 })], now);
    await store.resolvePendingEdges(now + 10_000);
    const q = { fromMs: t0, toMs: t0 + 8 * 60_000, limit: 10 };
    const at = (minute: number) => t0 + minute * 60_000;
    expect(await store.namespaces(q)).toEqual([
      { namespace: 'run-edge', firstMs: at(6), lastMs: at(6), requests: 0 },
      { namespace: 'run-new', firstMs: at(5), lastMs: at(5), requests: 2 },
      { namespace: 'run-old', firstMs: at(0), lastMs: at(2), requests: 3 },
    ]);
    expect(await store.namespaces({ ...q, fromMs: at(1) + 1, toMs: at(4) })).toEqual([{ namespace: 'run-old', firstMs: at(1) + 60_000, lastMs: at(2), requests: 1 }]);
    expect((await store.namespaces({ ...q, limit: 2 })).map((r) => r.namespace)).toEqual(['run-edge', 'run-new']);
    expect(await store.namespaces({ ...q, fromMs: at(20), toMs: at(30) })).toEqual([]);
  });

  it.skipIf(skip)('counts root spans of background work apart from requests', async () => {
    store = await fixture.open();
    const poller = span({ service: 'orders', kind: 'internal', name: 'poll outbox' });
    const relay = span({ service: 'orders', kind: 'producer', attributes: { 'faultline.background': true } });
    const compensation = span({ service: 'orders', kind: 'server', status: 'error', links: [{ traceId: hex(16), spanId: hex(8), attributes: {} }] });
    const request = span({ service: 'orders', kind: 'server' });
    await store.insertSpans([poller, relay, compensation, request], now);
    const input = await store.graphInput(range);
    const orders = input.nodes.filter((n) => n.service === 'orders');
    expect(orders.reduce((k, n) => k + n.stats.requests, 0)).toBe(1);
    expect(orders.reduce((k, n) => k + (n.background ?? 0), 0)).toBe(3);
    expect(orders.reduce((k, n) => k + (n.backgroundErrors ?? 0), 0)).toBe(1);
    expect((await store.entrySeries(range))[0]!.points.reduce((k, p) => k + p.stats.requests, 0)).toBe(1);
  });

  it.skipIf(skip)('records injected faults as annotations and keeps the fault recorder out of spans and services', async () => {
    store = await fixture.open();
    const hit = (t: number) => span({ service: 'payments', startMs: t, events: [{ name: 'fault.injected', timeMs: t, attributes: { 'faultline.fault': 'error' } }] });
    const recorder = span({ service: 'faultline-chaos', kind: 'internal', attributes: { 'peer.service': 'inventory' }, events: [{ name: 'fault.injected', timeMs: now - 1000, attributes: { 'faultline.fault': 'down', 'peer.service': 'inventory' } }] });
    const t0 = Math.floor(now / 60_000) * 60_000 - 120_000;
    await store.insertSpans([hit(t0 + 1000), hit(t0 + 2000), recorder], now);
    await store.insertSpans([hit(t0 + 61_000), recorder], now);
    const list = await store.annotations({ ...range, limit: 100 });
    const payments = list.filter((a) => a.service === 'payments');
    // One row per minute, each covering its sightings; re-sent recorder spans add nothing.
    expect(payments.map((a) => [a.timeMs - t0, (a.endMs ?? 0) - t0])).toEqual([[1000, 2000], [61_000, 61_000]]);
    expect(list.filter((a) => a.service === 'inventory').map((a) => [a.kind, a.attributes['faultline.fault']])).toEqual([['fault', 'down']]);
    expect(await store.getTrace(recorder.traceId)).toEqual([]);
    expect((await store.services(range)).map((x) => x.name)).toEqual(['payments']);
    expect((await store.listTraces({ ...range, limit: 10 })).map((t) => t.rootService)).toEqual(['payments', 'payments', 'payments']);
    await store.upsertAnnotations([{ id: 'a-1', timeMs: now - 5000, kind: 'deploy', text: 'v2', attributes: { v: 2 }, namespace: '', origin: 'api' }]);
    expect((await store.annotations({ fromMs: now - 6000, toMs: now - 4000, limit: 10 })).map((a) => [a.id, a.kind, a.text, a.attributes])).toEqual([['a-1', 'deploy', 'v2', { v: 2 }]]);
    expect(await store.annotations({ fromMs: now + 1000, toMs: now + 2000, limit: 10 })).toEqual([]);
  });

  it.skipIf(skip)('records breaker transitions at ingest, once however often a span is re-sent', async () => {
    store = await fixture.open();
    const s = span({ service: 'orders', kind: 'client', parentSpanId: hex(8), attributes: { 'peer.service': 'payments' }, events: [
      { name: 'breaker.state', timeMs: now - 3000, attributes: { 'faultline.breaker': 'payments', 'faultline.from': 'closed', 'faultline.to': 'open' } },
      { name: 'breaker.state', timeMs: now - 1000, attributes: { 'faultline.breaker': 'payments', 'faultline.from': 'open', 'faultline.to': 'half_open' } },
    ] });
    await store.insertSpans([s], now);
    await store.insertSpans([s], now);
    const list = await store.breakerTransitions({ ...range, limit: 100 });
    expect(list.map((t) => [t.service, t.breaker, t.target, t.from, t.to])).toEqual([['orders', 'payments', 'payments', 'closed', 'open'], ['orders', 'payments', 'payments', 'open', 'half-open']]);
    expect(await store.breakerTransitions({ ...range, service: 'gateway', limit: 100 })).toEqual([]);
  });

  it.skipIf(skip)('finds traces by correlation id, attribute, id, longest duration and failed calls to a service that sent nothing', async () => {
    store = await fixture.open();
    const a = span({ service: 'gateway', durationMs: 5, attributes: { 'faultline.correlation_id': 'c-42', 'http.response.status_code': 200, cached: true } });
    const b = span({ service: 'gateway', durationMs: 500 });
    const bCall = span({ service: 'gateway', kind: 'client', traceId: b.traceId, parentSpanId: b.spanId, status: 'error', attributes: { 'peer.service': 'inventory' } });
    await store.insertSpans([a, b, bCall], now);
    const ids = async (q: Partial<Parameters<TraceStore['listTraces']>[0]>) => (await store.listTraces({ ...range, limit: 10, ...q })).map((t) => t.traceId);
    expect(await ids({ correlationId: 'c-42' })).toEqual([a.traceId]);
    expect(await ids({ attributes: [{ key: 'http.response.status_code', value: '200' }] })).toEqual([a.traceId]);
    expect(await ids({ attributes: [{ key: 'cached', value: 'true' }, { key: 'http.response.status_code', value: '200' }] })).toEqual([a.traceId]);
    expect(await ids({ attributes: [{ key: 'cached', value: 'false' }] })).toEqual([]);
    expect(await ids({ traceIds: [b.traceId] })).toEqual([b.traceId]);
    expect(await ids({ maxDurationMs: 100 })).toEqual([a.traceId]);
    expect(await ids({ service: 'inventory' })).toEqual([b.traceId]);
  });

  it.skipIf(skip)('counts a delivery once: an HTTP receiver span and the consumer span it starts, in either order and batch', async () => {
    store = await fixture.open({ pendingEdgeMs: 1000 });
    const deliveries = (order: 'together' | 'consumer first' | 'server first' | 'nested') => {
      const producer = span({ service: 'orders', kind: 'producer', parentSpanId: hex(8), attributes: { 'messaging.destination.name': 'OrderCreated' } });
      const server = span({ service: 'notifications', kind: 'server', traceId: producer.traceId, parentSpanId: producer.spanId, name: 'POST /events' });
      const consumer = span({ service: 'notifications', kind: 'consumer', traceId: producer.traceId, parentSpanId: order === 'nested' ? server.spanId : producer.spanId, name: 'process OrderCreated' });
      return { producer, server, consumer };
    };
    const a = deliveries('together');
    await store.insertSpans([a.producer, a.server, a.consumer], now);
    const b = deliveries('consumer first');
    await store.insertSpans([b.consumer], now);
    await store.insertSpans([b.server, b.producer], now);
    const c = deliveries('server first');
    await store.insertSpans([c.server, c.producer], now);
    await store.insertSpans([c.consumer], now);
    const d = deliveries('nested');
    await store.insertSpans([d.consumer], now);
    await store.insertSpans([d.server, d.producer], now);
    // Two requests of the same kind with one parent are two requests.
    const e = deliveries('together');
    await store.insertSpans([e.producer, e.server, { ...e.server, spanId: hex(8) }], now);
    await store.resolvePendingEdges(now + 10_000);
    const g = await graph(store);
    expect(g.nodes.find((n) => n.id === 'notifications')?.requests).toBe(6);
    expect(g.edges.map((x) => [x.source, x.target, x.requests])).toEqual([['orders', 'notifications', 5]]);
  });

  it.skipIf(skip)('sends an unanswered message to the services known to consume its destination, not to a virtual node', async () => {
    store = await fixture.open({ pendingEdgeMs: 1000 });
    const consumed = span({ service: 'notifications', kind: 'consumer', parentSpanId: hex(8), attributes: { 'messaging.destination.name': 'orders.events' } });
    const lost = span({ service: 'orders', kind: 'producer', parentSpanId: hex(8), attributes: { 'messaging.destination.name': 'orders.events' } });
    const nobody = span({ service: 'orders', kind: 'producer', parentSpanId: hex(8), attributes: { 'messaging.destination.name': 'audit.events' } });
    await store.insertSpans([consumed], now);
    await store.insertSpans([lost, nobody], now);
    let g = await graph(store);
    expect(g.edges.map((x) => [x.source, x.target])).toEqual([['orders', 'audit.events'], ['orders', 'notifications']]);
    const edgeSeries = await store.series({ ...range, of: { source: 'orders', target: 'notifications' } });
    expect(edgeSeries.reduce((k, b) => k + b.stats.requests, 0)).toBe(1);
    await store.resolvePendingEdges(now + 10_000);
    g = await graph(store);
    expect(g.edges.map((x) => [x.source, x.target])).toEqual([['orders', 'audit.events'], ['orders', 'notifications']]);
    expect(g.nodes.map((n) => [n.id, n.kind])).toEqual([['audit.events', 'virtual'], ['notifications', 'service'], ['orders', 'service']]);
  });
});
