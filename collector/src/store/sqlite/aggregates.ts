// Reads of the per-minute aggregates (SQLite): services, graph input, entry series, series.
// Rows of every run are returned and merged by the caller unless a namespace is asked for.
import type Database from 'better-sqlite3';
import { bucketStart, type GraphInput, type ServiceSeries, type Stats } from '../../analysis/index.js';
import { type DestinationConsumers, targetsOfHint } from '../graphPlan.js';
import { statsFromColumns, statsFromJson } from '../rows.js';
import { mergeBuckets, seriesOf, summarizeServices } from '../summaries.js';
import type { AggregateQuery, SeriesBucket, SeriesQuery, ServiceSummary } from '../TraceStore.js';

type Row = Record<string, unknown>;
const STATS = 'requests, errors, retries, timeouts, short_circuits, hist';

/** `bucket_ms` bounds, then the namespace condition and its parameters. */
function where(q: AggregateQuery): [string, unknown[]] {
  const params: unknown[] = [bucketStart(q.fromMs), q.toMs];
  let sql = 'bucket_ms >= ? AND bucket_ms <= ?';
  if (q.namespace !== undefined) {
    sql += ' AND namespace = ?';
    params.push(q.namespace);
  }
  return [sql, params];
}

export function services(db: Database.Database, q: AggregateQuery): ServiceSummary[] {
  const [w, p] = where(q);
  const rows = db.prepare(`SELECT service, ${STATS} FROM node_minute WHERE ${w}`).all(...p) as (Row & { service: string })[];
  return summarizeServices(rows.filter((r) => Number(r.requests) > 0).map((r) => ({ service: r.service, stats: statsFromColumns(r as never) })));
}

export function graphInput(db: Database.Database, q: AggregateQuery): GraphInput {
  const [w, p] = where(q);
  const nodeRows = db.prepare(`SELECT bucket_ms, service, ${STATS}, background, background_errors FROM node_minute WHERE ${w}`).all(...p) as Row[];
  const edgeRows = db.prepare(`SELECT bucket_ms, source, target, ${STATS} FROM edge_minute WHERE ${w}`).all(...p) as Row[];
  const pendingRows = db.prepare(`SELECT bucket_ms, source, hint, stats FROM pending_calls WHERE ${w}`).all(...p) as Row[];
  const known = db.prepare('SELECT name FROM services').all() as { name: string }[];
  const consumers = destinationConsumers(db);
  return {
    nodes: nodeRows.map((r) => ({
      service: r.service as string, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never),
      background: Number(r.background), backgroundErrors: Number(r.background_errors),
    })),
    edges: [
      ...edgeRows.map((r) => ({ source: r.source as string, target: r.target as string, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never) })),
      ...pendingRows.flatMap((r) => targetsOfHint(r.hint as string | null, consumers).map((target) => ({ source: r.source as string, target, bucketMs: Number(r.bucket_ms), stats: statsFromJson(r.stats as string) }))),
    ],
    knownServices: new Set(known.map((k) => k.name)),
  };
}

export function entrySeries(db: Database.Database, q: AggregateQuery): ServiceSeries[] {
  const [w, p] = where(q);
  const rows = db
    .prepare(`SELECT bucket_ms, service, entry_requests AS requests, entry_errors AS errors, 0 AS retries, 0 AS timeouts, 0 AS short_circuits, entry_hist AS hist
      FROM node_minute WHERE ${w} AND entry_requests > 0`)
    .all(...p) as (Row & { service: string; bucket_ms: number })[];
  return seriesOf(rows.map((r) => ({ service: r.service, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never) as Stats })));
}

export function series(db: Database.Database, q: SeriesQuery): SeriesBucket[] {
  const [w, p] = where(q);
  const of = q.of;
  let rows: Row[];
  if ('service' in of) {
    rows = db.prepare(`SELECT bucket_ms, ${STATS} FROM node_minute WHERE ${w} AND service = ? AND requests > 0`).all(...p, of.service) as Row[];
  } else if ('source' in of || 'callersOf' in of) {
    const [target, source] = 'source' in of ? [of.target, of.source] : [of.callersOf, null];
    rows = db.prepare(`SELECT bucket_ms, ${STATS} FROM edge_minute WHERE ${w} AND target = ? AND (? IS NULL OR source = ?)`).all(...p, target, source, source) as Row[];
    // Calls still waiting for their callee count where the graph shows them (a destination's consumers included).
    const consumers = destinationConsumers(db);
    rows.push(
      ...(db.prepare(`SELECT bucket_ms, hint, stats FROM pending_calls WHERE ${w} AND (? IS NULL OR source = ?)`).all(...p, source, source) as Row[])
        .filter((r) => targetsOfHint(r.hint as string | null, consumers).includes(target))
        .map((r) => ({ bucket_ms: r.bucket_ms, pending: statsFromJson(r.stats as string) })),
    );
  } else {
    // Requests entering the system; retries, timeouts and short-circuits of every call in it.
    rows = db.prepare(`SELECT bucket_ms, entry_requests AS requests, entry_errors AS errors, 0 AS retries, 0 AS timeouts, 0 AS short_circuits, entry_hist AS hist
      FROM node_minute WHERE ${w} AND entry_requests > 0`).all(...p) as Row[];
    rows.push(...(db.prepare(`SELECT bucket_ms, 0 AS requests, 0 AS errors, retries, timeouts, short_circuits, '[]' AS hist FROM edge_minute
      WHERE ${w} AND retries + timeouts + short_circuits > 0`).all(...p) as Row[]));
  }
  return mergeBuckets(rows.map((r) => ({ bucketMs: Number(r.bucket_ms), stats: (r.pending as Stats | undefined) ?? statsFromColumns(r as never) })));
}

export function destinationConsumers(db: Database.Database): DestinationConsumers {
  const map = new Map<string, string[]>();
  for (const r of db.prepare('SELECT destination, service FROM destination_consumers ORDER BY destination, service LIMIT 10000').all() as { destination: string; service: string }[]) {
    map.set(r.destination, [...(map.get(r.destination) ?? []), r.service]);
  }
  return map;
}
