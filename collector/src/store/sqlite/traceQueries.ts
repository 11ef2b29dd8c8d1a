// Trace reads (SQLite): lists with filters, whole traces, samples for the analysis.
import type Database from 'better-sqlite3';
import type { SpanRecord } from '../../model.js';
import { rowArrayToSpan, rowToSpan, type SpanRow, type SpanRowArray } from '../rows.js';
import { traceSummaryOf } from '../summaries.js';
import { type SampleQuery, SPREAD_SLICES, type TraceQuery, type TraceSummary } from '../TraceStore.js';

/** One slice of a time-stratified sample: its first traces, so a burst cannot crowd out the calm before it (an index range seek each). */
const SPREAD_SLICE_SQL = 'SELECT trace_id FROM traces WHERE start_ms >= ? AND start_ms < ? AND (? IS NULL OR namespace = ?) ORDER BY start_ms LIMIT ?';

export function listTraces(db: Database.Database, q: TraceQuery): TraceSummary[] {
  const where = ['t.start_ms >= ?', 't.start_ms <= ?'];
  const params: unknown[] = [q.fromMs, q.toMs];
  if (q.service !== undefined) {
    // Its own spans, or failed calls to it (a service that is down sends none).
    where.push("(instr(t.services, ',' || ? || ',') > 0 OR instr(t.failed_callees, ',' || ? || ',') > 0)");
    params.push(q.service, q.service);
  }
  if (q.operation !== undefined) {
    if (q.service !== undefined) {
      where.push('EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.name = ? AND s.service = ?)');
      params.push(q.operation, q.service);
    } else {
      where.push('EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.name = ?)');
      params.push(q.operation);
    }
  }
  if (q.status === 'error') where.push('t.error_count > 0');
  if (q.status === 'ok') where.push('t.error_count = 0');
  if (q.minDurationMs !== undefined) {
    where.push('t.end_ms - t.start_ms >= ?');
    params.push(q.minDurationMs);
  }
  if (q.maxDurationMs !== undefined) {
    where.push('t.end_ms - t.start_ms <= ?');
    params.push(q.maxDurationMs);
  }
  if (q.namespace !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND json_extract(s.resource, '$."service.namespace"') = ?)`);
    params.push(q.namespace);
  }
  if (q.correlationId !== undefined) {
    where.push('t.correlation_id = ?');
    params.push(q.correlationId);
  }
  if (q.traceIds !== undefined) {
    where.push('t.trace_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(q.traceIds));
  }
  for (const { key, value } of q.attributes ?? []) {
    // As text, like PostgreSQL's ->>: booleans read 'true' / 'false', not 1 / 0.
    where.push(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND
      (CASE json_type(s.attributes, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(s.attributes, ?) AS TEXT) END) = ?)`);
    const path = `$."${key.replace(/["\\]/g, '')}"`;
    params.push(path, path, value);
  }
  params.push(q.limit);
  const rows = db.prepare(`SELECT * FROM traces t WHERE ${where.join(' AND ')} ORDER BY t.start_ms DESC LIMIT ?`).all(...params) as Record<string, unknown>[];
  return rows.map(traceSummaryOf);
}

export function getTrace(db: Database.Database, traceId: string): SpanRecord[] {
  const rows = db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ms').all(traceId) as SpanRow[];
  return rows.map((r) => rowToSpan(r));
}

export function sampleSpans(db: Database.Database, sampleRows: Database.Statement, q: SampleQuery): SpanRecord[] {
  // Failing traces first (partial index), then the most recent: both walk an index, no sort of the window.
  const ids: { trace_id: string }[] = [];
  const ns = q.namespace ?? null;
  if (q.prefer === 'spread') {
    // Slices over the extent that holds data: a mostly empty range must not starve the part with traffic.
    const extent = db.prepare('SELECT min(start_ms) AS lo, max(start_ms) AS hi FROM traces WHERE start_ms >= ? AND start_ms <= ? AND (? IS NULL OR namespace = ?)').get(q.fromMs, q.toMs, ns, ns) as { lo: number | null; hi: number | null };
    if (extent.lo !== null && extent.hi !== null) {
      const sliceMs = Math.max(1, Math.ceil((extent.hi - extent.lo + 1) / SPREAD_SLICES));
      const perSlice = Math.ceil(q.maxTraces / SPREAD_SLICES);
      const slice = db.prepare(SPREAD_SLICE_SQL);
      for (let k = 0; k < SPREAD_SLICES; k++) {
        const lo = extent.lo + k * sliceMs;
        ids.push(...(slice.all(lo, lo + sliceMs, ns, ns, perSlice) as { trace_id: string }[]));
      }
    }
  } else if (q.prefer !== 'recent') {
    ids.push(...(db.prepare('SELECT trace_id FROM traces WHERE error_count > 0 AND start_ms >= ? AND start_ms <= ? AND (? IS NULL OR namespace = ?) ORDER BY start_ms DESC LIMIT ?').all(q.fromMs, q.toMs, ns, ns, q.maxTraces) as { trace_id: string }[]));
  }
  if (ids.length < q.maxTraces && q.prefer !== 'spread') {
    const more = q.prefer === 'recent'
      ? 'SELECT trace_id FROM traces WHERE start_ms >= ? AND start_ms <= ? AND (? IS NULL OR namespace = ?) ORDER BY start_ms DESC LIMIT ?'
      : 'SELECT trace_id FROM traces WHERE error_count = 0 AND start_ms >= ? AND start_ms <= ? AND (? IS NULL OR namespace = ?) ORDER BY start_ms DESC LIMIT ?';
    ids.push(...(db.prepare(more).all(q.fromMs, q.toMs, ns, ns, q.maxTraces - ids.length) as { trace_id: string }[]));
  }
  if (ids.length === 0) return [];
  // One statement for the whole sample (not one per trace); json_each drives the loop, so rows come grouped by trace in sample order.
  const rows = sampleRows.all(JSON.stringify(ids.map((r) => r.trace_id))) as SpanRowArray[];
  const resources = new Map<string, SpanRecord['resource']>();
  return rows.map((r) => rowArrayToSpan(r, resources));
}
