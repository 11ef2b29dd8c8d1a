// Embedded storage: one SQLite file in WAL mode. A committed transaction is in the WAL
// before insertSpans resolves, so it survives kill -9 of the process (synchronous=NORMAL;
// set `synchronous: 'full'` to also survive power loss).
import Database from 'better-sqlite3';
import type { GraphInput, ServiceSeries, Stats } from '../../analysis/index.js';
import type { SpanRecord } from '../../model.js';
import { type AttemptAlias, type EdgeDelta, type PendingCall, planExpiredEdges, planGraphWrites, type ServerHalf, type SpanKey, targetOfHint } from '../graphPlan.js';
import { rowArrayToSpan, rowToSpan, type SpanRow, type SpanRowArray, spanToRow, statsFromColumns, statsFromJson } from '../rows.js';
import { seriesOf, summarizeServices, traceSummaryOf } from '../summaries.js';
import {
  DEFAULT_PENDING_EDGE_MS,
  type InsertResult,
  PAIRING_MEMORY_MS,
  type SampleQuery,
  type ServiceSummary,
  type StoreOptions,
  type TimeRange,
  type TraceQuery,
  type TraceStore,
  type TraceSummary,
  SPREAD_SLICES,
} from '../TraceStore.js';
import { bucketStart } from '../../analysis/index.js';
import { SQLITE_SCHEMA, SQLITE_SCHEMA_VERSION } from './schema.js';

/** One slice of a time-stratified sample: its first traces, so a burst cannot crowd out the calm before it (an index range seek each). */
const SPREAD_SLICE_SQL = 'SELECT trace_id FROM traces WHERE start_ms >= ? AND start_ms < ? ORDER BY start_ms LIMIT ?';

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
const SPANS_PER_INSERT = 64;

function pushRow(params: unknown[], s: SpanRecord): void {
  const r = spanToRow(s);
  params.push(r.trace_id, r.span_id, r.parent_span_id, r.service, r.name, r.kind, r.start_ms, r.end_ms, r.duration_ms, r.status, r.status_message, r.attributes, r.resource, r.events, r.links);
}

