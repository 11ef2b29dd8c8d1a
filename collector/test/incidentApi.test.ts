// The incident-facing additions of the query API over real HTTP: series, annotations
// (posted and from injected faults), breaker transitions, current figures, callers' view
// of a down service, the new trace filters and the list of runs. Every answer is validated
// against the published schemas, so answers and schemas cannot drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as S from '../src/api/answers/index.js';
import { bucketStart } from '../src/analysis/index.js';
import type { SpanRecord } from '../src/model.js';
import { postJson, otlpJson, testCollector } from './collector.js';
import { call, hex, span } from './helpers.js';

const MINUTE = 60_000;

describe('incident API', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  // Whole minutes in the past, so that "the last complete minute" is one of them.
  const base = bucketStart(Date.now()) - 5 * MINUTE;
  const correlationId = `corr-${hex(4)}`;
  let correlatedTrace = '';
  let downTrace = '';

  async function get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    const res = await fetch(`${c.url}${path}`);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    const raw = (await res.json()) as unknown;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`${path} does not match its schema: ${parsed.error.message}`);
    // zod drops fields a schema does not name: an answer field missing from its schema shows up here.
    expect(parsed.data, `${path}: fields missing from the schema`).toEqual(raw);
    return parsed.data;
  }

  beforeAll(async () => {
    c = await testCollector({ pendingEdgeMs: 200 });
    const spans: SpanRecord[] = [];
    // Minute 0: 60 gateway requests; minute 2: 120 requests, 30 of them failing at orders.
    for (let i = 0; i < 60; i++) {
      const root = span({ service: 'gateway', startMs: base + i * 900 });
      spans.push(root, ...call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId, startMs: base + i * 900 }));
    }
    for (let i = 0; i < 120; i++) {
      const t = base + 2 * MINUTE + i * 450;
      const failing = i < 30;
      const root = span({ service: 'gateway', startMs: t, status: failing ? 'error' : 'unset', attributes: i === 0 ? { 'faultline.correlation_id': correlationId, 'app.tenant': 'acme' } : {} });
      if (i === 0) correlatedTrace = root.traceId;
      spans.push(root, ...call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId, startMs: t, status: failing ? 'error' : undefined }));
    }
    // A background poller in orders (a root INTERNAL span linking to a request): not a request.
    spans.push(span({ service: 'orders', kind: 'internal', startMs: base + 2 * MINUTE + 5, links: [{ traceId: hex(16), spanId: hex(8), attributes: {} }] }));
    // inventory is down: orders' calls to it fail and it sends nothing (but it is a known service).
    spans.push(span({ service: 'inventory', startMs: base - 20 * MINUTE }));
    for (let i = 0; i < 10; i++) {
      const root = span({ service: 'gateway', startMs: base + 3 * MINUTE + i * 1000, status: 'error' });
      const client = span({
        service: 'orders', kind: 'client', traceId: root.traceId, parentSpanId: root.spanId, startMs: base + 3 * MINUTE + i * 1000, status: 'error',
        attributes: { 'peer.service': 'inventory' }, events: i === 0 ? [{ name: 'breaker.state', timeMs: base + 3 * MINUTE + 10, attributes: { 'faultline.breaker': 'inventory', 'faultline.from': 'closed', 'faultline.to': 'open' } }] : [],
      });
      if (i === 0) downTrace = root.traceId;
      spans.push(root, client);
    }
    // An injected fault recorded by the service itself, and one by the fault recorder.
    spans.push(span({ service: 'payments', startMs: base + MINUTE, events: [{ name: 'fault.injected', timeMs: base + MINUTE + 1, attributes: { 'faultline.fault': 'latency' } }] }));
    spans.push(span({ service: 'faultline-chaos', kind: 'internal', startMs: base + 3 * MINUTE, attributes: { 'peer.service': 'inventory', 'faultline.fault': 'down' },
      events: [{ name: 'fault.injected', timeMs: base + 3 * MINUTE, attributes: { 'faultline.fault': 'down', 'peer.service': 'inventory' } }] }));
    // Two runs, ten and nine minutes before the window the other tests read.
    for (const [ns, minute] of [['run-a', -10], ['run-b', -9]] as const) {
      spans.push({ ...span({ service: 'gateway', startMs: base + minute * MINUTE }), resource: { 'service.name': 'gateway', 'service.namespace': ns } });
    }
    expect((await postJson(c.url, otlpJson(spans))).status).toBe(200);
    await c.store.resolvePendingEdges(Date.now() + 10_000);
  });
  afterAll(async () => {
    await c?.close();
  });

  const range = () => `from=${base}&to=${base + 5 * MINUTE}`;

  it('gives per-minute series of a service, an edge and the whole system, zero where nothing happened', async () => {
    const gw = await get(`/api/series?${range()}&service=gateway`, S.SeriesAnswer);
    expect(gw.stepMs).toBe(MINUTE);
    expect(gw.points.map((p) => p.startMs)).toEqual([0, 1, 2, 3, 4, 5].map((k) => base + k * MINUTE));
    expect(gw.points.map((p) => p.requests)).toEqual([60, 0, 120, 10, 0, 0]);
    expect(gw.points[2]).toMatchObject({ errors: 30, errorRate: 0.25 });
    const edge = await get(`/api/series?${range()}&source=gateway&target=orders`, S.SeriesAnswer);
    expect(edge.points.map((p) => p.errors)).toEqual([0, 0, 30, 0, 0, 0]);
    const system = await get(`/api/series?${range()}`, S.SeriesAnswer);
    // Requests entering anywhere: payments' own entry in minute 1 too.
    expect(system.points.map((p) => p.requests)).toEqual([60, 1, 120, 10, 0, 0]);
    // inventory sent nothing: its own series is empty, its callers' view shows the failures.
    expect((await get(`/api/series?${range()}&service=inventory`, S.SeriesAnswer)).points.every((p) => p.requests === 0)).toBe(true);
    const callers = await get(`/api/series?${range()}&service=inventory&view=callers`, S.SeriesAnswer);
    expect(callers.points.map((p) => [p.requests, p.errors])).toEqual([[0, 0], [0, 0], [0, 0], [10, 10], [0, 0], [0, 0]]);
    const coarse = await get(`/api/series?${range()}&stepMs=180000&service=gateway`, S.SeriesAnswer);
    expect(coarse.points.map((p) => p.requests)).toEqual([180, 10]);
  });

  it('answers 400 to a series with a bad step, too many points or a half edge', async () => {
    for (const q of ['stepMs=1000', 'stepMs=90000', 'source=gateway', 'service=a&source=b&target=c', `from=0&to=${30 * 86_400_000}`, 'view=callers', 'service=a&view=theirs']) {
      const res = await fetch(`${c.url}/api/series?${q}`);
      expect(res.status, q).toBe(400);
      expect(S.ErrorAnswer.parse(await res.json()).error.length).toBeGreaterThan(0);
    }
  });

  it('gives rates over the minutes that hold data and the figures of the last complete minute', async () => {
    const graph = await get(`/api/graph?${range()}`, S.GraphAnswer);
    const gw = graph.nodes.find((n) => n.id === 'gateway')!;
    // 190 requests over the four minutes in which anything reported (payments alone in minute 1).
    expect(gw.requestsPerSec).toBeCloseTo(190 / 240, 3);
    expect(gw.current).toEqual({ requestsPerSec: expect.closeTo(10 / 60, 3), errors: 10, errorRate: 1, p95Ms: expect.any(Number), minuteStartMs: base + 3 * MINUTE });
    expect(graph.nodes.map((n) => n.id)).not.toContain('faultline-chaos');
    const inventory = graph.nodes.find((n) => n.id === 'inventory')!;
    expect(inventory).toMatchObject({ kind: 'service', seenByCallers: true, requests: 10, errors: 10, incoming: { requests: 10, errors: 10, errorRate: 1 } });
    expect(graph.nodes.find((n) => n.id === 'orders')!.incoming).toMatchObject({ requests: 180, errors: 30 });
  });

  it('shows a down service with what its callers saw, and background work apart from requests', async () => {
    const services = await get(`/api/services?${range()}`, S.ServicesAnswer);
    expect(services.map((s) => s.name)).not.toContain('faultline-chaos');
    const inventory = services.find((s) => s.name === 'inventory')!;
    expect(inventory.requests).toBe(0);
    expect(inventory.callers).toEqual([expect.objectContaining({ service: 'orders', requests: 10, errors: 10, errorRate: 1 })]);
    expect(inventory.seenByCallers).toMatchObject({ requests: 10, errors: 10 });
    const orders = services.find((s) => s.name === 'orders')!;
    expect(orders).toMatchObject({ requests: 180, background: 1 });
  });

  it('lists injected faults as annotations, merging the recorder spans in, and takes posted markers', async () => {
    const list = await get(`/api/annotations?${range()}`, S.AnnotationsAnswer);
    expect(list.map((a) => [a.kind, a.service, a.attributes['faultline.fault']])).toEqual([
      ['fault', 'payments', 'latency'],
      ['fault', 'inventory', 'down'],
    ]);
    const res = await fetch(`${c.url}/api/annotations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeMs: base + 4 * MINUTE, kind: 'deploy', service: 'orders', text: 'orders v2 rolled out', attributes: { version: '2.0.0' } }),
    });
    expect(res.status).toBe(201);
    const stored = S.Annotation.parse(await res.json());
    expect(stored).toMatchObject({ timeMs: base + 4 * MINUTE, kind: 'deploy', service: 'orders', text: 'orders v2 rolled out', attributes: { version: '2.0.0' } });
    const after = await get(`/api/annotations?${range()}`, S.AnnotationsAnswer);
    expect(after.map((a) => a.id)).toContain(stored.id);
    expect((await get(`/api/annotations?from=${base + 4 * MINUTE + 1}&to=${base + 5 * MINUTE}`, S.AnnotationsAnswer))).toEqual([]);
  });

  it('answers 400 to a bad annotation and 413 to an oversized one', async () => {
    const post = (body: string) => fetch(`${c.url}/api/annotations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const body of ['{', '[]', '{}', '{"kind":"Deploy","text":"x"}', `{"kind":"deploy","text":"${'x'.repeat(1001)}"}`, '{"kind":"deploy","text":"x","timeMs":10,"endMs":5}', '{"kind":"deploy","text":"x","extra":1}']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(S.ErrorAnswer.parse(await res.json()).error).not.toBe('');
    }
    expect((await post(JSON.stringify({ kind: 'deploy', text: 'x', attributes: { big: 'y'.repeat(20_000) } }))).status).toBe(413);
  });

  it('lists breaker transitions recorded at ingest', async () => {
    const breakers = await get(`/api/breakers?${range()}&service=orders`, S.BreakersAnswer);
    expect(breakers).toEqual([{ service: 'orders', breaker: 'inventory', target: 'inventory', transitions: [{ timeMs: expect.closeTo(base + 3 * MINUTE + 10, 2), from: 'closed', to: 'open' }] }]);
    expect(await get(`/api/breakers?${range()}&service=gateway`, S.BreakersAnswer)).toEqual([]);
  });

  it('finds traces by correlation id, attribute, trace id, duration and failed calls to a silent service', async () => {
    const ids = async (q: string) => (await get(`/api/traces?${range()}&limit=1000&${q}`, S.TracesAnswer)).map((t) => t.traceId);
    expect(await ids(`correlationId=${correlationId}`)).toEqual([correlatedTrace]);
    expect(await ids('attr=app.tenant%3Dacme')).toEqual([correlatedTrace]);
    expect(await ids('attr=app.tenant%3Dother')).toEqual([]);
    expect(await ids(`traceId=${correlatedTrace}&traceId=${downTrace}`)).toEqual(expect.arrayContaining([correlatedTrace, downTrace]));
    expect(await ids('maxDurationMs=0')).toEqual([]);
    const down = await ids('service=inventory&status=error');
    expect(down).toHaveLength(10);
    expect(down).toContain(downTrace);
    for (const q of ['attr=novalue', 'traceId=xyz', `correlationId=${'c'.repeat(129)}`]) expect((await fetch(`${c.url}/api/traces?${q}`)).status, q).toBe(400);
  });

  it('answers every endpoint in the shape of its schema', async () => {
    const root = await get(`/api/traces?${range()}&limit=1`, S.TracesAnswer);
    await get(`/api/traces/${root[0]!.traceId}`, S.TraceAnswer);
    await get(`/api/root-causes?${range()}`, S.RootCausesAnswer);
    await get('/api/config', S.ConfigAnswer);
    expect(await get(`/api/namespaces?from=${base - 15 * MINUTE}&to=${base}`, S.NamespacesAnswer)).toEqual([
      { namespace: 'run-b', firstMs: base - 9 * MINUTE, lastMs: base - 9 * MINUTE, requests: 1 },
      { namespace: 'run-a', firstMs: base - 10 * MINUTE, lastMs: base - 10 * MINUTE, requests: 1 },
    ]);
  });
});
