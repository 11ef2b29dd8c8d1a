// Service-map layout: graph from /api/graph in, positioned nodes and routed
// edges out (dagre, left to right: callers to the left of their callees).
import * as dagreModule from '@dagrejs/dagre';
import type { Graph, GraphEdge, GraphNode } from '../api/types.js';
import { formatMs, formatPct, formatRate } from './format.js';
import { classifyHealth, type Health, type HealthThresholds, DEFAULT_THRESHOLDS } from './health.js';

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutNode {
  id: string;
  kind: GraphNode['kind'];
  /** Centre of the node box. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Worst of the node's own health and what its callers see (a service that is down sends no spans). */
  health: Health;
  stats: GraphNode;
  /** Calls into this node as its callers recorded them (null when nothing calls it). */
  incoming: { requests: number; errors: number; errorRate: number } | null;
  /** Second line under the name: rate, errors, p95. */
  summary: string;
}

const HEALTH_RANK: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failing: 3 };

/** The more severe of two health classes (idle counts as the least). */
export function worseHealth(a: Health, b: Health): Health {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

/** Sums the calls into each node, as recorded by the callers. */
export function incomingCalls(edges: readonly GraphEdge[]): Map<string, { requests: number; errors: number; errorRate: number }> {
  const out = new Map<string, { requests: number; errors: number; errorRate: number }>();
  for (const e of edges) {
    const cur = out.get(e.target) ?? { requests: 0, errors: 0, errorRate: 0 };
    cur.requests += e.requests;
    cur.errors += e.errors;
    cur.errorRate = cur.requests > 0 ? cur.errors / cur.requests : 0;
    out.set(e.target, cur);
  }
  return out;
}

export interface EdgeBadge {
  kind: 'retries' | 'timeouts' | 'shortCircuits';
  count: number;
  text: string;
}

export interface LaidOutEdge {
  key: string;
  source: string;
  target: string;
  points: Point[];
  labelX: number;
  labelY: number;
  label: string;
  badges: EdgeBadge[];
  health: Health;
  stats: GraphEdge;
}

export interface MapLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Window the stats cover, for per-second rates. */
  windowMs: number;
  thresholds?: HealthThresholds;
  nodeWidthPx?: number;
  nodeHeightPx?: number;
  /** Edge count above which labels get no room in the layout. Default EDGE_LABELS_MAX. */
  edgeLabelsMax?: number;
}

// dagre is CommonJS: bundlers expose its exports on the namespace, Node's ESM loader under `default`.
const dagre = ((dagreModule as unknown as { default?: typeof dagreModule }).default ?? dagreModule) as typeof dagreModule;

/**
 * Above this many edges, edge labels get no room in the layout (dagre would add a
 * rank of label nodes, doubling its work) and the map shows them only when zoomed in.
 */
export const EDGE_LABELS_MAX = 40;
/** Node count above which the faster (less tidy) ranker is used. */
export const LARGE_GRAPH_NODES = 60;

export const edgeKey = (source: string, target: string): string => `${source}→${target}`;

const CHAR_WIDTH_PX = 7;

export function edgeBadges(e: Pick<GraphEdge, 'retries' | 'timeouts' | 'shortCircuits'>): EdgeBadge[] {
  const out: EdgeBadge[] = [];
  if (e.retries > 0) out.push({ kind: 'retries', count: e.retries, text: `↻ ${e.retries} retr${e.retries === 1 ? 'y' : 'ies'}` });
  if (e.timeouts > 0) out.push({ kind: 'timeouts', count: e.timeouts, text: `◔ ${e.timeouts} timeout${e.timeouts === 1 ? '' : 's'}` });
  if (e.shortCircuits > 0) out.push({ kind: 'shortCircuits', count: e.shortCircuits, text: `⊘ ${e.shortCircuits} short-circuit${e.shortCircuits === 1 ? '' : 's'}` });
  return out;
}

export function statsLine(s: { requests: number; errorRate: number; p95Ms: number }, windowMs: number): string {
  return `${formatRate(s.requests, windowMs)} · ${formatPct(s.errorRate)} err · p95 ${formatMs(s.p95Ms)}`;
}

/**
 * Lays out the graph. Edges naming a node that the answer does not list get a
 * virtual node (with a warning) instead of being dropped, so no traffic disappears.
 */
