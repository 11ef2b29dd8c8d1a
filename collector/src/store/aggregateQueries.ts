// Reads of the per-minute aggregates, written once for both backends: services, graph input,
// entry series, series and the runs that hold data. A backend says how it runs a query and
// where its SQL differs (parameter placeholders, an empty histogram). Rows of every run are
// returned and merged here unless a namespace is asked for.
import { bucketStart, type GraphInput, type ServiceSeries } from '../analysis/index.js';
import { type DestinationConsumers, targetsOfHint } from './graphPlan.js';
import { statsFromColumns, statsFromJson } from './rows.js';
import { mergeBuckets, seriesOf, summarizeServices } from './summaries.js';
import type { AggregateQuery, NamespaceQuery, NamespaceSummary, SeriesBucket, SeriesQuery, ServiceSummary } from './TraceStore.js';

type Row = Record<string, unknown>;

export interface AggregateReader {
  all(sql: string, params: unknown[]): Promise<Row[]>;
  /** The n-th parameter (from 1): `$n` in PostgreSQL, `?` in SQLite. */
  param(n: number): string;
  /** An empty histogram as a column value. */
  emptyHist: string;
}

const STATS = 'requests, errors, retries, timeouts, short_circuits, hist';
const ENTRY_STATS = 'entry_requests AS requests, entry_errors AS errors, 0 AS retries, 0 AS timeouts, 0 AS short_circuits, entry_hist AS hist';
export const CONSUMERS_SQL = 'SELECT destination, service FROM destination_consumers ORDER BY destination, service LIMIT 10000';

/** The range's minutes (and run, when asked), then `extra` conditions whose value is set. */
function where(r: AggregateReader, q: AggregateQuery, ...extra: [string, unknown][]): [string, unknown[]] {
  const conditions: [string, unknown][] = [['bucket_ms >=', bucketStart(q.fromMs)], ['bucket_ms <=', q.toMs]];
  if (q.namespace !== undefined) conditions.push(['namespace =', q.namespace]);
  conditions.push(...extra.filter(([, v]) => v !== null && v !== undefined));
  return [conditions.map(([c], i) => `${c} ${r.param(i + 1)}`).join(' AND '), conditions.map(([, v]) => v)];
}

const statsOf = (row: Row) => statsFromColumns(row as never);
const bucketOf = (row: Row): SeriesBucket => ({ bucketMs: Number(row.bucket_ms), stats: statsOf(row) });

export function consumersOf(rows: readonly Row[]): DestinationConsumers {
  const map = new Map<string, string[]>();
  for (const row of rows) map.set(String(row.destination), [...(map.get(String(row.destination)) ?? []), String(row.service)]);
  return map;
}

export async function services(r: AggregateReader, q: AggregateQuery): Promise<ServiceSummary[]> {
  const [w, p] = where(r, q);
  const rows = await r.all(`SELECT service, ${STATS} FROM node_minute WHERE ${w} AND requests > 0`, p);
  return summarizeServices(rows.map((row) => ({ service: String(row.service), stats: statsOf(row) })));
}

export async function graphInput(r: AggregateReader, q: AggregateQuery): Promise<GraphInput> {
  const [w, p] = where(r, q);
  const [nodeRows, edgeRows, pendingRows, known, consumers] = await Promise.all([
    r.all(`SELECT bucket_ms, service, ${STATS}, background, background_errors FROM node_minute WHERE ${w}`, p),
    r.all(`SELECT bucket_ms, source, target, ${STATS} FROM edge_minute WHERE ${w}`, p),
    r.all(`SELECT bucket_ms, source, hint, stats FROM pending_calls WHERE ${w}`, p),
    r.all('SELECT name FROM services', []),
    r.all(CONSUMERS_SQL, []).then(consumersOf),
  ]);
  return {
    nodes: nodeRows.map((row) => ({
      service: String(row.service), bucketMs: Number(row.bucket_ms), stats: statsOf(row),
      background: Number(row.background), backgroundErrors: Number(row.background_errors),
    })),
    edges: [
      ...edgeRows.map((row) => ({ source: String(row.source), target: String(row.target), bucketMs: Number(row.bucket_ms), stats: statsOf(row) })),
      ...pendingRows.flatMap((row) => targetsOfHint(row.hint as string | null, consumers).map((target) => ({
        source: String(row.source), target, bucketMs: Number(row.bucket_ms), stats: statsFromJson(row.stats as string),
      }))),
    ],
    knownServices: new Set(known.map((k) => String(k.name))),
  };
}

