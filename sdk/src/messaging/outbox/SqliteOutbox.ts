import type { Database, Statement } from 'better-sqlite3';
import type { EventEnvelope, NewEvent } from '../envelope.js';
import { MessagingConfigError } from '../errors.js';
import { outboxDdl, tableNames, type TableNames } from '../sql/schema.js';
import type { OutboxLag, OutboxOptions, OutboxStore, PendingEvent } from './OutboxStore.js';
import { prepareEvent, QUARANTINED_SENT_AT, readStored, serialize, withSequence } from './prepareEvent.js';

/**
 * Transactional outbox on better-sqlite3. `add` must run inside the same
 * `db.transaction(...)` as the state change it announces: both commit or
 * neither does.
 * @example
 * const outbox = new SqliteOutbox(db, { source: 'orders' });
 * outbox.ensureSchema();
 * db.transaction(() => {
 *   db.prepare('INSERT INTO orders (id, total) VALUES (?, ?)').run(id, total);
 *   outbox.add(db, { type: 'OrderCreated', key: id, payload: { id, total } });
 * })();
 */
export class SqliteOutbox implements OutboxStore {
  readonly source: string;
  private readonly t: TableNames;
  private readonly statements = new WeakMap<Database, Map<string, Statement>>();
  private readonly knownCursors = new Set<string>();

  constructor(private readonly db: Database, options: OutboxOptions) {
    this.source = options.source;
    this.t = tableNames(options.tablePrefix);
  }

  ensureSchema(): void {
    this.db.transaction(() => {
      for (const ddl of outboxDdl('sqlite', this.t)) this.db.exec(ddl);
    })();
  }

  /**
   * Writes the event; returns the envelope as it will be published.
   * Throws `EnvelopeValidationError` for a bad event and `MessagingConfigError`
   * when called outside a transaction (that would reintroduce the dual write).
   */
  add<P>(tx: Database, event: NewEvent<P>): EventEnvelope<P> {
    if (!tx.inTransaction) {
      throw new MessagingConfigError('outbox.add must run inside db.transaction(...) together with the state change');
    }
    let envelope = prepareEvent(this.source, event);
    if (envelope.key !== undefined) {
      const row = this.stmt(tx, `INSERT INTO ${this.t.outboxKeys} AS k (source, key, seq) VALUES (?, ?, 1)
        ON CONFLICT (source, key) DO UPDATE SET seq = k.seq + 1 RETURNING seq`)
        .get(this.source, envelope.key) as { seq: number };
      envelope = withSequence(envelope, Number(row.seq));
    }
    this.stmt(tx, `INSERT INTO ${this.t.outbox} (event_id, type, envelope, created_at) VALUES (?, ?, ?, ?)`)
      .run(envelope.id, envelope.type, serialize(envelope), Date.parse(envelope.time));
    return envelope;
  }

  async fetchPending(limit: number, cursor?: string): Promise<readonly PendingEvent[]> {
    if (cursor !== undefined) {
      if (!this.knownCursors.has(cursor)) {
        // Registered before its first delivery, so pruning waits for it too.
        this.stmt(this.db, `INSERT INTO ${this.t.outboxCursors} (name, last_row_id) VALUES (?, 0) ON CONFLICT DO NOTHING`).run(cursor);
        this.knownCursors.add(cursor);
      }
      // SQLite has one writer at a time, so row ids are commit-ordered and a
      // cursor can never step over a row that commits later.
      const rows = this.stmt(this.db, `SELECT id, envelope, created_at FROM ${this.t.outbox}
        WHERE id > ${this.cursorPosition} ORDER BY id LIMIT ?`).all(cursor, limit) as { id: number; envelope: string; created_at: number }[];
      return this.decode(rows, false);
    }
    const rows = this.stmt(this.db, `SELECT id, envelope, created_at FROM ${this.t.outbox}
      WHERE sent_at IS NULL ORDER BY id LIMIT ?`).all(limit) as { id: number; envelope: string; created_at: number }[];
    return this.decode(rows, true);
  }

  private get cursorPosition(): string {
    return `COALESCE((SELECT last_row_id FROM ${this.t.outboxCursors} WHERE name = ?), 0)`;
  }

  async history(afterRowId: number, limit: number): Promise<readonly PendingEvent[]> {
    const rows = this.stmt(this.db, `SELECT id, envelope, created_at FROM ${this.t.outbox}
      WHERE id > ? ORDER BY id LIMIT ?`).all(afterRowId, limit) as { id: number; envelope: string; created_at: number }[];
    return this.decode(rows, false);
  }

  private decode(rows: { id: number; envelope: string; created_at: number }[], quarantine: boolean): PendingEvent[] {
    const out: PendingEvent[] = [];
    for (const r of rows) {
      const read = readStored(r.envelope);
      if ('envelope' in read) {
        out.push({ rowId: r.id, envelope: read.envelope, createdAtMs: r.created_at });
      } else if (quarantine) {
        this.stmt(this.db, `UPDATE ${this.t.outbox} SET sent_at = ?, last_error = ? WHERE id = ?`).run(QUARANTINED_SENT_AT, read.invalid.slice(0, 1000), r.id);
        console.warn(`[faultline] outbox row ${r.id} quarantined: ${read.invalid.slice(0, 200)}`);
      }
    }
    return out;
  }

  async markSent(rowIds: readonly number[], sentAtMs: number, cursor?: string): Promise<void> {
    if (rowIds.length === 0) return;
    if (cursor !== undefined) {
      this.stmt(this.db, `INSERT INTO ${this.t.outboxCursors} AS c (name, last_row_id) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET last_row_id = MAX(c.last_row_id, excluded.last_row_id)`).run(cursor, Math.max(...rowIds));
      return;
    }
    const update = this.stmt(this.db, `UPDATE ${this.t.outbox} SET sent_at = ? WHERE id = ?`);
    this.db.transaction(() => {
      for (const id of rowIds) update.run(sentAtMs, id);
    })();
  }

  async recordFailure(rowId: number, error: string): Promise<void> {
    this.stmt(this.db, `UPDATE ${this.t.outbox} SET attempts = attempts + 1, last_error = ? WHERE id = ?`)
      .run(error.slice(0, 1000), rowId);
  }

  async pruneSent(beforeMs: number): Promise<number> {
    return this.stmt(this.db, `DELETE FROM ${this.t.outbox} WHERE created_at < ? AND (sent_at IS NOT NULL
      OR id <= COALESCE((SELECT MIN(last_row_id) FROM ${this.t.outboxCursors}), 0))`).run(beforeMs).changes;
  }

  async lag(nowMs: number, cursor?: string): Promise<OutboxLag> {
    const row = (cursor === undefined
      ? this.stmt(this.db, `SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM ${this.t.outbox}
          WHERE sent_at IS NULL`).get()
      : this.stmt(this.db, `SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM ${this.t.outbox}
          WHERE id > ${this.cursorPosition}`).get(cursor)) as { pending: number; oldest: number | null };
    return { pending: row.pending, oldestAgeMs: row.oldest === null ? 0 : Math.max(0, nowMs - row.oldest) };
  }

  private stmt(db: Database, sql: string): Statement {
    let cache = this.statements.get(db);
    if (!cache) {
      cache = new Map();
      this.statements.set(db, cache);
    }
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  }
}
