// Service-map layout: graph from /api/graph in, positioned nodes and routed
// edges out (dagre, left to right: callers to the left of their callees).
import * as dagreModule from '@dagrejs/dagre';
import type { Graph, GraphEdge, GraphNode } from '../api/types.js';
import { currentFigures, figuresHealth, figuresLine, formatPerSec, type Figures } from './figures.js';
import { formatPct } from './format.js';
import { DEFAULT_THRESHOLDS, HEALTH_LABEL, type Health, type HealthThresholds } from './health.js';

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
  /** Worst of the node's own current health and what its worst caller sees now (a service that is down sends no spans). */
  health: Health;
  stats: GraphNode;
  /** The busiest-failing caller's current view of calls into this node (null when nothing calls it). */
  worstCaller: { source: string; figures: Figures } | null;
  /** Second line under the name: current rate, errors, p95 (or what callers see). */
  summary: string;
}

const HEALTH_RANK: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failing: 3 };

/** The more severe of two health classes (idle counts as the least). */
export function worseHealth(a: Health, b: Health): Health {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

/** For each node, the caller whose current calls into it fail most (no sums: the API aggregates). */
export function worstCallers(edges: readonly GraphEdge[]): Map<string, { source: string; figures: Figures }> {
  const out = new Map<string, { source: string; figures: Figures }>();
  for (const e of edges) {
    const f = currentFigures(e);
    if (!f.hasTraffic) continue;
    const cur = out.get(e.target);
    if (!cur || f.errorRate > cur.figures.errorRate || (f.errorRate === cur.figures.errorRate && (f.requestsPerSec ?? 0) > (cur.figures.requestsPerSec ?? 0))) out.set(e.target, { source: e.source, figures: f });
  }
  return out;
}

export interface EdgeBadge {
  kind: 'retries' | 'timeouts' | 'shortCircuits';
  count: number;
  text: string;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  key: string;
  source: string;
  target: string;
  points: Point[];
  /** Where the label box goes: beside the line, in room the layout reserved for it. */
  labelBox: Box;
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
  /** False when the graph was too big to reserve room for edge labels. */
  edgeLabelsPlaced: boolean;
}

export interface LayoutOptions {
  thresholds?: HealthThresholds;
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

/**
 * Text geometry shared with the renderer (ServiceMap): font sizes in layout px and the
 * widths the layout reserves. The smallest font is what "legible at fit" is measured on.
 */
export const MAP_TEXT = {
  nameFontPx: 14.5,
  healthFontPx: 12,
  summaryFontPx: 12.5,
  edgeFontPx: 12.5,
  /** Average advance of a character, as a share of the font size (system sans-serif, generous). */
  charWidthEm: 0.62,
  nodePaddingPx: 10,
  sparklineHeightPx: 16,
  edgeLineHeightPx: 16,
  /** Gap between an edge line and its label box. */
  edgeLabelGapPx: 6,
} as const;
export const MAP_TEXT_MIN_PX = Math.min(MAP_TEXT.nameFontPx, MAP_TEXT.healthFontPx, MAP_TEXT.summaryFontPx, MAP_TEXT.edgeFontPx);
export const NODE_HEIGHT_PX = MAP_TEXT.nodePaddingPx * 2 + MAP_TEXT.nameFontPx + 6 + MAP_TEXT.summaryFontPx + 6 + MAP_TEXT.sparklineHeightPx;

export const edgeKey = (source: string, target: string): string => `${source}→${target}`;

export const textWidthPx = (text: string, fontPx: number): number => Math.ceil(text.length * fontPx * MAP_TEXT.charWidthEm);

export function edgeBadges(e: Pick<GraphEdge, 'retries' | 'timeouts' | 'shortCircuits'>): EdgeBadge[] {
  const out: EdgeBadge[] = [];
  if (e.retries > 0) out.push({ kind: 'retries', count: e.retries, text: `↻ ${e.retries} retr${e.retries === 1 ? 'y' : 'ies'}` });
  if (e.timeouts > 0) out.push({ kind: 'timeouts', count: e.timeouts, text: `◔ ${e.timeouts} timeout${e.timeouts === 1 ? '' : 's'}` });
  if (e.shortCircuits > 0) out.push({ kind: 'shortCircuits', count: e.shortCircuits, text: `⊘ ${e.shortCircuits} short-circuit${e.shortCircuits === 1 ? '' : 's'}` });
  return out;
}

/** Label box of an edge: figures line, badges line, sparkline. */
export function edgeLabelSize(label: string, badges: readonly EdgeBadge[]): { width: number; height: number } {
  const badgeLine = badges.map((b) => b.text).join('  ');
  const width = Math.max(textWidthPx(label, MAP_TEXT.edgeFontPx), textWidthPx(badgeLine, MAP_TEXT.edgeFontPx), 60) + 12;
  const lines = badgeLine ? 2 : 1;
  return { width, height: lines * MAP_TEXT.edgeLineHeightPx + MAP_TEXT.sparklineHeightPx + 8 };
}

export function nodeWidthPx(id: string, summary: string, health: Health): number {
  const nameLine = textWidthPx(`◌ ${id}`, MAP_TEXT.nameFontPx) + 12 + textWidthPx(HEALTH_LABEL[health].toUpperCase(), MAP_TEXT.healthFontPx);
  return Math.max(150, Math.min(420, Math.max(nameLine, textWidthPx(summary, MAP_TEXT.summaryFontPx)) + MAP_TEXT.nodePaddingPx * 2));
}

/**
 * Lays out the graph with each node's current figures. Edges naming a node that the
 * answer does not list get a virtual node (with a warning) instead of being dropped.
 */
export function layoutGraph(graph: Graph, options: LayoutOptions = {}): { result: MapLayout; warnings: string[] } {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
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
  const roomForLabels = edges.size <= (options.edgeLabelsMax ?? EDGE_LABELS_MAX);
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: roomForLabels ? 36 : 70, edgesep: 14, marginx: 16, marginy: 16, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  const callers = worstCallers([...edges.values()]);
  const info = new Map<string, { health: Health; summary: string }>();
  for (const n of nodes.values()) {
    const own = currentFigures(n);
    const seen = callers.get(n.id);
    const ownHealth = figuresHealth(own, thresholds);
    const seenHealth = seen ? figuresHealth(seen.figures, thresholds) : 'idle';
    const health = worseHealth(ownHealth, seenHealth);
    // Say why a node that reports itself healthy (or nothing at all) is not: its callers' calls fail.
    const summary =
      n.kind === 'virtual' ? (seen ? `callers: ${figuresLine(seen.figures)}` : 'virtual (not instrumented)')
      : seen && health !== ownHealth ? `callers see ${formatPct(seen.figures.errorRate)} err · ${formatPerSec(seen.figures.requestsPerSec)}`
      : figuresLine(own);
    info.set(n.id, { health, summary });
    g.setNode(n.id, { width: nodeWidthPx(n.id, summary, health), height: NODE_HEIGHT_PX });
  }
  const labels = new Map<string, string>();
  for (const [key, e] of edges) {
    const label = figuresLine(currentFigures(e));
    labels.set(key, label);
    const size = edgeLabelSize(label, edgeBadges(e));
    // In LR the label node's height is across the line: room for the box above it and a gap.
    g.setEdge(e.source, e.target, roomForLabels ? { width: size.width, height: size.height * 2 + MAP_TEXT.edgeLabelGapPx * 2, labelpos: 'c' } : {});
  }
  dagre.layout(g);

  const laidNodes: LaidOutNode[] = [...nodes.values()].map((n) => {
    const d = g.node(n.id);
    const { health, summary } = info.get(n.id)!;
    return { id: n.id, kind: n.kind, x: d.x, y: d.y, width: d.width, height: d.height, health, stats: n, worstCaller: callers.get(n.id) ?? null, summary };
  });
  const laidEdges: LaidOutEdge[] = [...edges.entries()].map(([key, e]) => {
    const d = g.edge(e.source, e.target) as unknown as { points: Point[]; x?: number; y?: number };
    const points = d.points.map((p) => ({ x: p.x, y: p.y }));
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    const label = labels.get(key)!;
    const badges = edgeBadges(e);
    const size = edgeLabelSize(label, badges);
    const cx = roomForLabels && d.x !== undefined ? d.x : mid.x;
    const cy = roomForLabels && d.y !== undefined ? d.y : mid.y;
    return {
      key,
      source: e.source,
      target: e.target,
      points,
      labelBox: { x: cx - size.width / 2, y: cy - MAP_TEXT.edgeLabelGapPx - size.height, width: size.width, height: size.height },
      label,
      badges,
      health: figuresHealth(currentFigures(e), thresholds),
      stats: e,
    };
  });
  const meta = g.graph();
  return { result: { nodes: laidNodes, edges: laidEdges, width: meta.width ?? 0, height: meta.height ?? 0, edgeLabelsPlaced: roomForLabels }, warnings };
}

/** Callers and callees of one node, busiest first. */
export function neighbours(graph: Graph, id: string): { callers: GraphEdge[]; callees: GraphEdge[] } {
  const byRequests = (a: GraphEdge, b: GraphEdge) => b.requests - a.requests || a.source.localeCompare(b.source) || a.target.localeCompare(b.target);
  return {
    callers: graph.edges.filter((e) => e.target === id).sort(byRequests),
    callees: graph.edges.filter((e) => e.source === id).sort(byRequests),
  };
}
