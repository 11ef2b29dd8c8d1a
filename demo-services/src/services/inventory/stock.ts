import type { Db } from '../../lib/db.js';
import type { SqliteOutbox } from '@faultline/sdk/messaging';

export const SKUS = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'] as const;
const INITIAL_STOCK = 1_000_000;

export const INVENTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS stock (
  sku TEXT PRIMARY KEY,
  available INTEGER NOT NULL CHECK (available >= 0)
);
CREATE TABLE IF NOT EXISTS reservations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('reserved', 'released', 'voided')),
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reservations_order ON reservations(order_id);
INSERT OR IGNORE INTO stock (sku, available) VALUES ${SKUS.map((s) => `('${s}', ${INITIAL_STOCK})`).join(', ')};
`;

export type ReserveOutcome = { kind: 'reserved' | 'replayed'; reservationId: number } | { kind: 'voided' } | { kind: 'unknown-sku' } | { kind: 'out-of-stock' };

function take(db: Db, sku: string, qty: number): ReserveOutcome | undefined {
  const row = db.prepare('SELECT available FROM stock WHERE sku = ?').get(sku) as { available: number } | undefined;
  if (!row) return { kind: 'unknown-sku' };
  if (row.available < qty) return { kind: 'out-of-stock' };
  db.prepare('UPDATE stock SET available = available - ? WHERE sku = ?').run(qty, sku);
  return undefined;
}

function insert(db: Db, orderId: string, sku: string, qty: number): number {
  const now = Date.now();
  return Number(
    db.prepare("INSERT INTO reservations (order_id, sku, qty, status, created_ms, updated_ms) VALUES (?, ?, ?, 'reserved', ?, ?)").run(orderId, sku, qty, now, now)
      .lastInsertRowid,
  );
}

/** One reservation per order, refused after a release (tombstone) so a late retry cannot resurrect it. */
export function reserveOnce(db: Db, outbox: SqliteOutbox, orderId: string, sku: string, qty: number): ReserveOutcome {
  return db.transaction((): ReserveOutcome => {
    const rows = db.prepare('SELECT id, status FROM reservations WHERE order_id = ?').all(orderId) as { id: number; status: string }[];
    if (rows.some((r) => r.status !== 'reserved')) return { kind: 'voided' };
    if (rows[0]) return { kind: 'replayed', reservationId: rows[0].id };
    const refused = take(db, sku, qty);
    if (refused) return refused;
    const reservationId = insert(db, orderId, sku, qty);
    outbox.add(db, { type: 'StockReserved', key: orderId, payload: { orderId, sku, qty } });
    return { kind: 'reserved', reservationId };
  })();
}

/** Naive: a new reservation per call. */
export function reserveAlways(db: Db, orderId: string, sku: string, qty: number): ReserveOutcome {
  return db.transaction((): ReserveOutcome => {
    const refused = take(db, sku, qty);
    if (refused) return refused;
    return { kind: 'reserved', reservationId: insert(db, orderId, sku, qty) };
  })();
}

export function release(db: Db, outbox: SqliteOutbox, orderId: string): { released: number; voided: boolean } {
  return db.transaction(() => {
    const now = Date.now();
    const rows = db.prepare("SELECT id, sku, qty FROM reservations WHERE order_id = ? AND status = 'reserved'").all(orderId) as { id: number; sku: string; qty: number }[];
    for (const r of rows) {
      db.prepare("UPDATE reservations SET status = 'released', updated_ms = ? WHERE id = ?").run(now, r.id);
      db.prepare('UPDATE stock SET available = available + ? WHERE sku = ?').run(r.qty, r.sku);
    }
    if (rows.length > 0) {
      outbox.add(db, { type: 'StockReleased', key: orderId, payload: { orderId } });
      return { released: rows.length, voided: false };
    }
    const any = db.prepare('SELECT 1 FROM reservations WHERE order_id = ? LIMIT 1').get(orderId);
    if (!any) db.prepare("INSERT INTO reservations (order_id, sku, qty, status, created_ms, updated_ms) VALUES (?, '', 0, 'voided', ?, ?)").run(orderId, now, now);
    return { released: 0, voided: !any };
  })();
}

export function reservationState(db: Db, orderId: string): { orderId: string; reserved: number; released: number; voided: boolean } {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM reservations WHERE order_id = ? GROUP BY status').all(orderId) as { status: string; n: number }[];
  const n = (s: string): number => rows.find((r) => r.status === s)?.n ?? 0;
  return { orderId, reserved: n('reserved'), released: n('released'), voided: n('voided') > 0 };
}
