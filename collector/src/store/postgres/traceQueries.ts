// Trace reads (PostgreSQL): lists with filters, whole traces, samples for the analysis.
import type { SpanRecord } from '../../model.js';
import { rowToSpan, type SpanRow } from '../rows.js';
import { traceSummaryOf } from '../summaries.js';
import { type SampleQuery, SPREAD_SLICES, type TraceQuery, type TraceSummary } from '../TraceStore.js';

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

export async function listTraces(q: Query, query: TraceQuery): Promise<TraceSummary[]> {
  const params: unknown[] = [query.fromMs, query.toMs];
  const where = ['t.start_ms >= $1', 't.start_ms <= $2'];
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (query.service !== undefined) {
    // Its own spans, or failed calls to it (a service that is down sends none).
    const s = add(query.service);
    where.push(`(position(',' || ${s} || ',' in t.services) > 0 OR position(',' || ${s} || ',' in t.failed_callees) > 0)`);
  }
  if (query.operation !== undefined) {
    const op = add(query.operation);
    where.push(
      query.service !== undefined
        ? `EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.name = ${op} AND s.service = ${add(query.service)})`
        : `EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.name = ${op})`,
    );
  }
  if (query.status === 'error') where.push('t.error_count > 0');
  if (query.status === 'ok') where.push('t.error_count = 0');
  if (query.minDurationMs !== undefined) where.push(`t.end_ms - t.start_ms >= ${add(query.minDurationMs)}`);
  if (query.maxDurationMs !== undefined) where.push(`t.end_ms - t.start_ms <= ${add(query.maxDurationMs)}`);
  if (query.namespace !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND (s.resource::jsonb ->> 'service.namespace') = ${add(query.namespace)})`);
  }
  if (query.correlationId !== undefined) where.push(`t.correlation_id = ${add(query.correlationId)}`);
  if (query.traceIds !== undefined) where.push(`t.trace_id = ANY(${add(query.traceIds)}::text[])`);
  for (const { key, value } of query.attributes ?? []) {
    where.push(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND (s.attributes::jsonb ->> ${add(key)}) = ${add(value)})`);
  }
  const rows = await q(`SELECT * FROM traces t WHERE ${where.join(' AND ')} ORDER BY t.start_ms DESC LIMIT ${add(query.limit)}`, params);
  return rows.map(traceSummaryOf);
}

export async function getTrace(q: Query, traceId: string): Promise<SpanRecord[]> {
  const rows = await q('SELECT * FROM spans WHERE trace_id = $1 ORDER BY start_ms', [traceId]);
  return (rows as unknown as SpanRow[]).map((r) => rowToSpan(r));
}

export async function sampleSpans(q: Query, query: SampleQuery): Promise<SpanRecord[]> {
  const ns = query.namespace ?? null;
  const resources = new Map<string, SpanRecord['resource']>();
  if (query.prefer === 'spread') {
    // Slices over the extent that holds data: a mostly empty range must not starve the part with traffic.
    const spread = await q(
      `WITH extent AS (SELECT min(start_ms) AS lo, ceil((max(start_ms) - min(start_ms) + 1) / $3::float8) AS slice FROM traces
                       WHERE start_ms >= $1 AND start_ms <= $2 AND ($5::text IS NULL OR namespace = $5))
       SELECT s.* FROM spans s WHERE s.trace_id IN (
         SELECT t.trace_id FROM extent e, generate_series(0, $3::int - 1) AS g(k),
           LATERAL (SELECT trace_id FROM traces WHERE start_ms >= e.lo + g.k * e.slice AND start_ms < e.lo + (g.k + 1) * e.slice
                    AND ($5::text IS NULL OR namespace = $5) ORDER BY start_ms LIMIT $4) t
         WHERE e.lo IS NOT NULL)`,
      [query.fromMs, query.toMs, SPREAD_SLICES, Math.ceil(query.maxTraces / SPREAD_SLICES), ns],
    );
    return (spread as unknown as SpanRow[]).map((r) => rowToSpan(r, resources));
  }
  const inRange = 'start_ms >= $1 AND start_ms <= $2 AND ($4::text IS NULL OR namespace = $4)';
  const rows = await q(
    query.prefer === 'recent'
      ? `SELECT s.* FROM spans s WHERE s.trace_id IN (
           SELECT trace_id FROM traces WHERE ${inRange} ORDER BY start_ms DESC LIMIT $3)`
      : `SELECT s.* FROM spans s WHERE s.trace_id IN (
           (SELECT trace_id FROM traces WHERE error_count > 0 AND ${inRange} ORDER BY start_ms DESC LIMIT $3)
           UNION ALL
           (SELECT trace_id FROM traces WHERE error_count = 0 AND ${inRange} ORDER BY start_ms DESC LIMIT $3)
           LIMIT $3)`,
    [query.fromMs, query.toMs, query.maxTraces, ns],
  );
  return (rows as unknown as SpanRow[]).map((r) => rowToSpan(r, resources));
}
