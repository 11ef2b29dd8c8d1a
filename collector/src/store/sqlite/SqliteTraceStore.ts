// Embedded storage: one SQLite file in WAL mode. A committed transaction is in the WAL
// before insertSpans resolves, so it survives kill -9 of the process (synchronous=NORMAL;
// set `synchronous: 'full'` to also survive power loss).
import Database from 'better-sqlite3';
import type { GraphInput, ServiceSeries } from '../../analysis/index.js';
import type { BreakerTransition, StoredAnnotation } from '../../analysis/faultAnnotations.js';
import type { SpanRecord } from '../../model.js';
import { type AttemptAlias, consumedDestinations, type EdgeDelta, type PendingCall, planExpiredEdges, planGraphWrites, type ServerHalf, type SpanKey } from '../graphPlan.js';
import { sideRecords, splitRecorderSpans } from '../sidePlan.js';
import { statsFromJson } from '../rows.js';
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
import { bucketStart } from '../../analysis/index.js';
import * as aggregates from '../aggregateQueries.js';
import { destinationConsumers, sqliteReader } from './aggregates.js';
import * as events from './eventQueries.js';
import * as traces from './traceQueries.js';
import { migrateSpansToBlocks, type SpanWriter, spanWriter } from './spanWrites.js';
import { SQLITE_MIGRATE_1_TO_2, SQLITE_SCHEMA, SQLITE_SCHEMA_VERSION } from './schema.js';

export interface SqliteStoreOptions extends StoreOptions {
  /** File path, or ':memory:'. */
  path: string;
  /** 'normal' (default) survives process crashes; 'full' also power loss, at a throughput cost. */
  synchronous?: 'normal' | 'full';
  /** Create tables at open. Default true; a reading connection beside a writer thread skips it. */
  applySchema?: boolean;
}

