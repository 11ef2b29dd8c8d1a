import { describe, expect, it } from 'vitest';
import type { Annotation, Graph } from '../api/types.js';
import { cascade, edge, node } from './fixtures/graphs.js';
import { applyGraphDelta, streamEventUse, upsertAnnotation, type GraphDelta } from './streamUpdates.js';

const ids = (g: Graph) => [g.nodes.map((n) => `${n.id}:${n.errors}`).sort(), g.edges.map((e) => `${e.source}>${e.target}:${e.errors}`).sort()];

describe.each<[string, GraphDelta, string[][]]>([
  ['nothing changed', { nodes: [], edges: [], removedNodes: [], removedEdges: [] }, ids(cascade)],
  [
    'a node and an edge changed, one of each added',
    { nodes: [node('payments', 600, 60), node('shipping', 10, 0)], edges: [edge('orders', 'payments', 600, 60), edge('orders', 'shipping', 10, 0)], removedNodes: [], removedEdges: [] },
    [
      ['gateway:300', 'inventory:0', 'orders:300', 'payments:60', 'shipping:0', 'smtp.example.com:0'],
      ['gateway>orders:300', 'orders>inventory:900', 'orders>payments:60', 'orders>shipping:0', 'orders>smtp.example.com:0'],
    ],
  ],
  [
    'a node and its edge left',
    { nodes: [], edges: [], removedNodes: ['smtp.example.com'], removedEdges: [{ source: 'orders', target: 'smtp.example.com' }] },
    [
      ['gateway:300', 'inventory:0', 'orders:300', 'payments:0'],
      ['gateway>orders:300', 'orders>inventory:900', 'orders>payments:0'],
    ],
  ],
])('applyGraphDelta: %s', (_name, delta, expected) => {
  it('gives the graph the full answer would', () => {
    const snapshot = structuredClone(cascade);
    expect(ids(applyGraphDelta(cascade, delta))).toEqual(expected);
    expect(cascade).toEqual(snapshot);
  });
});

describe('upsertAnnotation', () => {
  const a = (id: string, timeMs: number, endMs?: number): Annotation => ({ id, timeMs, kind: 'fault', text: id, attributes: {}, ...(endMs !== undefined ? { endMs } : {}) });
  it('adds new ones in time order, replaces one that grew, and keeps the newest max', () => {
    const list = [a('1', 10), a('2', 30)];
    const snapshot = structuredClone(list);
    expect(upsertAnnotation(list, a('3', 20), 10).map((x) => x.id)).toEqual(['1', '3', '2']);
    expect(upsertAnnotation(list, a('1', 10, 50), 10)).toEqual([a('1', 10, 50), a('2', 30)]);
    expect(upsertAnnotation(list, a('4', 40), 2).map((x) => x.id)).toEqual(['2', '4']);
    expect(list).toEqual(snapshot);
  });
});

describe('streamEventUse', () => {
  const allRuns = { runSelected: false, streamCoversRange: true };
  const otherRange = { runSelected: false, streamCoversRange: false };
  const oneRun = { runSelected: true, streamCoversRange: true };
  it.each<[string, typeof allRuns, string]>([
    ['graph', allRuns, 'apply'],
    ['graph.delta', allRuns, 'apply'],
    ['annotation', allRuns, 'apply'],
    ['incident', allRuns, 'refetch'],
    ['breaker', allRuns, 'refetch'],
    ['message', allRuns, 'refetch'],
    ['services', allRuns, 'ignore'],
    ['graph', otherRange, 'refetch'],
    ['graph.delta', otherRange, 'refetch'],
    ['annotation', otherRange, 'apply'],
    // Payloads add up every run: with one selected, nothing is applied.
    ['graph', oneRun, 'refetch'],
    ['graph.delta', oneRun, 'refetch'],
    ['annotation', oneRun, 'refetch'],
    ['incident', oneRun, 'refetch'],
    ['services', oneRun, 'ignore'],
  ])('%s with %o → %s', (type, page, expected) => {
    expect(streamEventUse(type, page)).toBe(expected);
  });
});
