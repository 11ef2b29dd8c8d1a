// Reads of the per-minute aggregates (PostgreSQL): services, graph input, entry series, series.
// Rows of every run are returned and merged by the caller unless a namespace is asked for.
import type pg from 'pg';
import { bucketStart, type GraphInput, type ServiceSeries } from '../../analysis/index.js';
import { type DestinationConsumers, targetsOfHint } from '../graphPlan.js';
import { statsFromColumns, statsFromJson } from '../rows.js';
import { mergeBuckets, seriesOf, summarizeServices } from '../summaries.js';
import type { AggregateQuery, SeriesBucket, SeriesQuery, ServiceSummary } from '../TraceStore.js';

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;
const STATS = 'requests, errors, retries, timeouts, short_circuits, hist';

/** Bounds and namespace as `$1`…`$3`; `$3` is null for every run. */
function params(q: AggregateQuery): unknown[] {
  return [bucketStart(q.fromMs), q.toMs, q.namespace ?? null];
}
const WHERE = 'bucket_ms >= $1 AND bucket_ms <= $2 AND ($3::text IS NULL OR namespace = $3)';

export async function services(q: Query, range: AggregateQuery): Promise<ServiceSummary[]> {
  const rows = await q(`SELECT service, ${STATS} FROM node_minute WHERE ${WHERE} AND requests > 0`, params(range));
  return summarizeServices(rows.map((r) => ({ service: r.service as string, stats: statsFromColumns(r as never) })));
}

export async function graphInput(q: Query, range: AggregateQuery): Promise<GraphInput> {
  const p = params(range);
  const [nodeRows, edgeRows, pendingRows, known, consumers] = await Promise.all([
    q(`SELECT bucket_ms, service, ${STATS}, background, background_errors FROM node_minute WHERE ${WHERE}`, p),
    q(`SELECT bucket_ms, source, target, ${STATS} FROM edge_minute WHERE ${WHERE}`, p),
    q(`SELECT bucket_ms, source, hint, stats FROM pending_calls WHERE ${WHERE}`, p),
    q('SELECT name FROM services'),
    destinationConsumers(q),
  ]);
  return {
    nodes: nodeRows.map((r) => ({
      service: r.service as string, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never),
      background: Number(r.background), backgroundErrors: Number(r.background_errors),
    })),
    edges: [
      ...edgeRows.map((r) => ({ source: r.source as string, target: r.target as string, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never) })),
      ...pendingRows.flatMap((r) => targetsOfHint(r.hint as string | null, consumers).map((target) => ({ source: r.source as string, target, bucketMs: Number(r.bucket_ms), stats: statsFromJson(r.stats as string) }))),
    ],
    knownServices: new Set(known.map((k) => k.name as string)),
  };
}

export async function entrySeries(q: Query, range: AggregateQuery): Promise<ServiceSeries[]> {
  const rows = await q(
    `SELECT bucket_ms, service, entry_requests AS requests, entry_errors AS errors, 0 AS retries, 0 AS timeouts, 0 AS short_circuits, entry_hist AS hist
     FROM node_minute WHERE ${WHERE} AND entry_requests > 0`,
    params(range),
  );
  return seriesOf(rows.map((r) => ({ service: r.service as string, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never) })));
}

export async function series(q: Query, query: SeriesQuery): Promise<SeriesBucket[]> {
  const p = params(query);
  const of = query.of;
  const buckets: SeriesBucket[] = [];
  const add = (rows: Row[]) => buckets.push(...rows.map((r) => ({ bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never) })));
  if ('service' in of) {
    add(await q(`SELECT bucket_ms, ${STATS} FROM node_minute WHERE ${WHERE} AND service = $4 AND requests > 0`, [...p, of.service]));
  } else if ('source' in of || 'callersOf' in of) {
    const [target, source] = 'source' in of ? [of.target, of.source] : [of.callersOf, null];
    add(await q(`SELECT bucket_ms, ${STATS} FROM edge_minute WHERE ${WHERE} AND target = $4 AND ($5::text IS NULL OR source = $5)`, [...p, target, source]));
    // Calls still waiting for their callee count where the graph shows them (a destination's consumers included).
    const [pending, consumers] = await Promise.all([q(`SELECT bucket_ms, hint, stats FROM pending_calls WHERE ${WHERE} AND ($4::text IS NULL OR source = $4)`, [...p, source]), destinationConsumers(q)]);
    buckets.push(...pending.filter((r) => targetsOfHint(r.hint as string | null, consumers).includes(target)).map((r) => ({ bucketMs: Number(r.bucket_ms), stats: statsFromJson(r.stats as string) })));
  } else {
    // Requests entering the system; retries, timeouts and short-circuits of every call in it.
    add(await q(`SELECT bucket_ms, entry_requests AS requests, entry_errors AS errors, 0 AS retries, 0 AS timeouts, 0 AS short_circuits, entry_hist AS hist
      FROM node_minute WHERE ${WHERE} AND entry_requests > 0`, p));
    add(await q(`SELECT bucket_ms, 0 AS requests, 0 AS errors, retries, timeouts, short_circuits, '{}'::integer[] AS hist FROM edge_minute
      WHERE ${WHERE} AND retries + timeouts + short_circuits > 0`, p));
  }
  return mergeBuckets(buckets);
}

export async function destinationConsumers(q: Query): Promise<DestinationConsumers> {
  const map = new Map<string, string[]>();
  for (const r of await q('SELECT destination, service FROM destination_consumers ORDER BY destination, service LIMIT 10000')) {
    map.set(r.destination as string, [...(map.get(r.destination as string) ?? []), r.service as string]);
  }
  return map;
}
