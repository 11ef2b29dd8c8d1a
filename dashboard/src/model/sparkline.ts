// Sparkline paths for map nodes and edges: requests and errors per step of a /api/series answer,
// on one scale so the error line sits under the request line it belongs to.
import type { SeriesAnswerPoint } from '../api/types.js';

export interface Sparkline {
  requests: string;
  errors: string;
  /** Largest requests per step, for the tooltip. */
  maxRequests: number;
  anyErrors: boolean;
}

/** SVG paths inside a `widthPx` × `heightPx` box; null when there is nothing to draw. */
export function sparklinePaths(points: readonly Pick<SeriesAnswerPoint, 'startMs' | 'requests' | 'errors'>[], widthPx: number, heightPx: number): Sparkline | null {
  if (points.length === 0 || widthPx <= 0 || heightPx <= 0) return null;
  const sorted = [...points].sort((a, b) => a.startMs - b.startMs);
  const max = Math.max(0, ...sorted.map((p) => Math.max(p.requests, p.errors)));
  const step = sorted.length > 1 ? widthPx / (sorted.length - 1) : 0;
  const y = (v: number) => (max > 0 ? heightPx - (v / max) * heightPx : heightPx);
  const path = (pick: (p: (typeof sorted)[number]) => number) =>
    sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${+(i * step).toFixed(1)},${+y(pick(p)).toFixed(1)}`).join(' ') + (sorted.length === 1 ? ` L${widthPx},${+y(pick(sorted[0]!)).toFixed(1)}` : '');
  return { requests: path((p) => p.requests), errors: path((p) => p.errors), maxRequests: max, anyErrors: sorted.some((p) => p.errors > 0) };
}

/** Sparklines of the map's nodes (by id: the node's inner width) and edges (by key: beside the p95 line). */
export function mapSparklines(
  layout: { nodes: readonly { id: string; width: number }[]; edges: readonly { key: string }[] },
  series: ReadonlyMap<string, readonly Pick<SeriesAnswerPoint, 'startMs' | 'requests' | 'errors'>[]>,
  geometry: { sparklineWidthPx: number; sparklineHeightPx: number; nodePaddingPx: number },
): Map<string, Sparkline> {
  const out = new Map<string, Sparkline>();
  const add = (id: string, widthPx: number) => {
    const s = series.get(id);
    const p = s ? sparklinePaths(s, widthPx, geometry.sparklineHeightPx) : null;
    if (p) out.set(id, p);
  };
  for (const n of layout.nodes) add(n.id, n.width - geometry.nodePaddingPx * 2);
  for (const e of layout.edges) add(e.key, geometry.sparklineWidthPx);
  return out;
}
