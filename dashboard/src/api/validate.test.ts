import { describe, expect, it } from 'vitest';
import { collectorParsers as parse } from './collector.js';
import { ValidationError } from './validate.js';

describe('graph answers', () => {
  it('keep current figures and default missing resilience counters, without mutating the input', () => {
    const current = { requestsPerSec: 2, errors: 3, errorRate: 0.025, p95Ms: 40, minuteStartMs: 60_000 };
    const input = { nodes: [{ id: 'a', kind: 'service', requests: 10, errors: 1, errorRate: 0.1, p50Ms: 1, p95Ms: null, p99Ms: 3, requestsPerSec: 0.5, current }], edges: [{ source: 'a', target: 'x', requests: 4, errors: 0, errorRate: 0, p50Ms: 1, p95Ms: 3, p99Ms: 4, retries: 2 }], extra: true };
    const snapshot = structuredClone(input);
    const g = parse.graph(input);
    expect(g.nodes[0]).toEqual({ id: 'a', kind: 'service', requests: 10, errors: 1, errorRate: 0.1, p50Ms: 1, p95Ms: 0, p99Ms: 3, requestsPerSec: 0.5, current });
    expect(g.edges[0]).toMatchObject({ retries: 2, timeouts: 0, shortCircuits: 0, p95Ms: 3 });
    expect(input).toEqual(snapshot);
  });
  describe.each([
    [null, 'graph'],
    [{ nodes: [] }, 'graph.edges'],
    [{ nodes: [{ id: 1 }], edges: [] }, 'graph.nodes[0].id'],
    [{ nodes: [{ id: 'a', requests: 'x', errors: 0, errorRate: 0 }], edges: [] }, 'graph.nodes[0].requests'],
  ])('rejects %j', (input, path) => {
    it(`naming ${path}`, () => {
      expect(() => parse.graph(input)).toThrow(ValidationError);
      expect(() => parse.graph(input)).toThrow(path);
    });
  });
});

describe('other answers', () => {
  it('series points, breakers and annotations', () => {
    const point = { startMs: 0, requests: 120, errors: 6, errorRate: 0.05, p50Ms: 3, p95Ms: 9, p99Ms: 12, retries: 1, timeouts: 0, shortCircuits: 2 };
    expect(parse.series({ stepMs: 60_000, points: [point] }).points[0]).toEqual(point);
    expect(() => parse.series({ points: [] })).toThrow('series.stepMs');
    expect(parse.breakers([{ service: 'orders', breaker: 'inventory', target: 'inventory', transitions: [{ timeMs: 1, from: 'closed', to: 'open' }] }])[0]!.transitions).toHaveLength(1);
    expect(parse.annotations([{ id: 7, timeMs: 5, kind: 'fault', service: 'inventory', text: 'inventory down', attributes: {} }])[0]).toMatchObject({ id: '7', kind: 'fault' });
  });
  it('trace spans default optional parts and keep the status message', () => {
    const t = parse.trace({ traceId: 't', spans: [{ spanId: 's', service: 'a', name: 'n', startMs: 0, durationMs: 1, status: 'weird', statusMessage: 'fetch failed' }] });
    expect(t.spans[0]).toMatchObject({ parentSpanId: '', kind: 'internal', status: 'unset', statusMessage: 'fetch failed', attributes: {}, events: [], links: [] });
  });
  it('root causes keep signals and the ongoing flag', () => {
    const r = parse.rootCauses({ incidents: [{ startMs: 1, endMs: 2, affected: ['g'], rootCauses: [{ service: 'inv', path: ['inv', 'g'] }], signals: ['g: error rate 50%'], ongoing: true }] });
    expect(r.incidents[0]).toMatchObject({ signals: ['g: error rate 50%'], ongoing: true });
    expect(r.incidents[0]!.rootCauses[0]).toEqual({ service: 'inv', operation: '', score: 0, reason: '', path: ['inv', 'g'], traceIds: [] });
  });
  it('config treats an empty URL as none', () => {
    expect(parse.config({ controlUrl: '' })).toEqual({ controlUrl: null });
    expect(parse.config({ controlUrl: 'http://127.0.0.1:4320' })).toEqual({ controlUrl: 'http://127.0.0.1:4320' });
  });
  it('transactions reject an unknown state', () => {
    const tx = { id: 'o1', type: 'order', state: 'running', startedMs: 1, updatedMs: 2, step: null, services: ['orders'], traceIds: [] };
    expect(parse.transactions([tx])).toEqual([tx]);
    expect(() => parse.transactions([{ ...tx, state: 'lost' }])).toThrow('transactions[0].state');
  });
});
