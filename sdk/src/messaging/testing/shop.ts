import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { EventEnvelope } from '../envelope.js';
import { SqliteOutbox } from '../outbox/SqliteOutbox.js';

/**
 * A tiny order service used by the tests: each event changes a ledger in a
 * way that is neither idempotent (amounts add up) nor order-free (history).
 */
export function ordersDb(path = ':memory:'): { db: Db; outbox: SqliteOutbox } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, total_cents INTEGER NOT NULL)');
  const outbox = new SqliteOutbox(db, { source: 'orders' });
  outbox.ensureSchema();
  return { db, outbox };
}

export function placeOrder(db: Db, outbox: SqliteOutbox, id: string, totalCents: number): EventEnvelope {
  return db.transaction(() => {
    db.prepare('INSERT INTO orders (id, status, total_cents) VALUES (?, ?, ?)').run(id, 'pending', totalCents);
    return outbox.add(db, { type: 'OrderCreated', key: id, payload: { orderId: id, totalCents } });
  })();
}

export function changeOrder(db: Db, outbox: SqliteOutbox, id: string, type: string, status: string, deltaCents: number): EventEnvelope {
  return db.transaction(() => {
    db.prepare('UPDATE orders SET status = ?, total_cents = total_cents + ? WHERE id = ?').run(status, deltaCents, id);
    return outbox.add(db, { type, key: id, payload: { orderId: id, deltaCents, status } });
  })();
}

/** The consumer side's own database: a projection of orders plus a history that records order of application. */
export function projectionDb(): Db {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE projection (order_id TEXT PRIMARY KEY, status TEXT, total_cents INTEGER, history TEXT NOT NULL DEFAULT '')`);
  return db;
}

export const projectionHandlers = {
  OrderCreated: (e: EventEnvelope<any>, { tx }: { tx: Db }) => {
    tx.prepare(`INSERT INTO projection (order_id, status, total_cents, history) VALUES (?, 'pending', ?, 'created')`)
      .run(e.payload.orderId, e.payload.totalCents);
  },
  OrderChanged: (e: EventEnvelope<any>, { tx }: { tx: Db }) => {
    const r = tx.prepare(`UPDATE projection SET status = ?, total_cents = total_cents + ?, history = history || ',' || ? WHERE order_id = ?`)
      .run(e.payload.status, e.payload.deltaCents, e.payload.status, e.payload.orderId);
    // Applying a change before the creation is exactly the reordering bug the ordering option prevents.
    if (r.changes === 0) throw new Error(`order ${e.payload.orderId} not created yet`);
  },
};

export function projection(db: Db): unknown[] {
  return db.prepare('SELECT * FROM projection ORDER BY order_id').all();
}
