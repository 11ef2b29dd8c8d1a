// Shared shaping of query answers from stored aggregates.
import { emptyStats, mergeStats, redFigures, type ServiceSeries, type Stats } from '../analysis/index.js';
import type { BreakerTransition, StoredAnnotation } from '../analysis/faultAnnotations.js';
import type { Attributes } from '../model.js';
import type { SeriesBucket, ServiceSummary, TraceSummary } from './TraceStore.js';

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

/** Adds up rows of the same minute (several runs, pending calls): one bucket per minute, by time. */
export function mergeBuckets(rows: readonly SeriesBucket[]): SeriesBucket[] {
  const byMinute = new Map<number, Stats>();
  for (const r of rows) {
    const s = byMinute.get(r.bucketMs) ?? emptyStats();
    mergeStats(s, r.stats);
    byMinute.set(r.bucketMs, s);
  }
  return [...byMinute.entries()].sort(([a], [b]) => a - b).map(([bucketMs, stats]) => ({ bucketMs, stats }));
}

function parseAttributes(v: unknown): Attributes {
  if (v && typeof v === 'object') return v as Attributes;
  try {
    const parsed = JSON.parse(String(v ?? '{}')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Attributes) : {};
  } catch {
    return {};
  }
}

/** An `annotations` row (either backend) as a stored annotation. */
export function annotationOfRow(r: Record<string, unknown>): StoredAnnotation {
  const a: StoredAnnotation = {
    id: String(r.id), timeMs: Number(r.time_ms), kind: String(r.kind), text: String(r.text),
    attributes: parseAttributes(r.attributes), namespace: String(r.namespace ?? ''), origin: r.origin === 'api' ? 'api' : 'ingest',
  };
  if (r.end_ms !== null && r.end_ms !== undefined) a.endMs = Number(r.end_ms);
  if (r.service !== null && r.service !== undefined) a.service = String(r.service);
  return a;
}

export function transitionOfRow(r: Record<string, unknown>): BreakerTransition {
  return {
    traceId: String(r.trace_id), spanId: String(r.span_id), seq: Number(r.seq), timeMs: Number(r.time_ms), service: String(r.service),
    breaker: String(r.breaker), target: String(r.target), from: String(r.from_state), to: String(r.to_state), namespace: String(r.namespace ?? ''),
  };
}
