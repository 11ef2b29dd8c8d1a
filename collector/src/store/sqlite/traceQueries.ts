// Trace reads (SQLite): lists with filters, whole traces, samples for the analysis.
import type Database from 'better-sqlite3';
import type { SpanRecord } from '../../model.js';
import { traceSummaryOf } from '../summaries.js';
import { type SampleQuery, SPREAD_SLICES, type TraceQuery, type TraceSummary } from '../TraceStore.js';

/** One slice of a time-stratified sample: its first traces, so a burst cannot crowd out the calm before it (an index range seek each). */
/** Candidate traces read per statement while a span-level filter (decoded from blocks) picks among them. */
const CANDIDATES_PER_READ = 200;

type SpanTest = (s: SpanRecord) => boolean;

/** Every span of a trace from its blocks, in write order. */
export type SpansOf = (traceId: string, resources?: Map<string, SpanRecord['resource']>, decoded?: Map<number, SpanRecord[]>) => SpanRecord[];

/** As PostgreSQL's ->> reads a JSON value: text as is, the rest as JSON text; null and absent are no value. */
function attributeText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const SPREAD_SLICE_SQL = 'SELECT trace_id FROM traces WHERE start_ms >= ? AND start_ms < ? AND (? IS NULL OR namespace = ?) ORDER BY start_ms LIMIT ?';

export function listTraces(db: Database.Database, spansOf: SpansOf, q: TraceQuery): TraceSummary[] {
  const where = ['t.start_ms >= ?', 't.start_ms <= ?'];
  const params: unknown[] = [q.fromMs, q.toMs];
  if (q.service !== undefined) {
    // Its own spans, or failed calls to it (a service that is down sends none).
    where.push("(instr(t.services, ',' || ? || ',') > 0 OR instr(t.failed_callees, ',' || ? || ',') > 0)");
    params.push(q.service, q.service);
  }
  // Span-level filters read the trace's blocks: every one must hold for some span (each its own).
  const tests: SpanTest[] = [];
  if (q.operation !== undefined) {
    const { operation, service } = q;
    tests.push(service !== undefined ? (s) => s.name === operation && s.service === service : (s) => s.name === operation);
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
    const { namespace } = q;
    tests.push((s) => attributeText(s.resource['service.namespace']) === namespace);
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
    const name = key.replace(/["\\]/g, '');
    tests.push((s) => Object.hasOwn(s.attributes, name) && attributeText(s.attributes[name]) === value);
  }
  const sql = `SELECT * FROM traces t WHERE ${where.join(' AND ')} ORDER BY t.start_ms DESC LIMIT ? OFFSET ?`;
  const stmt = db.prepare(sql);
  if (tests.length === 0) return (stmt.all(...params, q.limit, 0) as Record<string, unknown>[]).map(traceSummaryOf);
  const out: TraceSummary[] = [];
  for (let offset = 0; out.length < q.limit; offset += CANDIDATES_PER_READ) {
    const rows = stmt.all(...params, CANDIDATES_PER_READ, offset) as Record<string, unknown>[];
    for (const row of rows) {
      const spans = spansOf(String(row.trace_id));
      if (tests.every((test) => spans.some(test))) out.push(traceSummaryOf(row));
      if (out.length === q.limit) break;
    }
    if (rows.length < CANDIDATES_PER_READ) break;
  }
  return out;
}

export function getTrace(spansOf: SpansOf, traceId: string): SpanRecord[] {
  return spansOf(traceId).sort((a, b) => a.startMs - b.startMs);
}

export function sampleSpans(db: Database.Database, spansOf: SpansOf, q: SampleQuery): SpanRecord[] {
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
  const resources = new Map<string, SpanRecord['resource']>();
  // Sampled traces of one block share one inflate.
  const decoded = new Map<number, SpanRecord[]>();
  return ids.flatMap((r) => spansOf(r.trace_id, resources, decoded));
}
