// Test helpers: SpanRecord factories, store fixtures for both backends and a Server-Sent Events reader.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SpanRecord } from '../src/model.js';
import { PostgresTraceStore } from '../src/store/postgres/PostgresTraceStore.js';
import { SqliteTraceStore } from '../src/store/sqlite/SqliteTraceStore.js';
import { ThreadedSqliteStore } from '../src/store/sqlite/ThreadedSqliteStore.js';
import type { TraceStore } from '../src/store/TraceStore.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function span(partial: Partial<SpanRecord> & Pick<SpanRecord, 'service'>): SpanRecord {
  const startMs = partial.startMs ?? Date.now() - 1000;
  const durationMs = partial.durationMs ?? 10;
  return {
    traceId: partial.traceId ?? hex(16),
    spanId: partial.spanId ?? hex(8),
    parentSpanId: partial.parentSpanId ?? '',
    name: partial.name ?? 'GET /',
    kind: partial.kind ?? 'server',
    startMs,
    endMs: partial.endMs ?? startMs + durationMs,
    durationMs,
    status: partial.status ?? 'unset',
    statusMessage: partial.statusMessage ?? '',
    attributes: partial.attributes ?? {},
    resource: partial.resource ?? { 'service.name': partial.service },
    events: partial.events ?? [],
    links: partial.links ?? [],
    service: partial.service,
  };
}

/** A client span in `caller` and, below it, the server span in `callee`. */
export function call(caller: string, callee: string, opts: { traceId?: string; parentSpanId?: string; status?: SpanRecord['status']; startMs?: number } = {}): [SpanRecord, SpanRecord] {
  const traceId = opts.traceId ?? hex(16);
  const client = span({ service: caller, kind: 'client', traceId, parentSpanId: opts.parentSpanId ?? hex(8), attributes: { 'peer.service': callee }, status: opts.status, startMs: opts.startMs });
  const server = span({ service: callee, kind: 'server', traceId, parentSpanId: client.spanId, status: opts.status, startMs: opts.startMs });
  return [client, server];
}

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    if (process.env.REQUIRE_SERVICES === '1') throw new Error(`PostgreSQL required (REQUIRE_SERVICES=1) but unreachable at ${DATABASE_URL}`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export function uniqueSchema(): string {
  return `fl_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface StoreFixture {
  name: 'sqlite' | 'sqlite-threaded' | 'postgres';
  open(options?: { pendingEdgeMs?: number }): Promise<TraceStore>;
  cleanup(): Promise<void>;
}

export function sqliteFixture(): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-store-'));
  let n = 0;
  return {
    name: 'sqlite',
    open: async (o = {}) => new SqliteTraceStore({ path: join(dir, `t${n++}.db`), pendingEdgeMs: o.pendingEdgeMs }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** SQLite with its writer thread, as the collector runs it for file databases. */
export function threadedSqliteFixture(): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-store-'));
  let n = 0;
  return {
    name: 'sqlite-threaded',
    open: (o = {}) => ThreadedSqliteStore.open({ path: join(dir, `t${n++}.db`), pendingEdgeMs: o.pendingEdgeMs }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresFixture(): StoreFixture {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    open: async (o = {}) => {
      const schema = uniqueSchema();
      schemas.push(schema);
      return PostgresTraceStore.open({ connectionString: DATABASE_URL, schema, pendingEdgeMs: o.pendingEdgeMs });
    },
    cleanup: async () => {
      for (const s of schemas) await dropSchema(s);
    },
  };
}

export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Reads Server-Sent Events from a fetch Response until `want` holds (or the stream ends), then
 * cancels it. `onChunk` runs after every chunk read, so a test can send data as the stream
 * goes. No deadline of its own: the test's timeout bounds the wait.
 */
export async function readEvents(res: Response, want: (events: SseEvent[]) => boolean, onChunk?: (events: SseEvent[]) => Promise<void>): Promise<SseEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  try {
    while (!want(events)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let idx;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) events.push({ event, data });
      }
      await onChunk?.(events);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}
