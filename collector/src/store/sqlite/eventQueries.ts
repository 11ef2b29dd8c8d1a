// Annotations and breaker transitions (SQLite): written at ingest or by POST, read by time.
import type Database from 'better-sqlite3';
import type { BreakerTransition, StoredAnnotation } from '../../analysis/faultAnnotations.js';
import { annotationOfRow, transitionOfRow } from '../summaries.js';
import type { AnnotationQuery, BreakerQuery } from '../TraceStore.js';

const UPSERT_ANNOTATION = `INSERT INTO annotations (id, time_ms, end_ms, kind, service, text, attributes, namespace, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET time_ms = min(time_ms, excluded.time_ms),
    end_ms = CASE WHEN end_ms IS NULL AND excluded.end_ms IS NULL THEN NULL ELSE max(coalesce(end_ms, time_ms), coalesce(excluded.end_ms, excluded.time_ms)) END`;
const INSERT_TRANSITION = `INSERT OR IGNORE INTO breaker_transitions (trace_id, span_id, seq, time_ms, service, breaker, target, from_state, to_state, namespace)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function upsertAnnotations(db: Database.Database, list: readonly StoredAnnotation[]): void {
  if (list.length === 0) return;
  const stmt = db.prepare(UPSERT_ANNOTATION);
  for (const a of list) stmt.run(a.id, a.timeMs, a.endMs ?? null, a.kind, a.service ?? null, a.text, JSON.stringify(a.attributes), a.namespace, a.origin);
}

export function insertTransitions(db: Database.Database, list: readonly BreakerTransition[]): void {
  if (list.length === 0) return;
  const stmt = db.prepare(INSERT_TRANSITION);
  for (const t of list) stmt.run(t.traceId, t.spanId, t.seq, t.timeMs, t.service, t.breaker, t.target, t.from, t.to, t.namespace);
}

export function annotations(db: Database.Database, q: AnnotationQuery): StoredAnnotation[] {
  // An annotation starting before `from` still shows when it lasts into the range; none lasts longer than the widest query window.
  const rows = db
    .prepare(`SELECT * FROM annotations WHERE time_ms <= ? AND time_ms >= ? AND coalesce(end_ms, time_ms) >= ? AND (? IS NULL OR namespace = ?) ORDER BY time_ms LIMIT ?`)
    .all(q.toMs, q.fromMs - 31 * 86_400_000, q.fromMs, q.namespace ?? null, q.namespace ?? null, q.limit) as Record<string, unknown>[];
  return rows.map(annotationOfRow);
}

export function breakerTransitions(db: Database.Database, q: BreakerQuery): BreakerTransition[] {
  const rows = db
    .prepare(`SELECT * FROM breaker_transitions WHERE time_ms >= ? AND time_ms <= ? AND (? IS NULL OR service = ?) AND (? IS NULL OR namespace = ?) ORDER BY time_ms LIMIT ?`)
    .all(q.fromMs, q.toMs, q.service ?? null, q.service ?? null, q.namespace ?? null, q.namespace ?? null, q.limit) as Record<string, unknown>[];
  return rows.map(transitionOfRow);
}

export function pruneEvents(db: Database.Database, cutoffMs: number): void {
  db.prepare('DELETE FROM annotations WHERE coalesce(end_ms, time_ms) < ?').run(cutoffMs);
  db.prepare('DELETE FROM breaker_transitions WHERE time_ms < ?').run(cutoffMs);
}
