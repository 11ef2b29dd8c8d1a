// Applying the stream's payloads to what the page holds, so that it updates without refetching.
import type { Annotation, Graph, GraphEdge, GraphNode } from '../api/types.js';
import { edgeKey } from './graphLayout.js';

export interface GraphDelta {
  nodes: GraphNode[];
  edges: GraphEdge[];
  removedNodes: string[];
  removedEdges: { source: string; target: string }[];
}

/** The graph after a `graph.delta` event: changed entries replaced, new ones added, removed ones dropped. */
export function applyGraphDelta(graph: Graph, delta: GraphDelta): Graph {
  const removedNodes = new Set(delta.removedNodes);
  const removedEdges = new Set(delta.removedEdges.map((e) => edgeKey(e.source, e.target)));
  const nodes = new Map(graph.nodes.filter((n) => !removedNodes.has(n.id)).map((n) => [n.id, n]));
  for (const n of delta.nodes) nodes.set(n.id, n);
  const edges = new Map(graph.edges.filter((e) => !removedEdges.has(edgeKey(e.source, e.target))).map((e) => [edgeKey(e.source, e.target), e]));
  for (const e of delta.edges) edges.set(edgeKey(e.source, e.target), e);
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** Annotations after an `annotation` event (new, or one that grew: same id). */
export function upsertAnnotation(list: readonly Annotation[], a: Annotation, max: number): Annotation[] {
  const out = list.filter((x) => x.id !== a.id);
  out.push(a);
  out.sort((x, y) => x.timeMs - y.timeMs || x.id.localeCompare(y.id));
  return out.length > max ? out.slice(out.length - max) : out;
}

/** What the page does with one stream event: apply its payload, refetch the views, or nothing. */
export type StreamEventUse = 'apply' | 'refetch' | 'ignore';

/**
 * `graph` and `graph.delta` payloads are the collector's default range (applied only when the
 * page shows that range); incidents and breaker transitions make the views that show them
 * refetch; `services` adds nothing the graph does not bring. The stream's payloads add up every
 * run, so with a run selected none is applied: the views refetch with the run instead.
 */
export function streamEventUse(type: string, page: { runSelected: boolean; streamCoversRange: boolean }): StreamEventUse {
  if (type === 'services') return 'ignore';
  if (page.runSelected) return 'refetch';
  if (type === 'graph' || type === 'graph.delta') return page.streamCoversRange ? 'apply' : 'refetch';
  if (type === 'annotation') return 'apply';
  return 'refetch';
}
