import { PostgresTraceStore } from './postgres/PostgresTraceStore.js';
import { SqliteTraceStore } from './sqlite/SqliteTraceStore.js';
import { ThreadedSqliteStore } from './sqlite/ThreadedSqliteStore.js';
import type { TraceStore } from './TraceStore.js';

export interface OpenStoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite at dbPath. */
  databaseUrl?: string | null;
  databaseSchema?: string;
  dbPath: string;
  pendingEdgeMs?: number;
  /** SQLite writes on their own thread (files only). Default true; falls back to one thread if it cannot start. */
  sqliteWriterThread?: boolean;
  log?: (line: string) => void;
}

export async function openStore(options: OpenStoreOptions): Promise<TraceStore> {
  if (options.databaseUrl) {
    return PostgresTraceStore.open({ connectionString: options.databaseUrl, schema: options.databaseSchema, pendingEdgeMs: options.pendingEdgeMs });
  }
  if (options.dbPath !== ':memory:' && options.sqliteWriterThread !== false) {
    try {
      return await ThreadedSqliteStore.open({ path: options.dbPath, pendingEdgeMs: options.pendingEdgeMs });
    } catch (e) {
      options.log?.(`faultline collector: SQLite writer thread unavailable (${(e as Error).message}); writing on the main thread`);
    }
  }
  return new SqliteTraceStore({ path: options.dbPath, pendingEdgeMs: options.pendingEdgeMs });
}
