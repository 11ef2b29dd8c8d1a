import { describe, expect, it } from 'vitest';
import { deepFreeze } from './fixtures/span.js';
import { observe } from './histogram.js';
import { buildGraph, type GraphInput } from './serviceGraph.js';
import { emptyStats, type Stats } from './stats.js';

function stats(requests: number, errors: number, latenciesMs: number[] = [], extra: Partial<Stats> = {}): Stats {
  const s = emptyStats();
  s.requests = requests;
  s.errors = errors;
  for (const ms of latenciesMs) observe(s.histogram, ms);
  return { ...s, ...extra };
}

const latencies = (n: number, ms: number) => Array.from({ length: n }, () => ms);

describe('buildGraph', () => {
  it('merges buckets of the same node and edge and computes error rates and percentiles', () => {
    const graph = buildGraph({
      nodes: [
        { service: 'shop', stats: stats(50, 5, latencies(50, 20)) },
        { service: 'shop', stats: stats(50, 15, latencies(50, 20)) },
        { service: 'ledger', stats: stats(100, 0, [...latencies(98, 10), 2000, 2000]) },
      ],
      edges: [
        { source: 'shop', target: 'ledger', stats: stats(60, 0, latencies(60, 11), { retries: 3, timeouts: 1 }) },
        { source: 'shop', target: 'ledger', stats: stats(40, 2, latencies(40, 11), { retries: 1, shortCircuits: 4 }) },
      ],
      knownServices: new Set(['shop', 'ledger']),
    });
    expect(graph.nodes.map((n) => n.id)).toEqual(['ledger', 'shop']);
    const shop = graph.nodes.find((n) => n.id === 'shop')!;
    expect(shop).toMatchObject({ kind: 'service', requests: 100, errors: 20, errorRate: 0.2 });
    expect(shop.p50Ms).toBeGreaterThan(15);
    expect(shop.p50Ms).toBeLessThanOrEqual(20);
    const ledger = graph.nodes.find((n) => n.id === 'ledger')!;
    expect(ledger.p50Ms).toBeLessThanOrEqual(10);
    expect(ledger.p99Ms).toBeGreaterThan(1500);
    expect(graph.edges).toEqual([
      expect.objectContaining({ source: 'shop', target: 'ledger', requests: 100, errors: 2, errorRate: 0.02, retries: 4, timeouts: 1, shortCircuits: 4 }),
    ]);
    expect(graph.edges[0]!.p95Ms).toBeGreaterThan(10);
    expect(graph.edges[0]!.p95Ms).toBeLessThanOrEqual(12);
  });

  it('adds a virtual node for a callee that never reported spans, with what its callers saw', () => {
    const graph = buildGraph({
      nodes: [{ service: 'api', stats: stats(10, 10, latencies(10, 3)) }],
      edges: [
        { source: 'api', target: 'db.internal:5432', stats: stats(30, 30, latencies(30, 1)) },
      ],
      knownServices: new Set(['api']),
    });
    expect(graph.nodes).toContainEqual(
      expect.objectContaining({ id: 'db.internal:5432', kind: 'virtual', requests: 30, errors: 30, errorRate: 1 }),
    );
  });

  it('shows a known service that is down (no server spans in the window) as a service with its callers’ failures', () => {
    const graph = buildGraph({
      nodes: [{ service: 'front', stats: stats(20, 20) }],
      edges: [
        { source: 'front', target: 'stock', stats: stats(20, 20, latencies(20, 1)) },
        { source: 'batch', target: 'stock', stats: stats(5, 5, latencies(5, 1)) },
      ],
      knownServices: new Set(['front', 'stock', 'batch']),
    });
    expect(graph.nodes.find((n) => n.id === 'stock')).toMatchObject({ kind: 'service', requests: 25, errors: 25, errorRate: 1 });
    // A caller with no server-side stats of its own (e.g. a cron client) still appears.
    expect(graph.nodes.find((n) => n.id === 'batch')).toMatchObject({ kind: 'service', requests: 0, errorRate: 0 });
  });

  it('answers an empty graph with zeros, never NaN', () => {
    expect(buildGraph({ nodes: [], edges: [], knownServices: new Set() })).toEqual({ nodes: [], edges: [] });
    const graph = buildGraph({ nodes: [{ service: 'idle', stats: emptyStats() }], edges: [], knownServices: new Set() });
    expect(graph.nodes[0]).toEqual({
      id: 'idle', kind: 'service', requests: 0, errors: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, requestsPerSec: 0,
      current: { requestsPerSec: 0, errors: 0, errorRate: 0, p95Ms: 0, minuteStartMs: 0 }, background: 0, seenByCallers: false, incoming: null,
    });
  });

  it('keeps service names that look like separators apart', () => {
    const graph = buildGraph({
      nodes: [],
      edges: [
        { source: 'a,b', target: 'c', stats: stats(1, 0) },
        { source: 'a', target: 'b,c', stats: stats(2, 0) },
      ],
      knownServices: new Set(['a', 'a,b', 'b,c', 'c']),
    });
    expect(graph.edges.map((e) => [e.source, e.target, e.requests])).toEqual([
      ['a', 'b,c', 2],
      ['a,b', 'c', 1],
    ]);
  });

  it('does not mutate its input', () => {
    const input: GraphInput = {
      nodes: [{ service: 'x', stats: stats(3, 1, [1, 2, 3]) }, { service: 'x', stats: stats(1, 0, [5]) }],
      edges: [{ source: 'x', target: 'y', stats: stats(2, 1, [4, 4]) }, { source: 'x', target: 'y', stats: stats(2, 1, [4, 4]) }],
      knownServices: new Set(['x']),
    };
    const before = structuredClone(input);
    deepFreeze(input.nodes);
    deepFreeze(input.edges);
    buildGraph(input);
    expect(input).toEqual(before);
  });
});
