import type { Db } from '../../lib/db.js';
import type { SqliteOutbox } from '@faultline/sdk/messaging';

export const PAYMENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('captured', 'refunded', 'voided')),
  idempotency_key TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_order ON payments(order_id);
`;

export type CaptureOutcome = { kind: 'captured'; paymentId: number } | { kind: 'replayed'; paymentId: number } | { kind: 'voided' };

/**
 * Resilient capture: at most one capture per order however often it is
 * asked, and never after a refund arrived first (the tombstone): the
 * caller that timed out may already have compensated.
 */
export function captureOnce(db: Db, outbox: SqliteOutbox, orderId: string, amount: number, key: string | undefined): CaptureOutcome {
  return db.transaction((): CaptureOutcome => {
    const rows = db.prepare('SELECT id, status FROM payments WHERE order_id = ?').all(orderId) as { id: number; status: string }[];
    if (rows.some((r) => r.status === 'voided' || r.status === 'refunded')) return { kind: 'voided' };
    const existing = rows.find((r) => r.status === 'captured');
    if (existing) return { kind: 'replayed', paymentId: existing.id };
    const now = Date.now();
    const info = db
      .prepare('INSERT INTO payments (order_id, amount, status, idempotency_key, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(orderId, amount, 'captured', key ?? null, now, now);
    outbox.add(db, { type: 'PaymentCaptured', key: orderId, payload: { orderId, amount } });
    return { kind: 'captured', paymentId: Number(info.lastInsertRowid) };
  })();
}

/** Naive capture: a new charge on every call, no questions asked. */
export function captureAlways(db: Db, orderId: string, amount: number): number {
  const now = Date.now();
  const info = db
    .prepare('INSERT INTO payments (order_id, amount, status, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)')
    .run(orderId, amount, 'captured', now, now);
  return Number(info.lastInsertRowid);
}

/** Refunds every capture of the order; with none yet, leaves a tombstone so a late capture is refused. */
export function refund(db: Db, outbox: SqliteOutbox, orderId: string): { refunded: number; voided: boolean } {
  return db.transaction(() => {
    const now = Date.now();
    const changed = db.prepare("UPDATE payments SET status = 'refunded', updated_ms = ? WHERE order_id = ? AND status = 'captured'").run(now, orderId).changes;
    if (changed > 0) {
      outbox.add(db, { type: 'PaymentRefunded', key: orderId, payload: { orderId, refunded: changed } });
      return { refunded: changed, voided: false };
    }
    const any = db.prepare('SELECT 1 FROM payments WHERE order_id = ? LIMIT 1').get(orderId);
    if (!any) db.prepare("INSERT INTO payments (order_id, amount, status, created_ms, updated_ms) VALUES (?, 0, 'voided', ?, ?)").run(orderId, now, now);
    return { refunded: 0, voided: !any };
  })();
}

export function paymentState(db: Db, orderId: string): { orderId: string; captured: number; refunded: number; voided: boolean } {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM payments WHERE order_id = ? GROUP BY status').all(orderId) as { status: string; n: number }[];
  const n = (s: string): number => rows.find((r) => r.status === s)?.n ?? 0;
  return { orderId, captured: n('captured'), refunded: n('refunded'), voided: n('voided') > 0 };
}
