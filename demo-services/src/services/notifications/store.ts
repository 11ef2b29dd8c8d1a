import type { Db } from '../../lib/db.js';
import { consumeOnce, INBOX_SCHEMA, type ShopEvent } from '../../lib/events/index.js';

export const NOTIFICATIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT UNIQUE,
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_order ON notifications(order_id);
CREATE TABLE IF NOT EXISTS order_view (
  order_id TEXT NOT NULL,
  source TEXT NOT NULL,
  last_type TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  PRIMARY KEY (order_id, source)
);
${INBOX_SCHEMA}
`;

/** Event types a customer is told about; the others only update the view. */
export const NOTIFIED_TYPES = new Set(['OrderConfirmed', 'OrderCancelled', 'PaymentRefunded']);

/**
 * Idempotent and order-tolerant: a duplicate is dropped by the inbox, and an
 * event older (by per-source sequence) than what the view holds never
 * overwrites it.
 */
export function applyEvent(db: Db, event: ShopEvent): boolean {
  const orderId = typeof event.payload.orderId === 'string' ? event.payload.orderId : event.key;
  return consumeOnce(db, event, () => {
    if (!orderId) return;
    if (NOTIFIED_TYPES.has(event.type)) {
      db.prepare('INSERT INTO notifications (event_id, order_id, kind, created_ms) VALUES (?, ?, ?, ?)').run(event.id, orderId, event.type, Date.now());
    }
    db.prepare(
      `INSERT INTO order_view (order_id, source, last_type, sequence) VALUES (?, ?, ?, ?)
       ON CONFLICT(order_id, source) DO UPDATE SET last_type = excluded.last_type, sequence = excluded.sequence
       WHERE excluded.sequence > order_view.sequence`,
    ).run(orderId, event.source, event.type, event.sequence ?? 0);
  });
}

/** Naive mode: orders calls this directly, so a notifications outage loses the message. */
export function notifyDirect(db: Db, orderId: string, kind: string): void {
  db.prepare('INSERT INTO notifications (order_id, kind, created_ms) VALUES (?, ?, ?)').run(orderId, kind, Date.now());
}
