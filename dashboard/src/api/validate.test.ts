import { describe, expect, it } from 'vitest';
import { parseActiveScenario, parseConfig, parseFaults, parseGraph, parseRootCauses, parseServices, parseTrace, parseTraceSummaries, ValidationError } from './validate.js';

describe('parseGraph', () => {
  it('reads the contract shape and defaults missing counters', () => {
    const input = { nodes: [{ id: 'a', kind: 'service', requests: 10, errors: 1 }, { id: 'x', kind: 'odd', requests: 0, errors: 0 }], edges: [{ source: 'a', target: 'x', requests: 4, errors: 0, p95Ms: 3, retries: 2 }], extra: true };
    const snapshot = structuredClone(input);
    const g = parseGraph(input);
    expect(g.nodes[0]).toEqual({ id: 'a', kind: 'service', requests: 10, errors: 1, errorRate: 0.1, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
    expect(g.nodes[1]!.kind).toBe('service');
    expect(g.edges[0]).toMatchObject({ retries: 2, timeouts: 0, shortCircuits: 0, p95Ms: 3 });
    expect(input).toEqual(snapshot);
  });
  describe.each([
    [null, 'graph'],
    [{ nodes: [] }, 'graph.edges'],
    [{ nodes: [{ id: 1 }], edges: [] }, 'graph.nodes[0].id'],
    [{ nodes: [{ id: 'a', requests: 'x' }], edges: [] }, 'graph.nodes[0].requests'],
  ])('rejects %j', (input, path) => {
    it(`naming ${path}`, () => {
      expect(() => parseGraph(input)).toThrow(ValidationError);
      expect(() => parseGraph(input)).toThrow(path);
    });
  });
});

describe('other answers', () => {
  it('services', () => {
    expect(parseServices([{ name: 's', requests: 0, errors: 0 }])[0]!.errorRate).toBe(0);
    expect(() => parseServices({})).toThrow('services');
  });
  it('trace summaries keep only string services', () => {
    expect(parseTraceSummaries([{ traceId: 't', startMs: 1, durationMs: 2, services: ['a', 3] }])[0]).toMatchObject({ services: ['a'], spanCount: 0, errorCount: 0 });
  });
  it('trace spans default optional parts', () => {
    const t = parseTrace({ traceId: 't', spans: [{ spanId: 's', service: 'a', name: 'n', startMs: 0, durationMs: 1, status: 'weird' }] });
    expect(t.spans[0]).toMatchObject({ parentSpanId: '', kind: 'internal', status: 'unset', attributes: {}, events: [], links: [] });
    expect(() => parseTrace({ traceId: 't', spans: [{ spanId: 's', service: 'a', name: 'n', startMs: 0, durationMs: 1, events: [{ name: 'e' }] }] })).toThrow('events[0].timeMs');
  });
  it('root causes default a missing path to the service', () => {
    const r = parseRootCauses({ incidents: [{ startMs: 1, endMs: 2, rootCauses: [{ service: 'inv' }] }] });
    expect(r.incidents[0]!.rootCauses[0]).toEqual({ service: 'inv', operation: '', score: 0, reason: '', path: ['inv'], traceIds: [] });
    expect(r.incidents[0]!.affected).toEqual([]);
  });
  it('root causes keep up to five well-formed example trace ids and drop the rest', () => {
    const good = Array.from({ length: 7 }, (_, k) => k.toString(16).padStart(32, 'a'));
    const r = parseRootCauses({ incidents: [{ startMs: 1, endMs: 2, rootCauses: [{ service: 'inv', traceIds: ['not-an-id', 42, ...good] }] }] });
    expect(r.incidents[0]!.rootCauses[0]!.traceIds).toEqual(good.slice(0, 5));
  });
  it('config treats an empty URL as none', () => {
    expect(parseConfig({ controlUrl: '' })).toEqual({ controlUrl: null });
    expect(parseConfig({ controlUrl: 'http://127.0.0.1:4320' })).toEqual({ controlUrl: 'http://127.0.0.1:4320' });
  });
  it('faults accept a bare list or { faults }', () => {
    const f = { service: 'inventory', kind: 'down', startMs: 5 };
    expect(parseFaults([f])).toEqual([f]);
    expect(parseFaults({ faults: [{ ...f, endMs: 9 }] })).toEqual([{ ...f, endMs: 9 }]);
  });
  it('active scenario may be null', () => {
    expect(parseActiveScenario(null)).toBeNull();
    expect(parseActiveScenario({ name: 'x', startMs: 1, durationMs: 2 })).toEqual({ name: 'x', startMs: 1, durationMs: 2 });
  });
});

it('root causes keep the optional signals and ongoing flag', () => {
  const r = parseRootCauses({ incidents: [{ startMs: 1, endMs: 2, affected: ['g'], rootCauses: [], signals: ['g: error rate 50%', 3], ongoing: true }] });
  expect(r.incidents[0]).toMatchObject({ signals: ['g: error rate 50%'], ongoing: true });
});