export class SqliteTraceStore implements TraceStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly pendingEdgeMs: number;
  private readonly stmt;
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
      this.db.exec(SQLITE_SCHEMA);
      this.db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
    }
    const db = this.db;
    this.stmt = {
      insertSpan: db.prepare('INSERT OR IGNORE INTO spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      // SPANS_PER_INSERT rows per statement: one native call and one bind pass per chunk, not per span.
      insertSpanChunk: db.prepare(`INSERT OR IGNORE INTO spans VALUES ${Array(SPANS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} RETURNING trace_id, span_id`).raw(true),
      upsertTrace: db.prepare(`INSERT INTO traces VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id) DO UPDATE SET
        start_ms = min(start_ms, excluded.start_ms), end_ms = max(end_ms, excluded.end_ms),
        root_service = coalesce(excluded.root_service, root_service), root_operation = coalesce(excluded.root_operation, root_operation),
        span_count = span_count + excluded.span_count, error_count = error_count + excluded.error_count,
        services = fl_union(services, excluded.services)`),
      upsertNode: db.prepare(`INSERT INTO node_minute VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_ms, service) DO UPDATE SET
        requests = requests + excluded.requests, errors = errors + excluded.errors, retries = retries + excluded.retries,
        timeouts = timeouts + excluded.timeouts, short_circuits = short_circuits + excluded.short_circuits,
        hist = fl_hist_add(hist, excluded.hist), entry_requests = entry_requests + excluded.entry_requests,
        entry_errors = entry_errors + excluded.entry_errors, entry_hist = fl_hist_add(entry_hist, excluded.entry_hist)`),
      upsertEdge: db.prepare(`INSERT INTO edge_minute VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_ms, source, target) DO UPDATE SET
        requests = requests + excluded.requests, errors = errors + excluded.errors, retries = retries + excluded.retries,
        timeouts = timeouts + excluded.timeouts, short_circuits = short_circuits + excluded.short_circuits,
        hist = fl_hist_add(hist, excluded.hist)`),
      upsertService: db.prepare(`INSERT INTO services VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`),
      insertPending: db.prepare('INSERT OR REPLACE INTO pending_calls VALUES (?, ?, ?, ?, ?, ?, ?)'),
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
      sampleRows: db.prepare('SELECT s.* FROM json_each(?) k JOIN spans s ON s.trace_id = k.value').raw(true),
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
  };

  private applyEdges(edges: readonly EdgeDelta[]): void {
    for (const e of edges) {
      const s = e.stats;
      this.stmt.upsertEdge.run(e.bucketMs, e.source, e.target, s.requests, s.errors, s.retries, s.timeouts, s.shortCircuits, JSON.stringify(s.histogram));
    }
  }

  async insertSpans(spans: readonly SpanRecord[], nowMs = Date.now()): Promise<InsertResult> {
    this.assertOpen();
    // Manual transaction: the planner is async (PostgreSQL needs it) but here every lookup
    // is synchronous, so nothing else runs on this connection until COMMIT.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const fresh: SpanRecord[] = [];
      let i = 0;
      for (; i + SPANS_PER_INSERT <= spans.length; i += SPANS_PER_INSERT) {
        const params: unknown[] = [];
        for (let k = i; k < i + SPANS_PER_INSERT; k++) pushRow(params, spans[k]!);
        const stored = this.stmt.insertSpanChunk.all(...params) as [string, string][];
        if (stored.length === SPANS_PER_INSERT) {
          for (let k = i; k < i + SPANS_PER_INSERT; k++) fresh.push(spans[k]!);
        } else {
          // Some were re-sent duplicates (or repeated within the chunk): keep the ones stored now, once each.
          const storedKeys = new Set(stored.map(([t, sp]) => `${t}/${sp}`));
          for (let k = i; k < i + SPANS_PER_INSERT; k++) if (storedKeys.delete(`${spans[k]!.traceId}/${spans[k]!.spanId}`)) fresh.push(spans[k]!);
        }
      }
      for (; i < spans.length; i++) {
        const params: unknown[] = [];
        pushRow(params, spans[i]!);
        if (this.stmt.insertSpan.run(...params).changes > 0) fresh.push(spans[i]!);
      }
      const plan = await planGraphWrites(fresh, this.lookup, nowMs);
      for (const t of plan.traces) {
        this.stmt.upsertTrace.run(t.traceId, t.startMs, t.endMs, t.rootService, t.rootOperation, t.spanCount, t.errorCount, `,${t.services.join(',')},`);
      }
      for (const n of plan.nodes) {
        const s = n.stats;
        const e = n.entryStats;
        this.stmt.upsertNode.run(
          n.bucketMs, n.service, s.requests, s.errors, s.retries, s.timeouts, s.shortCircuits, JSON.stringify(s.histogram),
          e?.requests ?? 0, e?.errors ?? 0, e ? JSON.stringify(e.histogram) : EMPTY_HIST,
        );
      }
      this.applyEdges(plan.edges);
      for (const name of plan.services) this.stmt.upsertService.run(name, nowMs, nowMs);
      for (const p of plan.insertPending) this.stmt.insertPending.run(p.traceId, p.spanId, p.source, p.bucketMs, JSON.stringify(p.stats), p.hint, p.receivedMs);
      for (const k of plan.deletePending) this.stmt.deletePending.run(k.traceId, k.spanId);
      for (const h of plan.insertServers) this.stmt.insertServer.run(h.traceId, h.callerSpanId, h.service, h.receivedMs);
      for (const h of plan.deleteServers) this.stmt.deleteServer.run(h.traceId, h.callerSpanId, h.service);
      for (const a of plan.insertAliases) this.stmt.insertAlias.run(a.traceId, a.spanId, a.callSpanId, a.receivedMs);
      this.db.exec('COMMIT');
      return { inserted: fresh.length };
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
      const { edges, pairedServers } = planExpiredEdges(expired, servers);
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

  private bucketRange(range: TimeRange): [number, number] {
    return [bucketStart(range.fromMs), range.toMs];
  }

  async services(range: TimeRange): Promise<ServiceSummary[]> {
    this.assertOpen();
    const rows = this.db.prepare('SELECT service, requests, errors, retries, timeouts, short_circuits, hist FROM node_minute WHERE bucket_ms >= ? AND bucket_ms <= ?').all(...this.bucketRange(range)) as (Record<string, unknown> & { service: string })[];
    return summarizeServices(rows.map((r) => ({ service: r.service, stats: statsFromColumns(r as never) })));
  }

  async graphInput(range: TimeRange): Promise<GraphInput> {
    this.assertOpen();
    const [from, to] = this.bucketRange(range);
    const nodeRows = this.db.prepare('SELECT service, requests, errors, retries, timeouts, short_circuits, hist FROM node_minute WHERE bucket_ms >= ? AND bucket_ms <= ?').all(from, to) as (Record<string, unknown> & { service: string })[];
    const edgeRows = this.db.prepare('SELECT source, target, requests, errors, retries, timeouts, short_circuits, hist FROM edge_minute WHERE bucket_ms >= ? AND bucket_ms <= ?').all(from, to) as (Record<string, unknown> & { source: string; target: string })[];
    const pendingRows = this.db.prepare('SELECT source, hint, stats FROM pending_calls WHERE bucket_ms >= ? AND bucket_ms <= ?').all(from, to) as { source: string; hint: string | null; stats: string }[];
    const known = this.db.prepare('SELECT name FROM services').all() as { name: string }[];
    return {
      nodes: nodeRows.map((r) => ({ service: r.service, stats: statsFromColumns(r as never) })),
      edges: [
        ...edgeRows.map((r) => ({ source: r.source, target: r.target, stats: statsFromColumns(r as never) })),
        ...pendingRows.map((r) => ({ source: r.source, target: targetOfHint(r.hint), stats: statsFromJson(r.stats) })),
      ],
      knownServices: new Set(known.map((k) => k.name)),
    };
  }

  async entrySeries(range: TimeRange): Promise<ServiceSeries[]> {
    this.assertOpen();
    const rows = this.db
      .prepare(`SELECT bucket_ms, service, entry_requests AS requests, entry_errors AS errors, 0 AS retries, 0 AS timeouts, 0 AS short_circuits, entry_hist AS hist
        FROM node_minute WHERE bucket_ms >= ? AND bucket_ms <= ? AND entry_requests > 0`)
      .all(...this.bucketRange(range)) as (Record<string, unknown> & { service: string; bucket_ms: number })[];
    return seriesOf(rows.map((r) => ({ service: r.service, bucketMs: Number(r.bucket_ms), stats: statsFromColumns(r as never) as Stats })));
  }

  async listTraces(q: TraceQuery): Promise<TraceSummary[]> {
    this.assertOpen();
    const where = ['t.start_ms >= ?', 't.start_ms <= ?'];
    const params: unknown[] = [q.fromMs, q.toMs];
    if (q.service !== undefined) {
      where.push("instr(t.services, ',' || ? || ',') > 0");
      params.push(q.service);
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
    if (q.namespace !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND json_extract(s.resource, '$."service.namespace"') = ?)`);
      params.push(q.namespace);
    }
    params.push(q.limit);
    const rows = this.db.prepare(`SELECT * FROM traces t WHERE ${where.join(' AND ')} ORDER BY t.start_ms DESC LIMIT ?`).all(...params) as Record<string, unknown>[];
    return rows.map(traceSummaryOf);
  }

  async getTrace(traceId: string): Promise<SpanRecord[]> {
    this.assertOpen();
    const rows = this.db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ms').all(traceId) as SpanRow[];
    return rows.map((r) => rowToSpan(r));
  }

  async sampleSpans(q: SampleQuery): Promise<SpanRecord[]> {
    this.assertOpen();
    // Failing traces first (partial index), then the most recent: both walk an index, no sort of the window.
    const ids: { trace_id: string }[] = [];
    if (q.prefer === 'spread') {
      // Slices over the extent that holds data: a mostly empty range must not starve the part with traffic.
      const extent = this.db.prepare('SELECT min(start_ms) AS lo, max(start_ms) AS hi FROM traces WHERE start_ms >= ? AND start_ms <= ?').get(q.fromMs, q.toMs) as { lo: number | null; hi: number | null };
      if (extent.lo !== null && extent.hi !== null) {
        const sliceMs = Math.max(1, Math.ceil((extent.hi - extent.lo + 1) / SPREAD_SLICES));
        const perSlice = Math.ceil(q.maxTraces / SPREAD_SLICES);
        const slice = this.db.prepare(SPREAD_SLICE_SQL);
        for (let k = 0; k < SPREAD_SLICES; k++) {
          const lo = extent.lo + k * sliceMs;
          ids.push(...(slice.all(lo, lo + sliceMs, perSlice) as { trace_id: string }[]));
        }
      }
    } else if (q.prefer !== 'recent') {
      ids.push(...(this.db.prepare('SELECT trace_id FROM traces WHERE error_count > 0 AND start_ms >= ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT ?').all(q.fromMs, q.toMs, q.maxTraces) as { trace_id: string }[]));
    }
    if (ids.length < q.maxTraces && q.prefer !== 'spread') {
      const more = q.prefer === 'recent' ? 'SELECT trace_id FROM traces WHERE start_ms >= ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT ?' : 'SELECT trace_id FROM traces WHERE error_count = 0 AND start_ms >= ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT ?';
      ids.push(...(this.db.prepare(more).all(q.fromMs, q.toMs, q.maxTraces - ids.length) as { trace_id: string }[]));
    }
    if (ids.length === 0) return [];
    // One statement for the whole sample (not one per trace); json_each drives the loop, so rows come grouped by trace in sample order.
    const rows = this.stmt.sampleRows.all(JSON.stringify(ids.map((r) => r.trace_id))) as SpanRowArray[];
    const resources = new Map<string, SpanRecord['resource']>();
    return rows.map((r) => rowArrayToSpan(r, resources));
  }

  async prune(cutoffMs: number, maxTraces: number): Promise<number> {
    this.assertOpen();
    return this.db.transaction(() => {
      const ids = this.db.prepare('SELECT trace_id FROM traces WHERE start_ms < ? AND end_ms < ? LIMIT ?').all(cutoffMs, cutoffMs, maxTraces) as { trace_id: string }[];
      const delSpans = this.db.prepare('DELETE FROM spans WHERE trace_id = ?');
      const delTrace = this.db.prepare('DELETE FROM traces WHERE trace_id = ?');
      for (const { trace_id } of ids) {
        delSpans.run(trace_id);
        delTrace.run(trace_id);
      }
      const bucket = bucketStart(cutoffMs);
      this.db.prepare('DELETE FROM node_minute WHERE bucket_ms < ?').run(bucket);
      this.db.prepare('DELETE FROM edge_minute WHERE bucket_ms < ?').run(bucket);
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
