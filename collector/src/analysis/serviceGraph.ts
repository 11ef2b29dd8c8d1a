// Turns per-bucket node and edge aggregates into the GET /api/graph answer.
import { quantileMs } from './histogram.js';
import { mergeStats, type Stats } from './stats.js';
import { type CurrentFigures, currentFigures, requestsPerSec, WindowAggregate, type WindowClock, windowClock } from './windowFigures.js';

/** Rate, errors and duration figures of one service, node or edge, as the API answers them. */
export interface RedFigures {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Figures over the minutes of the window that hold data, and of its last complete minute. */
export interface RateFigures {
  requestsPerSec: number;
  current: CurrentFigures;
}

export interface GraphNode extends RedFigures, RateFigures {
  id: string;
  /** `virtual`: called by a service but never reported spans itself (not instrumented, or unreachable). */
  kind: 'service' | 'virtual';
  /** Root spans of background work (pollers, relays, saga steps) in the window: not requests. */
  background: number;
  /** The figures are what callers saw: the node sent no server-side spans in the window. */
  seenByCallers: boolean;
  /** All calls into the node as its callers saw them (failures, timeouts, short-circuits); null when nobody called it. */
  incoming: (RedFigures & RateFigures & { retries: number; timeouts: number; shortCircuits: number }) | null;
}

export interface GraphEdge extends RedFigures, RateFigures {
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
  /**
   * Server-side aggregates per service; several entries per service (one per bucket and run) are merged.
   * `bucketMs`: the minute they are of (absent: unknown). `background`: root spans of background work.
   */
  nodes: readonly { service: string; stats: Stats; bucketMs?: number; background?: number; backgroundErrors?: number }[];
  /** Caller-side aggregates per call edge; several entries per pair are merged. */
  edges: readonly { source: string; target: string; stats: Stats; bucketMs?: number }[];
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

/** Per-node and per-edge aggregates of a window, before they become the answer. */
export interface GraphAggregates {
  clock: WindowClock;
  /** Services with server-side (or root) spans of their own. */
  nodes: Map<string, WindowAggregate>;
  edges: Map<string, { source: string; target: string; agg: WindowAggregate }>;
  knownServices: ReadonlySet<string>;
}

export function aggregateGraph(input: GraphInput, toMs: number = Number.POSITIVE_INFINITY): GraphAggregates {
  const minutes: number[] = [];
  for (const n of input.nodes) if (n.bucketMs !== undefined && (n.stats.requests > 0 || (n.background ?? 0) > 0)) minutes.push(n.bucketMs);
  for (const e of input.edges) if (e.bucketMs !== undefined && e.stats.requests > 0) minutes.push(e.bucketMs);
  const clock = windowClock(minutes, toMs);
  const nodes = new Map<string, WindowAggregate>();
  for (const n of input.nodes) {
    let into = nodes.get(n.service);
    if (!into) nodes.set(n.service, (into = new WindowAggregate()));
    into.add(n.stats, n.bucketMs, clock);
    into.background += n.background ?? 0;
    into.backgroundErrors += n.backgroundErrors ?? 0;
  }
  const edges = new Map<string, { source: string; target: string; agg: WindowAggregate }>();
  for (const { source, target, stats, bucketMs } of input.edges) {
    const key = JSON.stringify([source, target]);
    let into = edges.get(key);
    if (!into) edges.set(key, (into = { source, target, agg: new WindowAggregate() }));
    into.agg.add(stats, bucketMs, clock);
  }
  return { clock, nodes, edges, knownServices: input.knownServices };
}

/** Window figures, rate and current minute of one aggregate. */
export function windowFigures(agg: WindowAggregate, clock: WindowClock): RedFigures & { requestsPerSec: number; current: CurrentFigures } {
  return { ...redFigures(agg.total), requestsPerSec: requestsPerSec(agg.total, clock), current: currentFigures(agg.current, clock) };
}

/**
 * Nodes are sorted by id, edges by source then target. A node that only
 * appears as a call target (a known service with no server spans in the
 * window, i.e. down, or a virtual one) shows what its callers saw.
 * `toMs`: end of the window, for rates and the current minute.
 */
export function buildGraph(input: GraphInput, toMs: number = Number.POSITIVE_INFINITY): GraphResponse {
  const g = aggregateGraph(input, toMs);
  // Targets without their own server-side stats: their callers' view is all there is.
  const seenByCallers = new Map<string, WindowAggregate>();
  const incoming = new Map<string, WindowAggregate>();
  const sources = new Set<string>();
  for (const edge of g.edges.values()) {
    sources.add(edge.source);
    let all = incoming.get(edge.target);
    if (!all) incoming.set(edge.target, (all = new WindowAggregate()));
    mergeStats(all.total, edge.agg.total);
    mergeStats(all.current, edge.agg.current);
    if (g.nodes.has(edge.target)) continue;
    let into = seenByCallers.get(edge.target);
    if (!into) seenByCallers.set(edge.target, (into = new WindowAggregate()));
    mergeStats(into.total, edge.agg.total);
    mergeStats(into.current, edge.agg.current);
  }

  const incomingOf = (id: string): GraphNode['incoming'] => {
    const agg = incoming.get(id);
    return agg ? { ...windowFigures(agg, g.clock), retries: agg.total.retries, timeouts: agg.total.timeouts, shortCircuits: agg.total.shortCircuits } : null;
  };
  const nodes: GraphNode[] = [];
  for (const [id, agg] of g.nodes) nodes.push({ id, kind: 'service', ...windowFigures(agg, g.clock), background: agg.background, seenByCallers: false, incoming: incomingOf(id) });
  for (const [id, agg] of seenByCallers) {
    const kind = input.knownServices.has(id) || sources.has(id) ? 'service' : 'virtual';
    nodes.push({ id, kind, ...windowFigures(agg, g.clock), background: 0, seenByCallers: true, incoming: incomingOf(id) });
  }
  for (const id of sources) {
    if (!g.nodes.has(id) && !seenByCallers.has(id)) nodes.push({ id, kind: 'service', ...windowFigures(new WindowAggregate(), g.clock), background: 0, seenByCallers: false, incoming: null });
  }
  nodes.sort((a, b) => byName(a.id, b.id));

  const edges: GraphEdge[] = [...g.edges.values()]
    .map(({ source, target, agg }) => ({
      source,
      target,
      ...windowFigures(agg, g.clock),
      retries: agg.total.retries,
      timeouts: agg.total.timeouts,
      shortCircuits: agg.total.shortCircuits,
    }))
    .sort((a, b) => byName(a.source, b.source) || byName(a.target, b.target));
  return { nodes, edges };
}