export async function entrySeries(r: AggregateReader, q: AggregateQuery): Promise<ServiceSeries[]> {
  const [w, p] = where(r, q);
  const rows = await r.all(`SELECT bucket_ms, service, ${ENTRY_STATS} FROM node_minute WHERE ${w} AND entry_requests > 0`, p);
  return seriesOf(rows.map((row) => ({ service: String(row.service), ...bucketOf(row) })));
}

export async function series(r: AggregateReader, q: SeriesQuery): Promise<SeriesBucket[]> {
  const of = q.of;
  const buckets: SeriesBucket[] = [];
  if ('service' in of) {
    const [w, p] = where(r, q, ['service =', of.service]);
    buckets.push(...(await r.all(`SELECT bucket_ms, ${STATS} FROM node_minute WHERE ${w} AND requests > 0`, p)).map(bucketOf));
  } else if ('source' in of || 'callersOf' in of) {
    const [target, source] = 'source' in of ? [of.target, of.source] : [of.callersOf, null];
    const [w, p] = where(r, q, ['target =', target], ['source =', source]);
    buckets.push(...(await r.all(`SELECT bucket_ms, ${STATS} FROM edge_minute WHERE ${w}`, p)).map(bucketOf));
    // Calls still waiting for their callee count where the graph shows them (a destination's consumers included).
    const [pw, pp] = where(r, q, ['source =', source]);
    const [pending, consumers] = await Promise.all([r.all(`SELECT bucket_ms, hint, stats FROM pending_calls WHERE ${pw}`, pp), r.all(CONSUMERS_SQL, []).then(consumersOf)]);
    buckets.push(...pending
      .filter((row) => targetsOfHint(row.hint as string | null, consumers).includes(target))
      .map((row) => ({ bucketMs: Number(row.bucket_ms), stats: statsFromJson(row.stats as string) })));
  } else {
    // Requests entering the system; retries, timeouts and short-circuits of every call in it.
    const [w, p] = where(r, q);
    buckets.push(...(await r.all(`SELECT bucket_ms, ${ENTRY_STATS} FROM node_minute WHERE ${w} AND entry_requests > 0`, p)).map(bucketOf));
    buckets.push(...(await r.all(`SELECT bucket_ms, 0 AS requests, 0 AS errors, retries, timeouts, short_circuits, ${r.emptyHist} AS hist
      FROM edge_minute WHERE ${w} AND retries + timeouts + short_circuits > 0`, p)).map(bucketOf));
  }
  return mergeBuckets(buckets);
}

/** Each table gives its newest `limit` runs; a run's minutes are those of both tables. */
export async function namespaces(r: AggregateReader, q: NamespaceQuery): Promise<NamespaceSummary[]> {
  const [w, p] = where(r, { fromMs: q.fromMs, toMs: q.toMs });
  const grouped = (table: string, requests: string) => r.all(
    `SELECT namespace, min(bucket_ms) AS first_ms, max(bucket_ms) AS last_ms, ${requests} AS requests FROM ${table}
     WHERE ${w} AND namespace <> '' GROUP BY namespace ORDER BY last_ms DESC, namespace LIMIT ${Math.max(0, Math.floor(q.limit))}`, p);
  const runs = new Map<string, NamespaceSummary>();
  for (const row of [...(await grouped('node_minute', 'sum(requests)')), ...(await grouped('edge_minute', '0'))]) {
    const namespace = String(row.namespace);
    const seen = runs.get(namespace);
    const firstMs = Number(row.first_ms);
    const lastMs = Number(row.last_ms);
    const requests = Number(row.requests);
    runs.set(namespace, seen
      ? { namespace, firstMs: Math.min(seen.firstMs, firstMs), lastMs: Math.max(seen.lastMs, lastMs), requests: seen.requests + requests }
      : { namespace, firstMs, lastMs, requests });
  }
  return [...runs.values()].sort((a, b) => b.lastMs - a.lastMs || (a.namespace < b.namespace ? -1 : 1)).slice(0, q.limit);
}
