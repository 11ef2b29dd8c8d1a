// Which map elements a root cause's propagation path lights up. The path runs
// from the cause to the entry point users saw failing; calls go the other way
// (the caller is the edge's source), so each hop matches the edge in either direction.
import type { Graph } from '../api/types.js';
import { edgeKey } from './graphLayout.js';

export interface Highlight {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
  /** The hops in path order, with the edge each one matched (null when the map has none). */
  hops: { from: string; to: string; edge: string | null }[];
}

export function highlightPath(graph: Graph, path: readonly string[]): { result: Highlight; warnings: string[] } {
  const warnings: string[] = [];
  const known = new Set(graph.nodes.map((n) => n.id));
  const edgeSet = new Set(graph.edges.map((e) => edgeKey(e.source, e.target)));
  const nodes = new Set<string>();
  const edges = new Set<string>();
  const hops: Highlight['hops'] = [];
  for (const id of path) {
    if (known.has(id)) nodes.add(id);
    else warnings.push(`path names ${id}, which is not on the map for this time range`);
  }
  for (let i = 0; i + 1 < path.length; i++) {
    const from = path[i]!;
    const to = path[i + 1]!;
    const calledBy = edgeKey(to, from);
    const calls = edgeKey(from, to);
    const edge = edgeSet.has(calledBy) ? calledBy : edgeSet.has(calls) ? calls : null;
    if (edge) edges.add(edge);
    else warnings.push(`no edge between ${from} and ${to} in this time range`);
    hops.push({ from, to, edge });
  }
  return { result: { nodes, edges, hops }, warnings };
}

/** Parses the `path` URL param (`a>b>c`). */
export function parsePathParam(value: string | null): string[] {
  if (!value) return [];
  return value.split('>').map((s) => s.trim()).filter(Boolean).slice(0, 64);
}

export function formatPathParam(path: readonly string[]): string {
  return path.join('>');
}
