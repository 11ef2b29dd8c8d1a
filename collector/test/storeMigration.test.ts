// A database written by the previous collector (schema version 1) opens, keeps its
// aggregates (as namespace ''), and takes the new records, on SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../src/analysis/index.js';
import { MIGRATIONS } from '../src/store/postgres/migrations.js';
import { PostgresTraceStore } from '../src/store/postgres/PostgresTraceStore.js';
import { SqliteTraceStore } from '../src/store/sqlite/SqliteTraceStore.js';
import { SQLITE_MIGRATE_1_TO_2 } from '../src/store/sqlite/schema.js';
import { spanToRow } from '../src/store/rows.js';
import type { TraceStore } from '../src/store/TraceStore.js';
import { call, DATABASE_URL, dropSchema, postgresReachable, uniqueSchema } from './helpers.js';

/** The SQLite schema of version 1, as the previous collector created it. */
const SQLITE_V1 = `
CREATE TABLE spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL, service TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  start_ms REAL NOT NULL, end_ms REAL NOT NULL, duration_ms REAL NOT NULL, status TEXT NOT NULL, status_message TEXT NOT NULL,
  attributes TEXT NOT NULL, resource TEXT NOT NULL, events TEXT NOT NULL, links TEXT NOT NULL);
CREATE UNIQUE INDEX spans_id ON spans (trace_id, span_id);
CREATE TABLE traces (trace_id TEXT PRIMARY KEY, start_ms REAL NOT NULL, end_ms REAL NOT NULL, root_service TEXT, root_operation TEXT,
  span_count INTEGER NOT NULL, error_count INTEGER NOT NULL, services TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX traces_start ON traces (start_ms);
CREATE INDEX traces_errors ON traces (start_ms) WHERE error_count > 0;
CREATE TABLE node_minute (bucket_ms INTEGER NOT NULL, service TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, retries INTEGER NOT NULL,
  timeouts INTEGER NOT NULL, short_circuits INTEGER NOT NULL, hist TEXT NOT NULL, entry_requests INTEGER NOT NULL, entry_errors INTEGER NOT NULL, entry_hist TEXT NOT NULL,
  PRIMARY KEY (bucket_ms, service)) WITHOUT ROWID;
CREATE TABLE edge_minute (bucket_ms INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, retries INTEGER NOT NULL,
  timeouts INTEGER NOT NULL, short_circuits INTEGER NOT NULL, hist TEXT NOT NULL, PRIMARY KEY (bucket_ms, source, target)) WITHOUT ROWID;
CREATE TABLE services (name TEXT PRIMARY KEY, first_seen_ms REAL NOT NULL, last_seen_ms REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE pending_calls (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, source TEXT NOT NULL, bucket_ms INTEGER NOT NULL,
  stats TEXT NOT NULL, hint TEXT, received_ms REAL NOT NULL, PRIMARY KEY (trace_id, span_id)) WITHOUT ROWID;
CREATE TABLE server_halves (trace_id TEXT NOT NULL, caller_span_id TEXT NOT NULL, service TEXT NOT NULL, received_ms REAL NOT NULL,
  PRIMARY KEY (trace_id, caller_span_id, service)) WITHOUT ROWID;
CREATE TABLE attempt_aliases (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, call_span_id TEXT NOT NULL, received_ms REAL NOT NULL,
  PRIMARY KEY (trace_id, span_id)) WITHOUT ROWID;
PRAGMA user_version = 1;
`;

const pgUp = await postgresReachable();
const now = Date.now();
const bucket = Math.floor(now / 60_000) * 60_000 - 60_000;
const range = { fromMs: bucket - 60_000, toMs: now + 60_000 };

async function checkMigrated(store: TraceStore): Promise<void> {
  // The old aggregates are there, as spans without a namespace.
  expect(buildGraph(await store.graphInput(range)).edges.map((e) => [e.source, e.target, e.requests])).toEqual([['gateway', 'orders', 7]]);
  expect((await store.services({ ...range, namespace: '' })).map((s) => [s.name, s.requests])).toEqual([['orders', 7]]);
  // New spans add to them; new records are kept.
  const [client, server] = call('gateway', 'orders', { startMs: bucket + 10 });
  await store.insertSpans([client, server], now);
  expect(buildGraph(await store.graphInput(range)).edges.map((e) => e.requests)).toEqual([8]);
  await store.upsertAnnotations([{ id: 'm-1', timeMs: now, kind: 'deploy', text: 'after the upgrade', attributes: {}, namespace: '', origin: 'api' }]);
  expect((await store.annotations({ ...range, limit: 10 })).map((a) => a.id)).toEqual(['m-1']);
}

