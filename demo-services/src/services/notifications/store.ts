import type { Db } from '../../lib/db.js';

export const NOTIFICATIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT UNIQUE,
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_order ON notifications(order_id);
`;

/** Event types a customer is told about; the others are consumed without a message. */
export const NOTIFIED_TYPES = new Set(['OrderConfirmed', 'OrderCancelled', 'PaymentRefunded']);

/** Runs inside the consumer's transaction (with its inbox row), so it happens once per event. */
export function recordNotification(tx: Db, eventId: string, orderId: string, kind: string): void {
  tx.prepare('INSERT INTO notifications (event_id, order_id, kind, created_ms) VALUES (?, ?, ?, ?)').run(eventId, orderId, kind, Date.now());
}

/** Naive mode: orders calls this directly, so a notifications outage loses the message. */
export function notifyDirect(db: Db, orderId: string, kind: string): void {
  db.prepare('INSERT INTO notifications (order_id, kind, created_ms) VALUES (?, ?, ?)').run(orderId, kind, Date.now());
}
