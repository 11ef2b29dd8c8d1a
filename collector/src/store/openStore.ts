import { PostgresTraceStore } from './postgres/PostgresTraceStore.js';
import { SqliteTraceStore } from './sqlite/SqliteTraceStore.js';
import type { TraceStore } from './TraceStore.js';

export interface OpenStoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite at dbPath. */
  databaseUrl?: string | null;
  databaseSchema?: string;
  dbPath: string;
  pendingEdgeMs?: number;
}

export async function openStore(options: OpenStoreOptions): Promise<TraceStore> {
  if (options.databaseUrl) {
    return PostgresTraceStore.open({ connectionString: options.databaseUrl, schema: options.databaseSchema, pendingEdgeMs: options.pendingEdgeMs });
  }
  return new SqliteTraceStore({ path: options.dbPath, pendingEdgeMs: options.pendingEdgeMs });
}
