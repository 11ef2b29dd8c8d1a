// What changed between two graph answers: the `graph.delta` stream event. Pure.
import type { GraphDeltaEvent, GraphAnswer } from './answers/types.js';

export function graphDelta(before: GraphAnswer, after: GraphAnswer): GraphDeltaEvent {
  const nodesBefore = new Map(before.nodes.map((n) => [n.id, JSON.stringify(n)]));
  const edgeKey = (e: { source: string; target: string }) => JSON.stringify([e.source, e.target]);
  const edgesBefore = new Map(before.edges.map((e) => [edgeKey(e), JSON.stringify(e)]));
  const nodeIds = new Set(after.nodes.map((n) => n.id));
  const edgeKeys = new Set(after.edges.map(edgeKey));
  return {
    nodes: after.nodes.filter((n) => nodesBefore.get(n.id) !== JSON.stringify(n)),
    edges: after.edges.filter((e) => edgesBefore.get(edgeKey(e)) !== JSON.stringify(e)),
    removedNodes: before.nodes.filter((n) => !nodeIds.has(n.id)).map((n) => n.id),
    removedEdges: before.edges.filter((e) => !edgeKeys.has(edgeKey(e))).map((e) => ({ source: e.source, target: e.target })),
  };
}
