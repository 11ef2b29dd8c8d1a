import type { Db } from '../../lib/db.js';
import type { SqliteOutbox } from '@faultline/sdk/messaging';

export const SHIPPING_SCHEMA = `
CREATE TABLE IF NOT EXISTS shipments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('created', 'cancelled', 'voided')),
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS shipments_order ON shipments(order_id);
`;

export type ShipOutcome = { kind: 'created' | 'replayed'; shipmentId: number } | { kind: 'voided' };

export function createShipment(db: Db, outbox: SqliteOutbox, orderId: string, idempotent: boolean): ShipOutcome {
  return db.transaction((): ShipOutcome => {
    if (idempotent) {
      const rows = db.prepare('SELECT id, status FROM shipments WHERE order_id = ?').all(orderId) as { id: number; status: string }[];
      if (rows.some((r) => r.status !== 'created')) return { kind: 'voided' };
      if (rows[0]) return { kind: 'replayed', shipmentId: rows[0].id };
    }
    const now = Date.now();
    const id = Number(db.prepare("INSERT INTO shipments (order_id, status, created_ms, updated_ms) VALUES (?, 'created', ?, ?)").run(orderId, now, now).lastInsertRowid);
    if (idempotent) outbox.add(db, { type: 'ShipmentCreated', key: orderId, payload: { orderId } });
    return { kind: 'created', shipmentId: id };
  })();
}

export function cancelShipment(db: Db, outbox: SqliteOutbox, orderId: string): { cancelled: number; voided: boolean } {
  return db.transaction(() => {
    const now = Date.now();
    const changed = db.prepare("UPDATE shipments SET status = 'cancelled', updated_ms = ? WHERE order_id = ? AND status = 'created'").run(now, orderId).changes;
    if (changed > 0) {
      outbox.add(db, { type: 'ShipmentCancelled', key: orderId, payload: { orderId } });
      return { cancelled: changed, voided: false };
    }
    const any = db.prepare('SELECT 1 FROM shipments WHERE order_id = ? LIMIT 1').get(orderId);
    if (!any) db.prepare("INSERT INTO shipments (order_id, status, created_ms, updated_ms) VALUES (?, 'voided', ?, ?)").run(orderId, now, now);
    return { cancelled: 0, voided: !any };
  })();
}

export function shipmentState(db: Db, orderId: string): { orderId: string; created: number; cancelled: number; voided: boolean } {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM shipments WHERE order_id = ? GROUP BY status').all(orderId) as { status: string; n: number }[];
  const n = (s: string): number => rows.find((r) => r.status === s)?.n ?? 0;
  return { orderId, created: n('created'), cancelled: n('cancelled'), voided: n('voided') > 0 };
}