export function layoutGraph(graph: Graph, options: LayoutOptions): { result: MapLayout; warnings: string[] } {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const nodeHeight = options.nodeHeightPx ?? 46;
  const warnings: string[] = [];
  const nodes = new Map<string, GraphNode>();
  for (const n of graph.nodes) {
    if (nodes.has(n.id)) warnings.push(`duplicate node ${n.id} ignored`);
    else nodes.set(n.id, n);
  }
  const edges = new Map<string, GraphEdge>();
  for (const e of graph.edges) {
    for (const id of [e.source, e.target]) {
      if (!nodes.has(id)) {
        warnings.push(`edge ${edgeKey(e.source, e.target)} names unknown node ${id}; shown as virtual`);
        nodes.set(id, { id, kind: 'virtual', requests: 0, errors: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
      }
    }
    const key = edgeKey(e.source, e.target);
    if (edges.has(key)) warnings.push(`duplicate edge ${key} ignored`);
    else edges.set(key, e);
  }

  const g = new dagre.graphlib.Graph({ multigraph: false });
  // network-simplex gives the tidiest ranks; on big maps longest-path is about twice as fast.
  const ranker = nodes.size > LARGE_GRAPH_NODES ? 'longest-path' : 'network-simplex';
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 90, edgesep: 12, marginx: 20, marginy: 20, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  const summaries = new Map<string, string>();
  const incoming = incomingCalls([...edges.values()]);
  for (const n of nodes.values()) {
    const summary = statsLine(n, options.windowMs);
    summaries.set(n.id, summary);
    // Name plus the health word on one line, the stats line below.
    const width = options.nodeWidthPx ?? Math.max(150, Math.min(340, Math.max(n.id.length * 8 + 80, summary.length * 5.8) + 24));
    g.setNode(n.id, { width, height: nodeHeight });
  }
  const labels = new Map<string, string>();
  const roomForLabels = edges.size <= (options.edgeLabelsMax ?? EDGE_LABELS_MAX);
  for (const [key, e] of edges) {
    const label = statsLine(e, options.windowMs);
    labels.set(key, label);
    const badgeLine = edgeBadges(e).map((b) => b.text).join('  ');
    const textWidth = Math.max(label.length, badgeLine.length) * CHAR_WIDTH_PX * 0.85;
    g.setEdge(e.source, e.target, roomForLabels ? { width: textWidth, height: badgeLine ? 30 : 16, labelpos: 'c' } : {});
  }
  dagre.layout(g);

  const laidNodes: LaidOutNode[] = [...nodes.values()].map((n) => {
    const d = g.node(n.id);
    const own = classifyHealth(n, thresholds);
    const inc = incoming.get(n.id);
    const seen = inc ? classifyHealth(inc, thresholds) : 'idle';
    if (inc && worseHealth(own, seen) !== own) {
      // Say why a node that reports itself healthy is not: its callers' calls fail.
      summaries.set(n.id, `callers see ${formatPct(inc.errorRate)} err · ${formatRate(inc.requests, options.windowMs)}`);
    }
    return {
      id: n.id,
      kind: n.kind,
      x: d.x,
      y: d.y,
      width: d.width,
      height: d.height,
      health: worseHealth(classifyHealth(n, thresholds), incoming.has(n.id) ? classifyHealth(incoming.get(n.id)!, thresholds) : 'idle'),
      stats: n,
      incoming: incoming.get(n.id) ?? null,
      summary: summaries.get(n.id)!,
    };
  });
  const laidEdges: LaidOutEdge[] = [...edges.entries()].map(([key, e]) => {
    const d = g.edge(e.source, e.target) as unknown as { points: Point[]; x?: number; y?: number };
    const points = d.points.map((p) => ({ x: p.x, y: p.y }));
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return {
      key,
      source: e.source,
      target: e.target,
      points,
      labelX: roomForLabels && d.x !== undefined ? d.x : mid.x,
      labelY: roomForLabels && d.y !== undefined ? d.y : mid.y,
      label: labels.get(key)!,
      badges: edgeBadges(e),
      health: classifyHealth(e, thresholds),
      stats: e,
    };
  });
  const meta = g.graph();
  return { result: { nodes: laidNodes, edges: laidEdges, width: meta.width ?? 0, height: meta.height ?? 0 }, warnings };
}

/** Callers and callees of one node, busiest first. */
export function neighbours(graph: Graph, id: string): { callers: GraphEdge[]; callees: GraphEdge[] } {
  const byRequests = (a: GraphEdge, b: GraphEdge) => b.requests - a.requests || a.source.localeCompare(b.source) || a.target.localeCompare(b.target);
  return {
    callers: graph.edges.filter((e) => e.target === id).sort(byRequests),
    callees: graph.edges.filter((e) => e.source === id).sort(byRequests),
  };
}