function addHist(a: string | null, b: string | null): string {
  const x = a ? (JSON.parse(a) as number[]) : [];
  const y = b ? (JSON.parse(b) as number[]) : [];
  const n = Math.max(x.length, y.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (x[i] ?? 0) + (y[i] ?? 0);
  return JSON.stringify(out);
}

function unionServices(a: string | null, b: string | null): string {
  const set = new Set([...(a ?? '').split(','), ...(b ?? '').split(',')].filter(Boolean));
  return `,${[...set].sort().join(',')},`;
}

const EMPTY_HIST = '[]';

export class SqliteTraceStore implements TraceStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly pendingEdgeMs: number;
  private readonly stmt;
  private readonly reader;
  private readonly spans: SpanWriter;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    this.pendingEdgeMs = options.pendingEdgeMs ?? DEFAULT_PENDING_EDGE_MS;
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -32768'); // 32 MiB page cache: bounded memory
    // Checkpoint every ~16 MiB of WAL instead of 4: pages rewritten by consecutive batches
    // (index tails, aggregates) are copied to the database once, not once per 4 MiB.
    this.db.pragma('wal_autocheckpoint = 4000');
    this.db.pragma('journal_size_limit = 67108864');
    this.db.function('fl_hist_add', { deterministic: true }, (a: unknown, b: unknown) => addHist(a as string | null, b as string | null));
    this.db.function('fl_union', { deterministic: true }, (a: unknown, b: unknown) => unionServices(a as string | null, b as string | null));
    if (options.applySchema !== false) {
      const version = Number(this.db.pragma('user_version', { simple: true }));
      const hasTables = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'node_minute'").get() !== undefined;
      this.db.transaction(() => {
        // A file of an older collector: bring its tables forward before creating what is new.
        if (hasTables && version < 2) this.db.exec(SQLITE_MIGRATE_1_TO_2);
        this.db.exec(SQLITE_SCHEMA);
        if (hasTables && version < 3) migrateSpansToBlocks(this.db);
        this.db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
      })();
    }
    const db = this.db;
    this.reader = sqliteReader(db);
    this.spans = spanWriter(db);
    this.stmt = {
      upsertTrace: db.prepare(`INSERT INTO traces (trace_id, start_ms, end_ms, root_service, root_operation, span_count, error_count, services, namespace, correlation_id, failed_callees)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id) DO UPDATE SET
        start_ms = min(start_ms, excluded.start_ms), end_ms = max(end_ms, excluded.end_ms),
        root_service = coalesce(excluded.root_service, root_service), root_operation = coalesce(excluded.root_operation, root_operation),
        span_count = span_count + excluded.span_count, error_count = error_count + excluded.error_count,
        services = fl_union(services, excluded.services), correlation_id = coalesce(correlation_id, excluded.correlation_id),
        failed_callees = CASE WHEN excluded.failed_callees = ',' THEN failed_callees ELSE fl_union(failed_callees, excluded.failed_callees) END`),
      upsertNode: db.prepare(`INSERT INTO node_minute (bucket_ms, service, requests, errors, retries, timeouts, short_circuits, hist, entry_requests, entry_errors, entry_hist, namespace, background, background_errors)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_ms, namespace, service) DO UPDATE SET
        requests = requests + excluded.requests, errors = errors + excluded.errors, retries = retries + excluded.retries,
        timeouts = timeouts + excluded.timeouts, short_circuits = short_circuits + excluded.short_circuits,
        hist = fl_hist_add(hist, excluded.hist), entry_requests = entry_requests + excluded.entry_requests,
        entry_errors = entry_errors + excluded.entry_errors, entry_hist = fl_hist_add(entry_hist, excluded.entry_hist),
        background = background + excluded.background, background_errors = background_errors + excluded.background_errors`),
      upsertEdge: db.prepare(`INSERT INTO edge_minute (bucket_ms, source, target, requests, errors, retries, timeouts, short_circuits, hist, namespace)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_ms, namespace, source, target) DO UPDATE SET
        requests = requests + excluded.requests, errors = errors + excluded.errors, retries = retries + excluded.retries,
        timeouts = timeouts + excluded.timeouts, short_circuits = short_circuits + excluded.short_circuits,
        hist = fl_hist_add(hist, excluded.hist)`),
      upsertService: db.prepare(`INSERT INTO services VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`),
      insertPending: db.prepare('INSERT OR REPLACE INTO pending_calls (trace_id, span_id, source, bucket_ms, stats, hint, received_ms, namespace) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      deletePending: db.prepare('DELETE FROM pending_calls WHERE trace_id = ? AND span_id = ?'),
      getPending: db.prepare('SELECT * FROM pending_calls WHERE trace_id = ? AND span_id = ?'),
      // Batched lookups: one statement per batch and kind, keys as a JSON array of [traceId, spanId].
      pendingByKeys: db.prepare(`SELECT p.* FROM json_each(?) k JOIN pending_calls p ON p.trace_id = k.value ->> 0 AND p.span_id = k.value ->> 1`),
      serversByKeys: db.prepare(`SELECT h.* FROM json_each(?) k JOIN server_halves h ON h.trace_id = k.value ->> 0 AND h.caller_span_id = k.value ->> 1`),
      aliasesByAttemptKeys: db.prepare(`SELECT a.* FROM json_each(?) k JOIN attempt_aliases a ON a.trace_id = k.value ->> 0 AND a.span_id = k.value ->> 1`),
      aliasesByCallKeys: db.prepare(`SELECT a.* FROM json_each(?) k JOIN attempt_aliases a ON a.trace_id = k.value ->> 0 AND a.call_span_id = k.value ->> 1`),
      expiredPending: db.prepare('SELECT * FROM pending_calls WHERE received_ms <= ? ORDER BY received_ms LIMIT 5000'),
      insertServer: db.prepare('INSERT OR IGNORE INTO server_halves VALUES (?, ?, ?, ?)'),
      deleteServer: db.prepare('DELETE FROM server_halves WHERE trace_id = ? AND caller_span_id = ? AND service = ?'),
      serversByCaller: db.prepare('SELECT * FROM server_halves WHERE trace_id = ? AND caller_span_id = ?'),
      insertAlias: db.prepare('INSERT OR IGNORE INTO attempt_aliases VALUES (?, ?, ?, ?)'),
      aliasByAttempt: db.prepare('SELECT * FROM attempt_aliases WHERE trace_id = ? AND span_id = ?'),
      aliasesByCall: db.prepare('SELECT * FROM attempt_aliases WHERE trace_id = ? AND call_span_id = ?'),
      upsertConsumer: db.prepare(`INSERT INTO destination_consumers VALUES (?, ?, ?) ON CONFLICT (destination, service) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`),
      forgetServers: db.prepare('DELETE FROM server_halves WHERE received_ms < ?'),
      forgetAliases: db.prepare('DELETE FROM attempt_aliases WHERE received_ms < ?'),
    };
  }

  private toPending(r: Record<string, unknown>): PendingCall {
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

  private toServer(r: Record<string, unknown>): ServerHalf {
    return { traceId: r.trace_id as string, callerSpanId: r.caller_span_id as string, service: r.service as string, receivedMs: Number(r.received_ms) };
  }

  private toAlias(r: Record<string, unknown>): AttemptAlias {
    return { traceId: r.trace_id as string, spanId: r.span_id as string, callSpanId: r.call_span_id as string, receivedMs: Number(r.received_ms) };
  }

  /** Runs a batched lookup once for all keys (deduplicated): one statement instead of one per span. */
  private byKeys(stmt: Database.Statement, keys: readonly SpanKey[]): Record<string, unknown>[] {
    if (keys.length === 0) return [];
    const seen = new Set<string>();
    const list: [string, string][] = [];
    for (const k of keys) {
      const id = `${k.traceId}/${k.spanId}`;
      if (seen.has(id)) continue;
      seen.add(id);
      list.push([k.traceId, k.spanId]);
    }
    return stmt.all(JSON.stringify(list)) as Record<string, unknown>[];
  }

  private lookup = {
    aliasesByAttempt: async (keys: readonly SpanKey[]) => this.byKeys(this.stmt.aliasesByAttemptKeys, keys).map((r) => this.toAlias(r)),
    aliasesByCall: async (keys: readonly SpanKey[]) => this.byKeys(this.stmt.aliasesByCallKeys, keys).map((r) => this.toAlias(r)),
    pendingCalls: async (keys: readonly SpanKey[]) => this.byKeys(this.stmt.pendingByKeys, keys).map((r) => this.toPending(r)),
    serversByCaller: async (keys: readonly SpanKey[]) => this.byKeys(this.stmt.serversByKeys, keys).map((r) => this.toServer(r)),
    deliverySpans: async (keys: readonly { traceId: string; service: string }[]) => this.spans.deliverySpans(keys),
  };
  /** Services that sent CONSUMER spans: only their SERVER spans can be a delivery's second view. */
  private readonly consumerServices = new Set<string>();

  private applyEdges(edges: readonly EdgeDelta[]): void {
    for (const e of edges) {
      const s = e.stats;
      this.stmt.upsertEdge.run(e.bucketMs, e.source, e.target, s.requests, s.errors, s.retries, s.timeouts, s.shortCircuits, JSON.stringify(s.histogram), e.namespace);
    }
  }

  async insertSpans(incoming: readonly SpanRecord[], nowMs = Date.now()): Promise<InsertResult> {
    this.assertOpen();
    const { spans, recorder } = splitRecorderSpans(incoming);
    // Manual transaction: the planner is async (PostgreSQL needs it) but here every lookup
    // is synchronous, so nothing else runs on this connection until COMMIT.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const fresh = this.spans.insert(spans);
      const plan = await planGraphWrites(fresh, this.lookup, nowMs, this.consumerServices);
      for (const t of plan.traces) {
        this.stmt.upsertTrace.run(t.traceId, t.startMs, t.endMs, t.rootService, t.rootOperation, t.spanCount, t.errorCount, `,${t.services.join(',')},`, t.namespace, t.correlationId, `,${t.failedCallees.join(',')},`);
      }
      for (const n of plan.nodes) {
        const s = n.stats;
        const e = n.entryStats;
        this.stmt.upsertNode.run(
          n.bucketMs, n.service, s.requests, s.errors, s.retries, s.timeouts, s.shortCircuits, JSON.stringify(s.histogram),
          e?.requests ?? 0, e?.errors ?? 0, e ? JSON.stringify(e.histogram) : EMPTY_HIST, n.namespace, n.background, n.backgroundErrors,
        );
      }
      this.applyEdges(plan.edges);
      for (const name of plan.services) this.stmt.upsertService.run(name, nowMs, nowMs);
      for (const p of plan.insertPending) this.stmt.insertPending.run(p.traceId, p.spanId, p.source, p.bucketMs, JSON.stringify(p.stats), p.hint, p.receivedMs, p.namespace);
      for (const k of plan.deletePending) this.stmt.deletePending.run(k.traceId, k.spanId);
      for (const h of plan.insertServers) this.stmt.insertServer.run(h.traceId, h.callerSpanId, h.service, h.receivedMs);
      for (const h of plan.deleteServers) this.stmt.deleteServer.run(h.traceId, h.callerSpanId, h.service);
      for (const a of plan.insertAliases) this.stmt.insertAlias.run(a.traceId, a.spanId, a.callSpanId, a.receivedMs);
      for (const d of consumedDestinations(fresh)) this.stmt.upsertConsumer.run(d.destination, d.service, nowMs);
      const side = sideRecords(fresh, recorder);
      events.upsertAnnotations(this.db, side.annotations);
      events.insertTransitions(this.db, side.transitions);
      this.db.exec('COMMIT');
      return { inserted: fresh.length + recorder.length };
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async resolvePendingEdges(nowMs = Date.now()): Promise<number> {
    this.assertOpen();
    let total = 0;
    const run = this.db.transaction(() => {
      const expired = (this.stmt.expiredPending.all(nowMs - this.pendingEdgeMs) as Record<string, unknown>[]).map((r) => this.toPending(r));
      if (expired.length === 0) return 0;
      const servers = expired.flatMap((p) => (this.stmt.serversByCaller.all(p.traceId, p.spanId) as Record<string, unknown>[]).map((r) => this.toServer(r)));
      const { edges, pairedServers } = planExpiredEdges(expired, servers, destinationConsumers(this.db));
      this.applyEdges(edges);
      for (const p of expired) this.stmt.deletePending.run(p.traceId, p.spanId);
      for (const h of pairedServers) this.stmt.deleteServer.run(h.traceId, h.callerSpanId, h.service);
      this.stmt.forgetServers.run(nowMs - PAIRING_MEMORY_MS);
      this.stmt.forgetAliases.run(nowMs - PAIRING_MEMORY_MS);
      return expired.length;
    });
    for (;;) {
      const n = run();
      total += n;
      if (n < 5000) break;
    }
    return total;
  }

  async services(range: AggregateQuery): Promise<ServiceSummary[]> {
    this.assertOpen();
    return aggregates.services(this.reader, range);
  }

  async graphInput(range: AggregateQuery): Promise<GraphInput> {
    this.assertOpen();
    return aggregates.graphInput(this.reader, range);
  }

  async entrySeries(range: AggregateQuery): Promise<ServiceSeries[]> {
    this.assertOpen();
    return aggregates.entrySeries(this.reader, range);
  }

  async series(query: SeriesQuery): Promise<SeriesBucket[]> {
    this.assertOpen();
    return aggregates.series(this.reader, query);
  }

  async namespaces(query: NamespaceQuery): Promise<NamespaceSummary[]> {
    this.assertOpen();
    return aggregates.namespaces(this.reader, query);
  }

  async upsertAnnotations(list: readonly StoredAnnotation[]): Promise<void> {
    this.assertOpen();
    this.db.transaction(() => events.upsertAnnotations(this.db, list))();
  }

  async annotations(query: AnnotationQuery): Promise<StoredAnnotation[]> {
    this.assertOpen();
    return events.annotations(this.db, query);
  }

  async breakerTransitions(query: BreakerQuery): Promise<BreakerTransition[]> {
    this.assertOpen();
    return events.breakerTransitions(this.db, query);
  }

  async listTraces(q: TraceQuery): Promise<TraceSummary[]> {
    this.assertOpen();
    return traces.listTraces(this.db, (id, resources, decoded) => this.spans.spansOf(id, resources, decoded), q);
  }

  async getTrace(traceId: string): Promise<SpanRecord[]> {
    this.assertOpen();
    return traces.getTrace((id, resources, decoded) => this.spans.spansOf(id, resources, decoded), traceId);
  }

  async sampleSpans(q: SampleQuery): Promise<SpanRecord[]> {
    this.assertOpen();
    return traces.sampleSpans(this.db, (id, resources, decoded) => this.spans.spansOf(id, resources, decoded), q);
  }

  async prune(cutoffMs: number, maxTraces: number): Promise<number> {
    this.assertOpen();
    return this.db.transaction(() => {
      const ids = this.db.prepare('SELECT trace_id FROM traces WHERE start_ms < ? AND end_ms < ? LIMIT ?').all(cutoffMs, cutoffMs, maxTraces) as { trace_id: string }[];
      const delTrace = this.db.prepare('DELETE FROM traces WHERE trace_id = ?');
      for (const { trace_id } of ids) {
        this.spans.deleteTrace(trace_id);
        delTrace.run(trace_id);
      }
      const bucket = bucketStart(cutoffMs);
      this.db.prepare('DELETE FROM node_minute WHERE bucket_ms < ?').run(bucket);
      this.db.prepare('DELETE FROM edge_minute WHERE bucket_ms < ?').run(bucket);
      events.pruneEvents(this.db, cutoffMs);
      return ids.length;
    })();
  }

  async checkWritable(): Promise<void> {
    this.assertOpen();
    this.db.prepare('SELECT count(*) FROM services').get();
    if (this.db.readonly) throw new Error('database is read-only');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}