describe('opening a version 1 database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: migrates the file in place and keeps its data', async () => {
    const path = join(dir, 'v1.db');
    const old = new Database(path);
    old.exec(SQLITE_V1);
    old.prepare("INSERT INTO node_minute VALUES (?, 'orders', 7, 0, 0, 0, 0, '[7]', 0, 0, '[]')").run(bucket);
    old.prepare("INSERT INTO edge_minute VALUES (?, 'gateway', 'orders', 7, 0, 0, 0, 0, '[7]')").run(bucket);
    old.prepare("INSERT INTO services VALUES ('orders', 1, 1), ('gateway', 1, 1)").run();
    old.close();
    const store = new SqliteTraceStore({ path });
    try {
      await checkMigrated(store);
    } finally {
      await store.close();
    }
    const reopened = new Database(path);
    expect(reopened.pragma('user_version', { simple: true })).toBe(3);
    reopened.close();
    // Opening again is a no-op.
    const again = new SqliteTraceStore({ path });
    expect((await again.annotations({ ...range, limit: 10 })).map((a) => a.id)).toEqual(['m-1']);
    await again.close();
  });

  it.skipIf(!pgUp)('PostgreSQL: applies migration 2 to a schema at version 1', async () => {
    const schema = uniqueSchema();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE faultline_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      await client.query(MIGRATIONS[0]!.sql);
      await client.query('INSERT INTO faultline_migrations (version) VALUES (1)');
      await client.query("INSERT INTO node_minute VALUES ($1, 'orders', 7, 0, 0, 0, 0, '{7}', 0, 0, '{}')", [bucket]);
      await client.query("INSERT INTO edge_minute VALUES ($1, 'gateway', 'orders', 7, 0, 0, 0, 0, '{7}')", [bucket]);
      await client.query("INSERT INTO services VALUES ('orders', 1, 1), ('gateway', 1, 1)");
    } finally {
      await client.end();
    }
    const store = await PostgresTraceStore.open({ connectionString: DATABASE_URL, schema });
    try {
      await checkMigrated(store);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});

describe('opening a version 2 SQLite file (one row per span)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-migrate-v2-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('moves its spans into blocks: traces read back whole, filters and duplicates work, prune deletes them', async () => {
    const path = join(dir, 'v2.db');
    const old = new Database(path);
    old.exec(SQLITE_V1);
    old.exec(SQLITE_MIGRATE_1_TO_2);
    old.pragma('user_version = 2');
    const [client, server] = call('gateway', 'orders', { startMs: bucket + 10 });
    client.name = 'POST orders';
    server.name = 'POST /orders';
    server.attributes = { 'http.route': '/orders', 'http.response.status_code': 201, retried: true };
    server.resource = { 'service.name': 'orders', 'service.namespace': 'run-7' };
    server.events = [{ name: 'retry', timeMs: bucket + 12, attributes: { 'faultline.attempt': 1 } }];
    const rows = [client, server].map(spanToRow);
    const insert = old.prepare('INSERT INTO spans VALUES (@trace_id, @span_id, @parent_span_id, @service, @name, @kind, @start_ms, @end_ms, @duration_ms, @status, @status_message, @attributes, @resource, @events, @links)');
    for (const r of rows) insert.run(r);
    old.prepare("INSERT INTO traces (trace_id, start_ms, end_ms, root_service, root_operation, span_count, error_count, services) VALUES (?, ?, ?, 'gateway', ?, 2, 0, ',gateway,orders,')")
      .run(client.traceId, client.startMs, Math.max(client.endMs, server.endMs), client.name);
    old.close();

    const store = new SqliteTraceStore({ path });
    try {
      const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
      expect((await store.getTrace(client.traceId)).sort(byId)).toEqual([client, server].sort(byId));
      const found = (q: object) => store.listTraces({ ...range, limit: 10, ...q }).then((list) => list.map((t) => t.traceId));
      expect(await found({ attributes: [{ key: 'http.response.status_code', value: '201' }, { key: 'retried', value: 'true' }] })).toEqual([client.traceId]);
      expect(await found({ attributes: [{ key: 'http.route', value: '/other' }] })).toEqual([]);
      expect(await found({ namespace: 'run-7' })).toEqual([client.traceId]);
      expect(await found({ operation: server.name, service: 'orders' })).toEqual([client.traceId]);
      expect(await found({ operation: server.name, service: 'gateway' })).toEqual([]);
      // The migrated keys make a re-sent span a duplicate.
      expect((await store.insertSpans([client, server], now)).inserted).toBe(0);
      expect(await store.getTrace(client.traceId)).toHaveLength(2);
      expect(await store.prune(now + 3_600_000, 100)).toBe(1);
      expect(await store.getTrace(client.traceId)).toEqual([]);
    } finally {
      await store.close();
    }
    const reopened = new Database(path);
    expect(reopened.pragma('user_version', { simple: true })).toBe(3);
    expect(reopened.prepare("SELECT name FROM sqlite_master WHERE name = 'spans'").all()).toEqual([]);
    expect(reopened.prepare('SELECT count(*) AS n FROM span_blocks').get()).toEqual({ n: 0 });
    reopened.close();
  });
});
