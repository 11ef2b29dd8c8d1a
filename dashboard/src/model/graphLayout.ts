// Service-map layout: graph from /api/graph in, positioned nodes and routed
// edges out (dagre, left to right: callers to the left of their callees).
import * as dagreModule from '@dagrejs/dagre';
import type { Graph, GraphEdge, GraphNode } from '../api/types.js';
import { currentFigures, figuresHealth, figuresLine, formatPerSec, type Figures } from './figures.js';
import { formatMs, formatPct } from './format.js';
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
  /** Worst of the node's own current health and what its callers see now (a service that is down sends no spans). */
  health: Health;
  stats: GraphNode;
  /** All calls into this node in the last complete minute, as its callers saw them (null when nothing calls it). */
  seenByCallers: Figures | null;
  /** Second line under the name: current rate, errors, p95 (or what callers see). */
  summary: string;
}

const HEALTH_RANK: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failing: 3 };

/** The more severe of two health classes (idle counts as the least). */
export function worseHealth(a: Health, b: Health): Health {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

export interface EdgeBadge {
  kind: 'retries' | 'timeouts' | 'shortCircuits';
  count: number;
  text: string;
  /** Glyph and count, for the map's labels (the legend says what the glyphs mean). */
  short: string;
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
  /** Rate and errors, p95: the label's text in one line (for tables and screen readers). */
  label: string;
  /** The label as drawn: rate and errors, p95 (beside the sparkline), badges when any. */
  labelLines: string[];
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
 * room the layout reserves. The smallest font is what "legible at fit" is measured on.
 */
export const MAP_TEXT = {
  nameFontPx: 14,
  healthFontPx: 12.5,
  summaryFontPx: 12.5,
  edgeFontPx: 12.5,
  /** Average advance of a character, as a share of the font size (system sans-serif, with a margin). */
  charWidthEm: 0.56,
  /** The same for the bold service name and the bold capitals of the health word. */
  boldWidthEm: 0.62,
  capsWidthEm: 0.74,
  nodePaddingPx: 10,
  sparklineWidthPx: 44,
  sparklineHeightPx: 12,
  edgeLineHeightPx: 16,
  /** Gap between an edge line and its label box. */
  edgeLabelGapPx: 5,
} as const;
export const MAP_TEXT_MIN_PX = Math.min(MAP_TEXT.nameFontPx, MAP_TEXT.healthFontPx, MAP_TEXT.summaryFontPx, MAP_TEXT.edgeFontPx);
export const NODE_HEIGHT_PX = MAP_TEXT.nodePaddingPx * 2 + MAP_TEXT.nameFontPx + 8 + MAP_TEXT.summaryFontPx + 6 + MAP_TEXT.sparklineHeightPx;
/** Height the layout reserves for an edge label: the box, a gap, the line, a gap. */
const labelRoomPx = (boxHeightPx: number) => boxHeightPx + MAP_TEXT.edgeLabelGapPx * 3;
/** Room between a node column and the lines leaving or entering it horizontally. */
const PORT_GAP_PX = 6;

export const edgeKey = (source: string, target: string): string => `${source}→${target}`;

export const textWidthPx = (text: string, fontPx: number): number => Math.ceil(text.length * fontPx * MAP_TEXT.charWidthEm);

export function edgeBadges(e: Pick<GraphEdge, 'retries' | 'timeouts' | 'shortCircuits'>): EdgeBadge[] {
  const out: EdgeBadge[] = [];
  if (e.retries > 0) out.push({ kind: 'retries', count: e.retries, text: `↻ ${e.retries} retr${e.retries === 1 ? 'y' : 'ies'}`, short: `↻${e.retries}` });
  if (e.timeouts > 0) out.push({ kind: 'timeouts', count: e.timeouts, text: `◔ ${e.timeouts} timeout${e.timeouts === 1 ? '' : 's'}`, short: `◔${e.timeouts}` });
  if (e.shortCircuits > 0) out.push({ kind: 'shortCircuits', count: e.shortCircuits, text: `⊘ ${e.shortCircuits} short-circuit${e.shortCircuits === 1 ? '' : 's'}`, short: `⊘${e.shortCircuits}` });
  return out;
}

/** An edge label's lines: rate and errors, p95 (the sparkline goes beside it), then the badges. */
export function edgeLabelLines(f: Figures, badges: readonly EdgeBadge[]): string[] {
  const lines = f.hasTraffic ? [`${formatPerSec(f.requestsPerSec)} · ${formatPct(f.errorRate)} err`, `p95 ${formatMs(f.p95Ms)}`] : ['no traffic now', ''];
  if (badges.length > 0) lines.push(badges.map((b) => b.short).join('  '));
  return lines;
}

export function edgeLabelSize(lines: readonly string[]): { width: number; height: number } {
  const w = (s: string): number => textWidthPx(s, MAP_TEXT.edgeFontPx);
  const width = Math.max(w(lines[0] ?? ''), w(lines[1] ?? '') + 8 + MAP_TEXT.sparklineWidthPx, w(lines[2] ?? '')) + 12;
  return { width, height: lines.length * MAP_TEXT.edgeLineHeightPx + 6 };
}

export function nodeWidthPx(id: string, summary: string, health: Health, kind: GraphNode['kind'] = 'service'): number {
  const nameLine = Math.ceil((kind === 'virtual' ? id.length + 2 : id.length) * MAP_TEXT.nameFontPx * MAP_TEXT.boldWidthEm) + 12 + Math.ceil(HEALTH_LABEL[health].length * MAP_TEXT.healthFontPx * MAP_TEXT.capsWidthEm);
  return Math.max(140, Math.min(420, Math.max(nameLine, textWidthPx(summary, MAP_TEXT.summaryFontPx)) + MAP_TEXT.nodePaddingPx * 2));
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
        nodes.set(id, { id, kind: 'virtual', requests: 0, errors: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, requestsPerSec: 0, current: { requestsPerSec: 0, errors: 0, errorRate: 0, p95Ms: 0, minuteStartMs: 0 }, background: 0, seenByCallers: true, incoming: null });
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
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: roomForLabels ? 28 : 70, edgesep: 14, marginx: 10, marginy: 10, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  const info = new Map<string, { health: Health; summary: string; seen: Figures | null }>();
  for (const n of nodes.values()) {
    const own = currentFigures(n);
    // The collector adds up the calls into each node (`incoming`): the page does not.
    const seen = n.incoming ? currentFigures(n.incoming) : null;
    const ownHealth = figuresHealth(own, thresholds);
    const seenHealth = seen ? figuresHealth(seen, thresholds) : 'idle';
    const health = worseHealth(ownHealth, seenHealth);
    // Say why a node that reports itself healthy (or nothing at all) is not: its callers' calls fail.
    const summary =
      n.kind === 'virtual' ? (seen ? figuresLine(seen) : 'virtual (not instrumented)')
      : n.seenByCallers && own.hasTraffic ? `callers see ${formatPct(own.errorRate)} err · ${formatPerSec(own.requestsPerSec)}`
      : seen && health !== ownHealth ? `callers see ${formatPct(seen.errorRate)} err · ${formatPerSec(seen.requestsPerSec)}`
      : figuresLine(own);
    info.set(n.id, { health, summary, seen });
    g.setNode(n.id, { width: nodeWidthPx(n.id, summary, health, n.kind), height: NODE_HEIGHT_PX });
  }
  const labels = new Map<string, string[]>();
  for (const [key, e] of edges) {
    const lines = edgeLabelLines(currentFigures(e), edgeBadges(e));
    labels.set(key, lines);
    const size = edgeLabelSize(lines);
    // In LR the label node's height is across the line: the box, then the line under it.
    g.setEdge(e.source, e.target, roomForLabels ? { width: size.width, height: labelRoomPx(size.height), labelpos: 'c' } : {});
  }
  dagre.layout(g);
  // Column extents (dagre centres every node of a rank on one x): lines leave and enter nodes
  // horizontally outside them, and run flat under their label, so that no line crosses a label.
  const columns = new Map<number, number>();
  const colKey = (x: number) => Math.round(x);
  for (const id of g.nodes()) {
    const d = g.node(id);
    if (d) columns.set(colKey(d.x), Math.max(columns.get(colKey(d.x)) ?? 0, d.width / 2));
  }
  const labelColumns = new Map<number, number>();
  if (roomForLabels)
    for (const [key, e] of edges) {
      const d = g.edge(e.source, e.target) as unknown as { x?: number };
      if (d.x !== undefined) labelColumns.set(colKey(d.x), Math.max(labelColumns.get(colKey(d.x)) ?? 0, edgeLabelSize(labels.get(key)!).width / 2));
    }

  const laidNodes: LaidOutNode[] = [...nodes.values()].map((n) => {
    const d = g.node(n.id);
    const { health, summary, seen } = info.get(n.id)!;
    return { id: n.id, kind: n.kind, x: d.x, y: d.y, width: d.width, height: d.height, health, stats: n, seenByCallers: seen, summary };
  });
  const laidEdges: LaidOutEdge[] = [...edges.entries()].map(([key, e]) => {
    const d = g.edge(e.source, e.target) as unknown as { points: Point[]; x?: number; y?: number };
    const raw = d.points.map((p) => ({ x: p.x, y: p.y }));
    const mid = raw[Math.floor(raw.length / 2)] ?? { x: 0, y: 0 };
    const lines = labels.get(key)!;
    const badges = edgeBadges(e);
    const size = edgeLabelSize(lines);
    const placed = roomForLabels && d.x !== undefined && d.y !== undefined;
    const cx = placed ? d.x! : mid.x;
    // The label sits at the top of its reserved room, the line runs flat along the bottom.
    const top = placed ? d.y! - labelRoomPx(size.height) / 2 : mid.y - MAP_TEXT.edgeLabelGapPx - size.height;
    const cy = placed ? top + size.height + MAP_TEXT.edgeLabelGapPx * 2 : mid.y;
    const src = g.node(e.source);
    const tgt = g.node(e.target);
    let points = raw;
    if (placed && src && tgt && raw.length >= 2 && src.x < cx && cx < tgt.x) {
      const half = labelColumns.get(colKey(cx)) ?? size.width / 2;
      const srcOut = src.x + (columns.get(colKey(src.x)) ?? src.width / 2) + PORT_GAP_PX;
      const tgtIn = tgt.x - (columns.get(colKey(tgt.x)) ?? tgt.width / 2) - PORT_GAP_PX;
      // A long edge passes other columns through dagre's dummy points: flat across each column,
      // so its slopes stay in the empty gaps between columns.
      const labelIndex = raw.findIndex((p) => Math.abs(p.x - cx) < 0.5 && Math.abs(p.y - d.y!) < 0.5);
      const across = (p: Point): Point[] => {
        const halfPx = Math.max(columns.get(colKey(p.x)) ?? 0, labelColumns.get(colKey(p.x)) ?? 0);
        return halfPx > 0 ? [{ x: p.x - halfPx - PORT_GAP_PX, y: p.y }, { x: p.x + halfPx + PORT_GAP_PX, y: p.y }] : [p];
      };
      const before = labelIndex > 0 ? raw.slice(1, labelIndex).flatMap(across) : [];
      const after = labelIndex > 0 ? raw.slice(labelIndex + 1, -1).flatMap(across) : [];
      points = [
        { x: src.x + src.width / 2, y: src.y },
        { x: srcOut, y: src.y },
        ...before,
        { x: cx - half - PORT_GAP_PX, y: cy },
        { x: cx + half + PORT_GAP_PX, y: cy },
        ...after,
        { x: tgtIn, y: tgt.y },
        { x: tgt.x - tgt.width / 2, y: tgt.y },
      ];
    }
    return {
      key,
      source: e.source,
      target: e.target,
      points,
      labelBox: { x: cx - size.width / 2, y: top, width: size.width, height: size.height },
      label: lines.slice(0, 2).filter(Boolean).join(' · '),
      labelLines: lines,
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
