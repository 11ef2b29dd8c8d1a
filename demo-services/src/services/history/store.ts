import type { EventEnvelope } from '@faultline/sdk/messaging';
import type { Db } from '../../lib/db.js';

export const HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS order_history (
  order_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  sku TEXT,
  qty INTEGER,
  amount INTEGER,
  captured INTEGER NOT NULL DEFAULT 0,
  reserved INTEGER NOT NULL DEFAULT 0,
  shipped INTEGER NOT NULL DEFAULT 0,
  placed_by TEXT,
  events INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history_lag (
  event_id TEXT PRIMARY KEY,
  event_ms INTEGER NOT NULL,
  applied_ms INTEGER NOT NULL
);
`;

export interface HistoryRow {
  order_id: string;
  status: string;
  sku: string | null;
  qty: number | null;
  amount: number | null;
  captured: number;
  reserved: number;
  shipped: number;
  placed_by: string | null;
  events: number;
  updated_ms: number;
}

/** Which column an event type sets, and to what. */
const FLAGS: Record<string, [column: 'captured' | 'reserved' | 'shipped' | 'status', value: number | string]> = {
  PaymentCaptured: ['captured', 1],
  PaymentRefunded: ['captured', 0],
  StockReserved: ['reserved', 1],
  StockReleased: ['reserved', 0],
  ShipmentCreated: ['shipped', 1],
  ShipmentCancelled: ['shipped', 0],
  OrderConfirmed: ['status', 'confirmed'],
  OrderCancelled: ['status', 'cancelled'],
};

/**
 * Folds one event into the order's history row (inside the consumer's
 * transaction, so once per event) and records how long it took the event to
 * get here: the read model's lag.
 */
export function applyToHistory(tx: Db, event: EventEnvelope, nowMs: number): void {
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const orderId = typeof payload.orderId === 'string' ? payload.orderId : event.key;
  if (!orderId) return;
  tx.prepare("INSERT OR IGNORE INTO order_history (order_id, status, updated_ms) VALUES (?, 'pending', ?)").run(orderId, nowMs);
  if (event.type === 'OrderCreated') {
    tx.prepare('UPDATE order_history SET sku = ?, qty = ?, amount = ?, placed_by = ? WHERE order_id = ?').run(
      typeof payload.sku === 'string' ? payload.sku : null,
      typeof payload.qty === 'number' ? payload.qty : null,
      typeof payload.amount === 'number' ? payload.amount : null,
      event.source === 'monolith' ? 'monolith' : 'services',
      orderId,
    );
  }
  const flag = FLAGS[event.type];
  if (flag) tx.prepare(`UPDATE order_history SET ${flag[0]} = ? WHERE order_id = ?`).run(flag[1], orderId);
  tx.prepare('UPDATE order_history SET events = events + 1, updated_ms = ? WHERE order_id = ?').run(nowMs, orderId);
  const eventMs = Date.parse(event.time);
  tx.prepare('INSERT OR IGNORE INTO history_lag (event_id, event_ms, applied_ms) VALUES (?, ?, ?)').run(event.id, Number.isFinite(eventMs) ? eventMs : nowMs, nowMs);
}
