// GET /api/stream carries what changed: the graph and services answers, the changed nodes
// and edges (`graph.delta`), new annotations and breaker transitions, each in its schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as S from '../src/api/answers/index.js';
import { otlpJson, postJson, testCollector } from './collector.js';
import { call, hex, readEvents, type SseEvent, span } from './helpers.js';

describe('GET /api/stream events', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    c = await testCollector({ sseIntervalMs: 50 });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('sends graph, services, graph.delta, annotation and breaker events as data arrives', async () => {
    const res = await fetch(`${c.url}/api/stream`);
    const has = (events: SseEvent[], name: string) => events.some((e) => e.event === name);
    let stage = 0;
    const events = await readEvents(
      res,
      (ev) => ['graph', 'services', 'graph.delta', 'annotation', 'breaker'].every((n) => has(ev, n)) && ev.some((e) => e.event === 'annotation' && e.data.includes('deploy')),
      async (ev) => {
        if (stage === 0) {
          stage = 1;
          const [client, server] = call('gateway', 'orders');
          expect((await postJson(c.url, otlpJson([client, server]))).status).toBe(200);
          return;
        }
        if (stage !== 1 || !has(ev, 'graph')) return;
        stage = 2;
        // Once the first graph is out, a second change: the delta carries the edge whose figures moved, and a breaker opens.
        const t = Date.now() - 500;
        const breaking = span({ service: 'gateway', kind: 'client', parentSpanId: hex(8), attributes: { 'peer.service': 'orders' }, status: 'error',
          events: [{ name: 'breaker.state', timeMs: t, attributes: { 'faultline.breaker': 'orders', 'faultline.from': 'closed', 'faultline.to': 'open' } },
            { name: 'fault.injected', timeMs: t, attributes: { 'faultline.fault': 'error' } }] });
        expect((await postJson(c.url, otlpJson([breaking]))).status).toBe(200);
        const posted = await fetch(`${c.url}/api/annotations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'deploy', text: 'v2' }) });
        expect(posted.status).toBe(201);
      },
    );
    const last = (name: string) => JSON.parse(events.filter((e) => e.event === name).at(-1)!.data) as unknown;
    // Every field of every event is named by its schema (zod drops the others).
    for (const [name, schema] of [['graph', S.GraphEvent], ['services', S.ServicesEvent], ['graph.delta', S.GraphDeltaEvent], ['breaker', S.BreakerEvent]] as const) {
      expect(schema.parse(last(name)), name).toEqual(last(name));
    }
    S.GraphEvent.parse(last('graph'));
    expect(S.ServicesEvent.parse(last('services')).map((s) => s.name)).toContain('orders');
    const delta = S.GraphDeltaEvent.parse(last('graph.delta'));
    expect(delta.edges.map((e) => [e.source, e.target])).toContainEqual(['gateway', 'orders']);
    const annotations = events.filter((e) => e.event === 'annotation').map((e) => S.AnnotationEvent.parse(JSON.parse(e.data)));
    expect(annotations.map((a) => a.kind)).toEqual(expect.arrayContaining(['deploy', 'fault']));
    expect(S.BreakerEvent.parse(last('breaker'))).toMatchObject({ service: 'gateway', breaker: 'orders', transitions: [{ from: 'closed', to: 'open' }] });
  });
});
