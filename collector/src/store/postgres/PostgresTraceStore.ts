// PostgreSQL storage. Several collectors may share one database: every write is one
// transaction whose aggregate upserts add to existing rows (never read-modify-write in
// JS), rows are touched in a fixed key order to avoid deadlocks, and expired pending
// calls are claimed with DELETE … RETURNING so exactly one collector resolves each.
import pg from 'pg';
import { bucketStart, type GraphInput, type ServiceSeries } from '../../analysis/index.js';
import type { BreakerTransition, StoredAnnotation } from '../../analysis/faultAnnotations.js';
import type { SpanRecord } from '../../model.js';
import { type AttemptAlias, consumedDestinations, type EdgeDelta, type PairingLookup, type PendingCall, planExpiredEdges, planGraphWrites, type ServerHalf, type SpanKey } from '../graphPlan.js';
import { deliveryOfRow, statsFromJson } from '../rows.js';
import { sideRecords, splitRecorderSpans } from '../sidePlan.js';
import {
  type AggregateQuery,
  type AnnotationQuery,
  type BreakerQuery,
  DEFAULT_PENDING_EDGE_MS,
  type InsertResult,
  type NamespaceQuery,
  type NamespaceSummary,
  PAIRING_MEMORY_MS,
  type SampleQuery,
  type SeriesBucket,
  type SeriesQuery,
  type ServiceSummary,
  type StoreOptions,
  type TraceQuery,
  type TraceStore,
  type TraceSummary,
} from '../TraceStore.js';
import * as aggregates from '../aggregateQueries.js';
import { postgresReader } from './aggregates.js';
import * as events from './eventQueries.js';
import { migrate, quoteSchema } from './migrations.js';
import * as traces from './traceQueries.js';
import { copySpans, prepareSpanCopy } from './spanCopy.js';

export interface PostgresStoreOptions extends StoreOptions {
  connectionString: string;
  /** Schema holding Faultline's tables. Default 'public'. */
  schema?: string;
  /** Pool size. Default 4. */
  poolMax?: number;
}

type Row = Record<string, unknown>;

function keysJson(keys: readonly SpanKey[]): string {
  return JSON.stringify(keys.map((k) => ({ t: k.traceId, s: k.spanId })));
}

export class PostgresTraceStore implements TraceStore {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly pendingEdgeMs: number;
  private closed = false;
  /** Services that sent CONSUMER spans: only their SERVER spans can be a delivery's second view. */
  private readonly consumerServices = new Set<string>();

  private constructor(pool: pg.Pool, pendingEdgeMs: number) {
    this.pool = pool;
    this.pendingEdgeMs = pendingEdgeMs;
  }

