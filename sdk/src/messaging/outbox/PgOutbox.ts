import type { ClientBase, Pool } from 'pg';
import type { EventEnvelope, NewEvent } from '../envelope.js';
import { MessagingConfigError } from '../errors.js';
import { outboxDdl, tableNames, toPgPlaceholders, type TableNames } from '../sql/schema.js';
import type { OutboxLag, OutboxOptions, OutboxStore, PendingEvent } from './OutboxStore.js';
import { prepareEvent, QUARANTINED_SENT_AT, readStored, serialize, withSequence } from './prepareEvent.js';

// Sequence values are taken at insert, not at commit: a cursor could step
// over a row whose transaction commits later. Rows are marked sent instead.
function rejectCursor(cursor: string | undefined): void {
  if (cursor !== undefined) {
    throw new MessagingConfigError('relay cursors need commit-ordered row ids (SQLite); with PostgreSQL run one relay per outbox, without cursor');
  }
}

/**
 * Transactional outbox on PostgreSQL (`pg`). `add` takes the client that is
 * inside your `BEGIN ... COMMIT`; the relay uses the pool.
 * @example
 * const outbox = new PgOutbox(pool, { source: 'orders' });
 * await outbox.ensureSchema();
 * const client = await pool.connect();
 * try {
 *   await client.query('BEGIN');
 *   await client.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [id, total]);
 *   await outbox.add(client, { type: 'OrderCreated', key: id, payload: { id, total } });
 *   await client.query('COMMIT');
 * } catch (e) { await client.query('ROLLBACK'); throw e; } finally { client.release(); }
 */
export class PgOutbox implements OutboxStore {
  readonly source: string;
  private readonly t: TableNames;

  constructor(private readonly pool: Pool, options: OutboxOptions) {
    this.source = options.source;
    this.t = tableNames(options.tablePrefix);
  }

  async ensureSchema(): Promise<void> {
    for (const ddl of outboxDdl('pg', this.t)) await this.pool.query(ddl);
  }

  /**
   * Writes the event with `tx`, which must be inside BEGIN...COMMIT. The per-key
   * sequence row is locked until commit, so sequence order is commit order.
   */
  async add<P>(tx: ClientBase, event: NewEvent<P>): Promise<EventEnvelope<P>> {
    let envelope = prepareEvent(this.source, event);
    if (envelope.key !== undefined) {
      const res = await tx.query(toPgPlaceholders(`INSERT INTO ${this.t.outboxKeys} AS k (source, key, seq) VALUES (?, ?, 1)
        ON CONFLICT (source, key) DO UPDATE SET seq = k.seq + 1 RETURNING seq`), [this.source, envelope.key]);
      envelope = withSequence(envelope, Number(res.rows[0].seq));
    }
    await tx.query(toPgPlaceholders(`INSERT INTO ${this.t.outbox} (event_id, type, envelope, created_at) VALUES (?, ?, ?, ?)`),
      [envelope.id, envelope.type, serialize(envelope), Date.parse(envelope.time)]);
    return envelope;
  }

  async fetchPending(limit: number, cursor?: string): Promise<readonly PendingEvent[]> {
    rejectCursor(cursor);
    const res = await this.pool.query(toPgPlaceholders(`SELECT id, envelope, created_at FROM ${this.t.outbox}
      WHERE sent_at IS NULL ORDER BY id LIMIT ?`), [limit]);
    return this.decode(res.rows, true);
  }

  async history(afterRowId: number, limit: number): Promise<readonly PendingEvent[]> {
    const res = await this.pool.query(toPgPlaceholders(`SELECT id, envelope, created_at FROM ${this.t.outbox}
      WHERE id > ? ORDER BY id LIMIT ?`), [afterRowId, limit]);
    return this.decode(res.rows, false);
  }

  private async decode(rows: { id: string; envelope: string; created_at: string }[], quarantine: boolean): Promise<PendingEvent[]> {
    const out: PendingEvent[] = [];
    for (const r of rows) {
      const read = readStored(r.envelope);
      if ('envelope' in read) {
        out.push({ rowId: Number(r.id), envelope: read.envelope, createdAtMs: Number(r.created_at) });
      } else if (quarantine) {
        await this.pool.query(`UPDATE ${this.t.outbox} SET sent_at = $1, last_error = $2 WHERE id = $3`,
          [QUARANTINED_SENT_AT, read.invalid.slice(0, 1000), r.id]);
        console.warn(`[faultline] outbox row ${r.id} quarantined: ${read.invalid.slice(0, 200)}`);
      }
    }
    return out;
  }

  async markSent(rowIds: readonly number[], sentAtMs: number, cursor?: string): Promise<void> {
    rejectCursor(cursor);
    if (rowIds.length === 0) return;
    await this.pool.query(`UPDATE ${this.t.outbox} SET sent_at = $1 WHERE id = ANY($2::bigint[])`, [sentAtMs, rowIds]);
  }

  async recordFailure(rowId: number, error: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.t.outbox} SET attempts = attempts + 1, last_error = $1 WHERE id = $2`,
      [error.slice(0, 1000), rowId]);
  }

  async pruneSent(beforeMs: number): Promise<number> {
    const res = await this.pool.query(`DELETE FROM ${this.t.outbox} WHERE sent_at IS NOT NULL AND created_at < $1`, [beforeMs]);
    return res.rowCount ?? 0;
  }

  async lag(nowMs: number, cursor?: string): Promise<OutboxLag> {
    rejectCursor(cursor);
    const res = await this.pool.query(`SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM ${this.t.outbox}
      WHERE sent_at IS NULL`);
    const row = res.rows[0] as { pending: string; oldest: string | null };
    return { pending: Number(row.pending), oldestAgeMs: row.oldest === null ? 0 : Math.max(0, nowMs - Number(row.oldest)) };
  }
}
