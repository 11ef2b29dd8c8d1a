import { collectorApi, type TimeWindow } from '../api/collector.js';
import type { Graph, SeriesAnswerPoint } from '../api/types.js';
import { edgeKey } from '../model/graphLayout.js';
import { mapLimited, useApi } from './useApi.js';

/** Nodes and edges that get a sparkline (busiest first); one /api/series call each. */
export const SPARKLINES_MAX = 48;
const SPARKLINE_CONCURRENCY = 4;
/** About this many points per sparkline, whatever the range. */
const SPARKLINE_POINTS = 30;
const MINUTE_MS = 60_000;

/** Per-step points of each node (by id) and edge (by edgeKey) of the graph, from /api/series. */
export function useSparklineSeries(graph: Graph | undefined, window: TimeWindow, rangeKey: string, tick: number) {
  const subjects = graph
    ? [
        ...graph.nodes.filter((n) => n.kind === 'service').map((n) => ({ key: n.id, weight: n.requests, subject: { service: n.id } })),
        ...graph.edges.map((e) => ({ key: edgeKey(e.source, e.target), weight: e.requests, subject: { source: e.source, target: e.target } })),
      ]
        .sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key))
        .slice(0, SPARKLINES_MAX)
    : [];
  const idKey = subjects.map((s) => s.key).join('|');
  const stepMs = MINUTE_MS * Math.max(1, Math.ceil((window.toMs - window.fromMs) / MINUTE_MS / SPARKLINE_POINTS));
  return useApi(graph ? `sparklines:${rangeKey}:${idKey}` : null, tick, async (signal) => {
    const answers = await mapLimited(subjects, SPARKLINE_CONCURRENCY, (s) => collectorApi.series({ ...window, stepMs }, s.subject, signal).catch(() => null), signal);
    const out = new Map<string, SeriesAnswerPoint[]>();
    subjects.forEach((s, i) => {
      const a = answers[i];
      if (a) out.set(s.key, a.points);
    });
    return out;
  });
}
