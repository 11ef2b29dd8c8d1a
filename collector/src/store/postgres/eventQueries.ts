// Annotations and breaker transitions (PostgreSQL): written at ingest or by POST, read by time.
import type pg from 'pg';
import type { BreakerTransition, StoredAnnotation } from '../../analysis/faultAnnotations.js';
import { annotationOfRow, transitionOfRow } from '../summaries.js';
import type { AnnotationQuery, BreakerQuery } from '../TraceStore.js';

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;
/** Widest query window: an annotation older than this before `from` is not looked for. */
const LOOKBACK_MS = 31 * 86_400_000;

export async function upsertAnnotations(client: pg.PoolClient | pg.Pool, list: readonly StoredAnnotation[]): Promise<void> {
  if (list.length === 0) return;
  // Id order: collectors adding to the same rows wait on each other in one order, never deadlock.
  const rows = [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((a) => ({
    id: a.id, time_ms: a.timeMs, end_ms: a.endMs ?? null, kind: a.kind, service: a.service ?? null, text: a.text,
    attributes: JSON.stringify(a.attributes), namespace: a.namespace, origin: a.origin,
  }));
  await client.query(
    `INSERT INTO annotations (id, time_ms, end_ms, kind, service, text, attributes, namespace, origin)
     SELECT DISTINCT ON (id) * FROM json_to_recordset($1::json) AS r(id text, time_ms double precision, end_ms double precision, kind text, service text,
       text text, attributes text, namespace text, origin text)
     ON CONFLICT (id) DO UPDATE SET time_ms = least(annotations.time_ms, excluded.time_ms),
       end_ms = CASE WHEN annotations.end_ms IS NULL AND excluded.end_ms IS NULL THEN NULL
         ELSE greatest(coalesce(annotations.end_ms, annotations.time_ms), coalesce(excluded.end_ms, excluded.time_ms)) END`,
    [JSON.stringify(rows)],
  );
}

export async function insertTransitions(client: pg.PoolClient, list: readonly BreakerTransition[]): Promise<void> {
  if (list.length === 0) return;
  await client.query(
    `INSERT INTO breaker_transitions (trace_id, span_id, seq, time_ms, service, breaker, target, from_state, to_state, namespace)
     SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, span_id text, seq integer, time_ms double precision, service text,
       breaker text, target text, from_state text, to_state text, namespace text)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(list.map((t) => ({
      trace_id: t.traceId, span_id: t.spanId, seq: t.seq, time_ms: t.timeMs, service: t.service, breaker: t.breaker, target: t.target,
      from_state: t.from, to_state: t.to, namespace: t.namespace,
    })))],
  );
}

export async function annotations(q: Query, query: AnnotationQuery): Promise<StoredAnnotation[]> {
  const rows = await q(
    `SELECT * FROM annotations WHERE time_ms <= $1 AND time_ms >= $2 AND coalesce(end_ms, time_ms) >= $3 AND ($4::text IS NULL OR namespace = $4)
     ORDER BY time_ms LIMIT $5`,
    [query.toMs, query.fromMs - LOOKBACK_MS, query.fromMs, query.namespace ?? null, query.limit],
  );
  return rows.map(annotationOfRow);
}

export async function breakerTransitions(q: Query, query: BreakerQuery): Promise<BreakerTransition[]> {
  const rows = await q(
    `SELECT * FROM breaker_transitions WHERE time_ms >= $1 AND time_ms <= $2 AND ($3::text IS NULL OR service = $3) AND ($4::text IS NULL OR namespace = $4)
     ORDER BY time_ms LIMIT $5`,
    [query.fromMs, query.toMs, query.service ?? null, query.namespace ?? null, query.limit],
  );
  return rows.map(transitionOfRow);
}

export async function pruneEvents(client: pg.PoolClient, cutoffMs: number): Promise<void> {
  await client.query('DELETE FROM annotations WHERE coalesce(end_ms, time_ms) < $1', [cutoffMs]);
  await client.query('DELETE FROM breaker_transitions WHERE time_ms < $1', [cutoffMs]);
}
