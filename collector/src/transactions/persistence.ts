// Transaction state saved beside the spans, so that it survives a restart: a table
// `faultline_transactions` in the same SQLite file or PostgreSQL schema, through a connection
// of its own (the span store's writer is untouched). Saved every second from the tracker's
// changed records, so a crash loses at most the last second of transaction progress, which
// the next events of those transactions restore.
import Database from 'better-sqlite3';
import pg from 'pg';
import { quoteSchema } from '../store/postgres/migrations.js';
import type { TxRecord } from './TransactionTracker.js';

export interface TransactionPersistence {
  /** Records updated at or after `sinceMs`. */
  load(sinceMs: number): Promise<TxRecord[]>;
  save(records: readonly TxRecord[]): Promise<void>;
  /** Deletes records last updated before `cutoffMs`. */
  prune(cutoffMs: number): Promise<void>;
  close(): Promise<void>;
}

export const LOAD_MAX = 100_000;

function parse(rows: { body: string }[]): TxRecord[] {
  const out: TxRecord[] = [];
  for (const r of rows) {
    try {
      out.push(JSON.parse(r.body) as TxRecord);
    } catch {
      // a row this version cannot read is skipped
    }
  }
  return out;
}

export class SqliteTransactionPersistence implements TransactionPersistence {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec('CREATE TABLE IF NOT EXISTS faultline_transactions (id TEXT PRIMARY KEY, updated_ms REAL NOT NULL, body TEXT NOT NULL) WITHOUT ROWID');
  }

  async load(sinceMs: number): Promise<TxRecord[]> {
    return parse(this.db.prepare('SELECT body FROM faultline_transactions WHERE updated_ms >= ? ORDER BY updated_ms DESC LIMIT ?').all(sinceMs, LOAD_MAX) as { body: string }[]);
  }

  async save(records: readonly TxRecord[]): Promise<void> {
    const stmt = this.db.prepare('INSERT INTO faultline_transactions (id, updated_ms, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_ms = excluded.updated_ms, body = excluded.body');
    this.db.transaction(() => {
      for (const r of records) stmt.run(r.id, r.updatedMs, JSON.stringify(r));
    })();
  }

  async prune(cutoffMs: number): Promise<void> {
    this.db.prepare('DELETE FROM faultline_transactions WHERE updated_ms < ?').run(cutoffMs);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export class PostgresTransactionPersistence implements TransactionPersistence {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(connectionString: string, schema: string): Promise<PostgresTransactionPersistence> {
    const pool = new pg.Pool({ connectionString, max: 1, options: `-c search_path=${quoteSchema(schema)}`, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined);
    // Several collectors may start together on one database: CREATE TABLE IF NOT EXISTS alone races
    // (a duplicate type error), so the creation is serialised under a transaction-scoped advisory lock.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('faultline_transactions'))");
      await client.query('CREATE TABLE IF NOT EXISTS faultline_transactions (id text PRIMARY KEY, updated_ms double precision NOT NULL, body text NOT NULL)');
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      await pool.end().catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    return new PostgresTransactionPersistence(pool);
  }

  async load(sinceMs: number): Promise<TxRecord[]> {
    const r = await this.pool.query('SELECT body FROM faultline_transactions WHERE updated_ms >= $1 ORDER BY updated_ms DESC LIMIT $2', [sinceMs, LOAD_MAX]);
    return parse(r.rows as { body: string }[]);
  }

  async save(records: readonly TxRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Several collectors may share the database: the record updated last wins.
    await this.pool.query(
      `INSERT INTO faultline_transactions (id, updated_ms, body)
       SELECT id, updated_ms, body FROM json_to_recordset($1::json) AS x(id text, updated_ms double precision, body text)
       ON CONFLICT (id) DO UPDATE SET updated_ms = excluded.updated_ms, body = excluded.body
       WHERE faultline_transactions.updated_ms <= excluded.updated_ms`,
      [JSON.stringify(records.map((r) => ({ id: r.id, updated_ms: r.updatedMs, body: JSON.stringify(r) })))],
    );
  }

  async prune(cutoffMs: number): Promise<void> {
    await this.pool.query('DELETE FROM faultline_transactions WHERE updated_ms < $1', [cutoffMs]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** SQLite file or PostgreSQL beside the spans; null for `:memory:` (nothing survives a restart there anyway). */
export async function openTransactionPersistence(options: { databaseUrl: string | null; databaseSchema: string; dbPath: string }): Promise<TransactionPersistence | null> {
  if (options.databaseUrl) return PostgresTransactionPersistence.open(options.databaseUrl, options.databaseSchema);
  if (options.dbPath === ':memory:' || options.dbPath === '') return null;
  return new SqliteTransactionPersistence(options.dbPath);
}
