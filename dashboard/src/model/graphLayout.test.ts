import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../api/types.js';
import type { Box } from './graphLayout.js';
import { bigGraph, cascade, edge, node } from './fixtures/graphs.js';
import { edgeBadges, layoutGraph, neighbours, worseHealth } from './graphLayout.js';

describe.each<[string, Graph, number, number, number]>([
  ['empty', { nodes: [], edges: [] }, 0, 0, 0],
  ['single node', { nodes: [node('a', 1, 0)], edges: [] }, 1, 0, 0],
  ['cascade', cascade, 5, 4, 0],
  ['edge to an unlisted node', { nodes: [node('a', 1, 0)], edges: [edge('a', 'b', 1, 0)] }, 2, 1, 1],
  ['duplicates', { nodes: [node('a', 1, 0), node('a', 2, 0), node('b', 1, 0)], edges: [edge('a', 'b', 1, 0), edge('a', 'b', 2, 0)] }, 2, 1, 2],
  ['100 services', bigGraph(100), 100, 99 + 23, 0],
])('layoutGraph: %s', (_name, graph, nodeCount, edgeCount, warningCount) => {
  it('positions every node and routes every edge', () => {
    const snapshot = structuredClone(graph);
    const { result, warnings } = layoutGraph(graph);
    expect(result.nodes).toHaveLength(nodeCount);
    expect(result.edges).toHaveLength(edgeCount);
    expect(warnings).toHaveLength(warningCount);
    for (const n of result.nodes) {
      expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
      expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width / 2).toBeLessThanOrEqual(result.width);
    }
    for (const e of result.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(graph).toEqual(snapshot);
  });
});

describe('layoutGraph semantics', () => {
  const { result } = layoutGraph(cascade);
  const at = (id: string) => result.nodes.find((n) => n.id === id)!;
  it('places callers left of their callees', () => {
    expect(at('gateway').x).toBeLessThan(at('orders').x);
    expect(at('orders').x).toBeLessThan(at('inventory').x);
  });
  it('does not overlap nodes', () => {
    for (const a of result.nodes)
      for (const b of result.nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart).toBe(true);
      }
  });
  it('classifies health and keeps the virtual kind', () => {
    expect(at('gateway').health).toBe('failing');
    expect(at('payments').health).toBe('healthy');
    // inventory sent no spans (it is down) but its callers saw every call fail.
    expect(at('inventory').health).toBe('failing');
    expect(at('inventory').seenByCallers).toMatchObject({ errorRate: 1, requestsPerSec: 15 });
    expect(at('gateway').seenByCallers).toBeNull();
    expect(at('inventory').summary).toBe('callers see 100% err · 15/s');
    expect(at('orders').summary).toBe('10/s · 50% err · p95 40 ms');
    expect(at('smtp.example.com').kind).toBe('virtual');
    const inv = result.edges.find((e) => e.target === 'inventory')!;
    expect(inv.health).toBe('failing');
    expect(inv.badges.map((b) => b.kind)).toEqual(['retries', 'timeouts', 'shortCircuits']);
    expect(inv.label).toBe('15/s · 100% err · p95 45 ms');
  });
});

describe.each([
  [{ retries: 0, timeouts: 0, shortCircuits: 0 }, []],
  [{ retries: 1, timeouts: 0, shortCircuits: 0 }, ['↻ 1 retry']],
  [{ retries: 3, timeouts: 1, shortCircuits: 2 }, ['↻ 3 retries', '◔ 1 timeout', '⊘ 2 short-circuits']],
])('edgeBadges(%j)', (counts, texts) => {
  it('labels every non-zero counter', () => expect(edgeBadges(counts).map((b) => b.text)).toEqual(texts));
});

describe('neighbours', () => {
  it('lists callers and callees busiest first', () => {
    const snapshot = structuredClone(cascade);
    const { callers, callees } = neighbours(cascade, 'orders');
    expect(callers.map((e) => e.source)).toEqual(['gateway']);
    expect(callees.map((e) => e.target)).toEqual(['inventory', 'payments', 'smtp.example.com']);
    expect(cascade).toEqual(snapshot);
  });
});

describe.each([
  ['idle', 'healthy', 'healthy'],
  ['failing', 'healthy', 'failing'],
  ['degraded', 'failing', 'failing'],
  ['idle', 'idle', 'idle'],
] as const)('worseHealth(%s, %s)', (a, b, expected) => {
  it(`is ${expected}`, () => expect(worseHealth(a, b)).toBe(expected));
});

describe.each<[string, Partial<GraphNode>, string, string]>([
  ['failing earlier, clean now', { errors: 300, errorRate: 0.5, current: { requestsPerSec: 2, errors: 0, errorRate: 0, p95Ms: 12, minuteStartMs: 0 } }, 'healthy', '2.0/s · 0% err · p95 12 ms'],
  ['clean earlier, failing now', { errors: 0, errorRate: 0, current: { requestsPerSec: 2, errors: 120, errorRate: 1, p95Ms: 3, minuteStartMs: 0 } }, 'failing', '2.0/s · 100% err · p95 3.0 ms'],
  ['sent no spans: its figures are its callers\'', { seenByCallers: true, current: { requestsPerSec: 2, errors: 120, errorRate: 1, p95Ms: 3, minuteStartMs: 0 } }, 'failing', 'callers see 100% err · 2.0/s'],
  ['no traffic in the last minute', { current: { requestsPerSec: 0, errors: 0, errorRate: 0, p95Ms: 0, minuteStartMs: 0 } }, 'idle', 'no traffic'],
])('node health and summary: %s', (_name, patch, health, summary) => {
  it('come from the current figures, not the range', () => {
    const { result } = layoutGraph({ nodes: [{ ...node('a', 600, 0), ...patch }], edges: [] });
    expect(result.nodes[0]).toMatchObject({ health, summary });
  });
});

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const nodeBox = (n: { x: number; y: number; width: number; height: number }): Box => ({ x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height });

describe.each<[string, Graph]>([
  ['cascade', cascade],
  ['12 services', bigGraph(12)],
  ['30 services', bigGraph(30)],
])('edge labels of %s', (_name, graph) => {
  const { result } = layoutGraph(graph);
  it('overlap no node and no other label', () => {
    for (const e of result.edges) {
      for (const n of result.nodes) expect(overlaps(e.labelBox, nodeBox(n)), `${e.key} label over node ${n.id}`).toBe(false);
      for (const o of result.edges) if (o !== e) expect(overlaps(e.labelBox, o.labelBox), `${e.key} label over ${o.key} label`).toBe(false);
    }
  });
});
