// Turns per-bucket node and edge aggregates into the GET /api/graph answer.
import { quantileMs } from './histogram.js';
import { emptyStats, mergeStats, type Stats } from './stats.js';

/** Rate, errors and duration figures of one service, node or edge, as the API answers them. */
export interface RedFigures {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface GraphNode extends RedFigures {
  id: string;
  /** `virtual`: called by a service but never reported spans itself (not instrumented, or unreachable). */
  kind: 'service' | 'virtual';
}

export interface GraphEdge extends RedFigures {
  source: string;
  target: string;
  retries: number;
  timeouts: number;
  shortCircuits: number;
}

export interface GraphResponse {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphInput {
  /** Server-side aggregates per service; several entries per service (one per bucket) are merged. */
  nodes: readonly { service: string; stats: Stats }[];
  /** Caller-side aggregates per call edge; several entries per pair are merged. */
  edges: readonly { source: string; target: string; stats: Stats }[];
  /** Every service that has ever reported spans: targets outside it are virtual. */
  knownServices: ReadonlySet<string>;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The API's figures for merged stats: error rate capped at 1, percentiles to the microsecond. */
export function redFigures(stats: Stats): RedFigures {
  return {
    requests: stats.requests,
    errors: stats.errors,
    errorRate: stats.requests > 0 ? Math.min(1, stats.errors / stats.requests) : 0,
    p50Ms: round(quantileMs(stats.histogram, 0.5)),
    p95Ms: round(quantileMs(stats.histogram, 0.95)),
    p99Ms: round(quantileMs(stats.histogram, 0.99)),
  };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Nodes are sorted by id, edges by source then target. A node that only
 * appears as a call target (a known service with no server spans in the
 * window, i.e. down, or a virtual one) shows what its callers saw.
 */
export function buildGraph(input: GraphInput): GraphResponse {
  const nodeStats = new Map<string, Stats>();
  for (const { service, stats } of input.nodes) {
    let into = nodeStats.get(service);
    if (!into) nodeStats.set(service, (into = emptyStats()));
    mergeStats(into, stats);
  }

  const edgeStats = new Map<string, { source: string; target: string; stats: Stats }>();
  for (const { source, target, stats } of input.edges) {
    const key = JSON.stringify([source, target]);
    let into = edgeStats.get(key);
    if (!into) edgeStats.set(key, (into = { source, target, stats: emptyStats() }));
    mergeStats(into.stats, stats);
  }

  // Targets without their own server-side stats: their callers' view is all there is.
  const seenByCallers = new Map<string, Stats>();
  const sources = new Set<string>();
  for (const edge of edgeStats.values()) {
    sources.add(edge.source);
    if (nodeStats.has(edge.target)) continue;
    let into = seenByCallers.get(edge.target);
    if (!into) seenByCallers.set(edge.target, (into = emptyStats()));
    mergeStats(into, edge.stats);
  }

  const nodes: GraphNode[] = [];
  for (const [id, stats] of nodeStats) nodes.push({ id, kind: 'service', ...redFigures(stats) });
  for (const [id, stats] of seenByCallers) {
    const kind = input.knownServices.has(id) || sources.has(id) ? 'service' : 'virtual';
    nodes.push({ id, kind, ...redFigures(stats) });
  }
  for (const id of sources) {
    if (!nodeStats.has(id) && !seenByCallers.has(id)) nodes.push({ id, kind: 'service', ...redFigures(emptyStats()) });
  }
  nodes.sort((a, b) => byName(a.id, b.id));

  const edges: GraphEdge[] = [...edgeStats.values()]
    .map(({ source, target, stats }) => ({
      source,
      target,
      ...redFigures(stats),
      retries: stats.retries,
      timeouts: stats.timeouts,
      shortCircuits: stats.shortCircuits,
    }))
    .sort((a, b) => byName(a.source, b.source) || byName(a.target, b.target));
  return { nodes, edges };
}