  /** Connects, applies migrations, and returns a ready store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresTraceStore> {
    const schema = options.schema ?? 'public';
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 4,
      options: `-c search_path=${quoteSchema(schema)}`,
      connectionTimeoutMillis: 10_000,
    });
    // A broken idle connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      await migrate(client, schema);
    } finally {
      client.release();
    }
    return new PostgresTraceStore(pool, options.pendingEdgeMs ?? DEFAULT_PENDING_EDGE_MS);
  }

  private lookupWith(client: pg.PoolClient): PairingLookup {
    const toAlias = (r: Row): AttemptAlias => ({ traceId: r.trace_id as string, spanId: r.span_id as string, callSpanId: r.call_span_id as string, receivedMs: Number(r.received_ms) });
    const by = async (sql: string, keys: readonly SpanKey[]) => (keys.length ? (await client.query(sql, [keysJson(keys)])).rows : []);
    return {
      aliasesByAttempt: async (keys) =>
        (await by('SELECT a.* FROM attempt_aliases a JOIN json_to_recordset($1::json) k(t text, s text) ON a.trace_id = k.t AND a.span_id = k.s', keys)).map(toAlias),
      aliasesByCall: async (keys) =>
        (await by('SELECT a.* FROM attempt_aliases a JOIN json_to_recordset($1::json) k(t text, s text) ON a.trace_id = k.t AND a.call_span_id = k.s', keys)).map(toAlias),
      // Locked (in key order): a collector resolving expired calls skips them, and one that
      // claimed a call first makes this read wait and then miss it, so no call gets two edges.
      pendingCalls: async (keys) =>
        (await by(`SELECT p.* FROM pending_calls p JOIN json_to_recordset($1::json) k(t text, s text) ON p.trace_id = k.t AND p.span_id = k.s
                   ORDER BY p.trace_id, p.span_id FOR UPDATE OF p`, keys)).map(toPending),
      serversByCaller: async (keys) =>
        (await by('SELECT h.* FROM server_halves h JOIN json_to_recordset($1::json) k(t text, s text) ON h.trace_id = k.t AND h.caller_span_id = k.s', keys)).map(toServer),
      deliverySpans: async (keys) =>
        keys.length === 0 ? [] : (await client.query(
          `SELECT s.trace_id, s.span_id, s.parent_span_id, s.service, s.kind FROM spans s JOIN json_to_recordset($1::json) k(t text, v text)
           ON s.trace_id = k.t AND s.service = k.v WHERE s.kind IN ('server', 'consumer')`,
          [JSON.stringify(keys.map((k) => ({ t: k.traceId, v: k.service })))],
        )).rows.map(deliveryOfRow),
    };
  }

  private async applyEdges(client: pg.PoolClient, edges: readonly EdgeDelta[]): Promise<void> {
    if (!edges.length) return;
    const rows = edges.map((e) => ({
      bucket_ms: e.bucketMs, namespace: e.namespace, source: e.source, target: e.target, requests: e.stats.requests, errors: e.stats.errors,
      retries: e.stats.retries, timeouts: e.stats.timeouts, short_circuits: e.stats.shortCircuits, hist: e.stats.histogram,
    }));
    await client.query(
      `INSERT INTO edge_minute (bucket_ms, namespace, source, target, requests, errors, retries, timeouts, short_circuits, hist)
       SELECT * FROM json_to_recordset($1::json) AS r(bucket_ms bigint, namespace text, source text, target text,
         requests bigint, errors bigint, retries bigint, timeouts bigint, short_circuits bigint, hist integer[])
       ON CONFLICT (bucket_ms, namespace, source, target) DO UPDATE SET
         requests = edge_minute.requests + excluded.requests, errors = edge_minute.errors + excluded.errors,
         retries = edge_minute.retries + excluded.retries, timeouts = edge_minute.timeouts + excluded.timeouts,
         short_circuits = edge_minute.short_circuits + excluded.short_circuits, hist = fl_hist_add(edge_minute.hist, excluded.hist)`,
      [JSON.stringify(rows)],
    );
  }

  async insertSpans(incoming: readonly SpanRecord[], nowMs = Date.now()): Promise<InsertResult> {
    this.assertOpen();
    if (incoming.length === 0) return { inserted: 0 };
    const { spans, recorder } = splitRecorderSpans(incoming);
    const client = await this.pool.connect();
    try {
      await prepareSpanCopy(client);
      await client.query('BEGIN');
      const inserted = { rows: await copySpans(client, spans) };
      const freshKeys = new Set(inserted.rows.map((r) => `${r.trace_id}/${r.span_id}`));
      const fresh = spans.filter((s) => freshKeys.delete(`${s.traceId}/${s.spanId}`));
      const plan = await planGraphWrites(fresh, this.lookupWith(client), nowMs, this.consumerServices);
      if (plan.traces.length) {
        await client.query(
          `INSERT INTO traces (trace_id, start_ms, end_ms, root_service, root_operation, span_count, error_count, services, namespace, correlation_id, failed_callees)
           SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, start_ms double precision, end_ms double precision,
             root_service text, root_operation text, span_count integer, error_count integer, services text, namespace text, correlation_id text, failed_callees text)
           ON CONFLICT (trace_id) DO UPDATE SET
             start_ms = least(traces.start_ms, excluded.start_ms), end_ms = greatest(traces.end_ms, excluded.end_ms),
             root_service = coalesce(excluded.root_service, traces.root_service), root_operation = coalesce(excluded.root_operation, traces.root_operation),
             span_count = traces.span_count + excluded.span_count, error_count = traces.error_count + excluded.error_count,
             services = fl_union(traces.services, excluded.services), correlation_id = coalesce(traces.correlation_id, excluded.correlation_id),
             failed_callees = CASE WHEN excluded.failed_callees = ',' THEN traces.failed_callees ELSE fl_union(traces.failed_callees, excluded.failed_callees) END`,
          [JSON.stringify(plan.traces.map((t) => ({
            trace_id: t.traceId, start_ms: t.startMs, end_ms: t.endMs, root_service: t.rootService, root_operation: t.rootOperation,
            span_count: t.spanCount, error_count: t.errorCount, services: `,${t.services.join(',')},`,
            namespace: t.namespace, correlation_id: t.correlationId, failed_callees: `,${t.failedCallees.join(',')},`,
          })))],
        );
      }
      if (plan.nodes.length) {
        await client.query(
          `INSERT INTO node_minute (bucket_ms, service, requests, errors, retries, timeouts, short_circuits, hist, entry_requests, entry_errors, entry_hist,
             namespace, background, background_errors)
           SELECT * FROM json_to_recordset($1::json) AS r(bucket_ms bigint, service text, requests bigint, errors bigint,
             retries bigint, timeouts bigint, short_circuits bigint, hist integer[], entry_requests bigint, entry_errors bigint, entry_hist integer[],
             namespace text, background bigint, background_errors bigint)
           ON CONFLICT (bucket_ms, namespace, service) DO UPDATE SET
             requests = node_minute.requests + excluded.requests, errors = node_minute.errors + excluded.errors,
             retries = node_minute.retries + excluded.retries, timeouts = node_minute.timeouts + excluded.timeouts,
             short_circuits = node_minute.short_circuits + excluded.short_circuits, hist = fl_hist_add(node_minute.hist, excluded.hist),
             entry_requests = node_minute.entry_requests + excluded.entry_requests, entry_errors = node_minute.entry_errors + excluded.entry_errors,
             entry_hist = fl_hist_add(node_minute.entry_hist, excluded.entry_hist),
             background = node_minute.background + excluded.background, background_errors = node_minute.background_errors + excluded.background_errors`,
          [JSON.stringify(plan.nodes.map((n) => ({
            bucket_ms: n.bucketMs, service: n.service, requests: n.stats.requests, errors: n.stats.errors, retries: n.stats.retries,
            timeouts: n.stats.timeouts, short_circuits: n.stats.shortCircuits, hist: n.stats.histogram,
            entry_requests: n.entryStats?.requests ?? 0, entry_errors: n.entryStats?.errors ?? 0, entry_hist: n.entryStats?.histogram ?? [],
            namespace: n.namespace, background: n.background, background_errors: n.backgroundErrors,
          })))],
        );
      }
      await this.applyEdges(client, plan.edges);
      if (plan.services.length) {
        await client.query(
          `INSERT INTO services SELECT n, $2, $2 FROM unnest($1::text[]) AS n
           ON CONFLICT (name) DO UPDATE SET last_seen_ms = greatest(services.last_seen_ms, excluded.last_seen_ms)`,
          [plan.services, nowMs],
        );
      }
      if (plan.insertPending.length) {
        await client.query(
          `INSERT INTO pending_calls (trace_id, span_id, source, bucket_ms, stats, hint, received_ms, namespace)
           SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, span_id text, source text, bucket_ms bigint,
             stats text, hint text, received_ms double precision, namespace text) ON CONFLICT (trace_id, span_id) DO NOTHING`,
          [JSON.stringify(plan.insertPending.map((p) => ({
            trace_id: p.traceId, span_id: p.spanId, source: p.source, bucket_ms: p.bucketMs, stats: JSON.stringify(p.stats), hint: p.hint, received_ms: p.receivedMs,
            namespace: p.namespace,
          })))],
        );
      }
      if (plan.deletePending.length) {
        await client.query('DELETE FROM pending_calls p USING json_to_recordset($1::json) k(t text, s text) WHERE p.trace_id = k.t AND p.span_id = k.s', [keysJson(plan.deletePending)]);
      }
      if (plan.insertServers.length) {
        await client.query(
          `INSERT INTO server_halves SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, caller_span_id text, service text, received_ms double precision)
           ON CONFLICT DO NOTHING`,
          [JSON.stringify(plan.insertServers.map((h) => ({ trace_id: h.traceId, caller_span_id: h.callerSpanId, service: h.service, received_ms: h.receivedMs })))],
        );
      }
      if (plan.deleteServers.length) await this.deleteServers(client, plan.deleteServers);
      if (plan.insertAliases.length) {
        await client.query(
          `INSERT INTO attempt_aliases SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, span_id text, call_span_id text, received_ms double precision)
           ON CONFLICT DO NOTHING`,
          [JSON.stringify(plan.insertAliases.map((a) => ({ trace_id: a.traceId, span_id: a.spanId, call_span_id: a.callSpanId, received_ms: a.receivedMs })))],
        );
      }
      const consumed = consumedDestinations(fresh);
      if (consumed.length) {
        await client.query(
          `INSERT INTO destination_consumers SELECT d, s, $3 FROM unnest($1::text[], $2::text[]) AS u(d, s)
           ON CONFLICT (destination, service) DO UPDATE SET last_seen_ms = greatest(destination_consumers.last_seen_ms, excluded.last_seen_ms)`,
          [consumed.map((d) => d.destination), consumed.map((d) => d.service), nowMs],
        );
      }
      const side = sideRecords(fresh, recorder);
      await events.upsertAnnotations(client, side.annotations);
      await events.insertTransitions(client, side.transitions);
      await client.query('COMMIT');
      return { inserted: fresh.length + recorder.length };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async deleteServers(client: pg.PoolClient, halves: readonly ServerHalf[]): Promise<void> {
    await client.query(
      'DELETE FROM server_halves h USING json_to_recordset($1::json) k(t text, s text, v text) WHERE h.trace_id = k.t AND h.caller_span_id = k.s AND h.service = k.v',
      [JSON.stringify(halves.map((h) => ({ t: h.traceId, s: h.callerSpanId, v: h.service })))],
    );
  }

  async resolvePendingEdges(nowMs = Date.now()): Promise<number> {
    this.assertOpen();
    const client = await this.pool.connect();
    let total = 0;
    try {
      for (;;) {
        await client.query('BEGIN');
        try {
          const { rows } = await client.query(
            `DELETE FROM pending_calls WHERE (trace_id, span_id) IN (
               SELECT trace_id, span_id FROM pending_calls WHERE received_ms <= $1 ORDER BY received_ms LIMIT 5000 FOR UPDATE SKIP LOCKED)
             RETURNING *`,
            [nowMs - this.pendingEdgeMs],
          );
          const expired = rows.map(toPending);
          if (expired.length) {
            const servers = (await this.lookupWith(client).serversByCaller(expired)).filter(Boolean);
            const { edges, pairedServers } = planExpiredEdges(expired, servers, aggregates.consumersOf((await client.query(aggregates.CONSUMERS_SQL)).rows));
            await this.applyEdges(client, edges);
            if (pairedServers.length) await this.deleteServers(client, pairedServers);
          }
          await client.query('DELETE FROM server_halves WHERE received_ms < $1', [nowMs - PAIRING_MEMORY_MS]);
          await client.query('DELETE FROM attempt_aliases WHERE received_ms < $1', [nowMs - PAIRING_MEMORY_MS]);
          await client.query('COMMIT');
          total += expired.length;
          if (expired.length < 5000) break;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }
    } finally {
      client.release();
    }
    return total;
  }

  private async q(sql: string, params: unknown[] = []): Promise<Row[]> {
    this.assertOpen();
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  private readonly query = (sql: string, params: unknown[] = []) => this.q(sql, params);
  private readonly reader = postgresReader(this.query);

  services(range: AggregateQuery): Promise<ServiceSummary[]> {
    return aggregates.services(this.reader, range);
  }

  graphInput(range: AggregateQuery): Promise<GraphInput> {
    return aggregates.graphInput(this.reader, range);
  }

  entrySeries(range: AggregateQuery): Promise<ServiceSeries[]> {
    return aggregates.entrySeries(this.reader, range);
  }

  series(query: SeriesQuery): Promise<SeriesBucket[]> {
    return aggregates.series(this.reader, query);
  }

  namespaces(query: NamespaceQuery): Promise<NamespaceSummary[]> {
    return aggregates.namespaces(this.reader, query);
  }

  async upsertAnnotations(list: readonly StoredAnnotation[]): Promise<void> {
    this.assertOpen();
    await events.upsertAnnotations(this.pool, list);
  }

  annotations(query: AnnotationQuery): Promise<StoredAnnotation[]> {
    return events.annotations(this.query, query);
  }

  breakerTransitions(query: BreakerQuery): Promise<BreakerTransition[]> {
    return events.breakerTransitions(this.query, query);
  }

  listTraces(query: TraceQuery): Promise<TraceSummary[]> {
    return traces.listTraces(this.query, query);
  }

  getTrace(traceId: string): Promise<SpanRecord[]> {
    return traces.getTrace(this.query, traceId);
  }

  sampleSpans(query: SampleQuery): Promise<SpanRecord[]> {
    return traces.sampleSpans(this.query, query);
  }

  async prune(cutoffMs: number, maxTraces: number): Promise<number> {
    this.assertOpen();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `DELETE FROM traces WHERE trace_id IN (
           SELECT trace_id FROM traces WHERE start_ms < $1 AND end_ms < $1 LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING trace_id`,
        [cutoffMs, maxTraces],
      );
      if (rows.length) await client.query('DELETE FROM spans WHERE trace_id = ANY($1::text[])', [rows.map((r) => r.trace_id)]);
      const bucket = bucketStart(cutoffMs);
      await client.query('DELETE FROM node_minute WHERE bucket_ms < $1', [bucket]);
      await client.query('DELETE FROM edge_minute WHERE bucket_ms < $1', [bucket]);
      await events.pruneEvents(client, cutoffMs);
      await client.query('COMMIT');
      return rows.length;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async checkWritable(): Promise<void> {
    const rows = await this.q('SELECT pg_is_in_recovery() AS ro');
    if (rows[0]?.ro) throw new Error('database is a read-only replica');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

function toPending(r: Row): PendingCall {
  return {
    traceId: r.trace_id as string,
    spanId: r.span_id as string,
    source: r.source as string,
    bucketMs: Number(r.bucket_ms),
    stats: statsFromJson(r.stats as string),
    hint: (r.hint as string | null) ?? null,
    receivedMs: Number(r.received_ms),
    namespace: String(r.namespace ?? ''),
  };
}

function toServer(r: Row): ServerHalf {
  return { traceId: r.trace_id as string, callerSpanId: r.caller_span_id as string, service: r.service as string, receivedMs: Number(r.received_ms) };
}
