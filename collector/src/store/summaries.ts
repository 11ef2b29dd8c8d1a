// Shared shaping of query answers from stored aggregates.
import { emptyStats, mergeStats, redFigures, type ServiceSeries, type Stats } from '../analysis/index.js';
import type { ServiceSummary, TraceSummary } from './TraceStore.js';

export function summarizeServices(rows: readonly { service: string; stats: Stats }[]): ServiceSummary[] {
  const byService = new Map<string, Stats>();
  for (const r of rows) {
    const s = byService.get(r.service) ?? emptyStats();
    mergeStats(s, r.stats);
    byService.set(r.service, s);
  }
  return [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, s]) => ({ name, ...redFigures(s) }));
}

export function seriesOf(rows: readonly { service: string; bucketMs: number; stats: Stats }[]): ServiceSeries[] {
  const byService = new Map<string, { startMs: number; stats: Stats }[]>();
  for (const r of rows) {
    const points = byService.get(r.service) ?? [];
    points.push({ startMs: r.bucketMs, stats: r.stats });
    byService.set(r.service, points);
  }
  return [...byService.entries()].map(([service, points]) => ({ service, points: points.sort((a, b) => a.startMs - b.startMs) }));
}

/** A `traces` row (either backend) as the API's trace summary. */
export function traceSummaryOf(r: Record<string, unknown>): TraceSummary {
  const services = Array.isArray(r.services) ? (r.services as string[]) : String(r.services ?? '').split(',').filter(Boolean);
  const startMs = Number(r.start_ms);
  return {
    traceId: r.trace_id as string,
    rootService: (r.root_service as string | null) ?? services[0] ?? 'unknown_service',
    rootOperation: (r.root_operation as string | null) ?? '',
    startMs,
    durationMs: Math.max(0, Number(r.end_ms) - startMs),
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    services,
  };
}
