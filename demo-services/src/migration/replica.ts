import type { EventEnvelope } from '@faultline/sdk/messaging';
import type { Db } from '../lib/db.js';

/** The tables a side keeps, named for the domain that owns them. */
export type Domain = 'orders' | 'payments' | 'inventory' | 'shipping' | 'notifications';

export const ALL_DOMAINS: readonly Domain[] = ['orders', 'payments', 'inventory', 'shipping', 'notifications'];

function orderIdOf(event: EventEnvelope): string | undefined {
  const payload = event.payload as { orderId?: unknown } | null;
  if (payload && typeof payload.orderId === 'string') return payload.orderId;
  return event.key;
}

function num(event: EventEnvelope, key: string): number {
  const value = (event.payload as Record<string, unknown> | null)?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function str(event: EventEnvelope, key: string): string {
  const value = (event.payload as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' ? value : '';
}

/**
 * Applies another side's fact to this side's own tables, inside the
 * consumer's transaction (so once per event). Writes here never go through
 * an outbox: a replicated fact is not published again, so events cannot loop
 * between the monolith and the services. Each apply is also guarded by the
 * row state, so the same fact arriving under two event ids changes nothing.
 * Returns whether the event touched one of `domains`.
 */
export function applyReplicated(tx: Db, event: EventEnvelope, domains: ReadonlySet<Domain>): boolean {
  const orderId = orderIdOf(event);
  if (!orderId) return false;
  const now = Date.now();
  const has = (d: Domain): boolean => domains.has(d);
  switch (event.type) {
    case 'OrderCreated':
      if (!has('orders')) return false;
      // reconciled_ms set: the side that placed the order audits it, not this copy's reconciler.
      tx.prepare(
        "INSERT OR IGNORE INTO orders (id, sku, qty, amount, status, correlation_id, created_ms, updated_ms, reconciled_ms) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
      ).run(orderId, str(event, 'sku'), num(event, 'qty'), num(event, 'amount'), event.correlationId ?? null, now, now, now);
      return true;
    case 'OrderConfirmed':
    case 'OrderCancelled': {
      let touched = false;
      if (has('orders')) {
        const status = event.type === 'OrderConfirmed' ? 'confirmed' : 'cancelled';
        tx.prepare('UPDATE orders SET status = ?, updated_ms = ?, reconciled_ms = ? WHERE id = ?').run(status, now, now, orderId);
        touched = true;
      }
      if (has('notifications')) {
        tx.prepare('INSERT OR IGNORE INTO notifications (event_id, order_id, kind, created_ms) VALUES (?, ?, ?, ?)').run(event.id, orderId, event.type, now);
        touched = true;
      }
      return touched;
    }
    case 'PaymentCaptured':
      if (!has('payments')) return false;
      if (!tx.prepare('SELECT 1 FROM payments WHERE order_id = ? LIMIT 1').get(orderId)) {
        tx.prepare("INSERT INTO payments (order_id, amount, status, created_ms, updated_ms) VALUES (?, ?, 'captured', ?, ?)").run(orderId, num(event, 'amount'), now, now);
      }
      return true;
    case 'PaymentRefunded': {
      let touched = false;
      if (has('payments')) {
        tx.prepare("UPDATE payments SET status = 'refunded', updated_ms = ? WHERE order_id = ? AND status = 'captured'").run(now, orderId);
        touched = true;
      }
      if (has('notifications')) {
        tx.prepare('INSERT OR IGNORE INTO notifications (event_id, order_id, kind, created_ms) VALUES (?, ?, ?, ?)').run(event.id, orderId, event.type, now);
        touched = true;
      }
      return touched;
    }
    case 'StockReserved': {
      if (!has('inventory')) return false;
      if (tx.prepare('SELECT 1 FROM reservations WHERE order_id = ? LIMIT 1').get(orderId)) return true;
      const sku = str(event, 'sku');
      const qty = num(event, 'qty');
      tx.prepare("INSERT INTO reservations (order_id, sku, qty, status, created_ms, updated_ms) VALUES (?, ?, ?, 'reserved', ?, ?)").run(orderId, sku, qty, now, now);
      // Both sides keep a stock level; the copy follows the owner's decisions and never goes negative.
      tx.prepare('UPDATE stock SET available = MAX(0, available - ?) WHERE sku = ?').run(qty, sku);
      return true;
    }
    case 'StockReleased': {
      if (!has('inventory')) return false;
      const rows = tx.prepare("SELECT id, sku, qty FROM reservations WHERE order_id = ? AND status = 'reserved'").all(orderId) as { id: number; sku: string; qty: number }[];
      for (const r of rows) {
        tx.prepare("UPDATE reservations SET status = 'released', updated_ms = ? WHERE id = ?").run(now, r.id);
        tx.prepare('UPDATE stock SET available = available + ? WHERE sku = ?').run(r.qty, r.sku);
      }
      return true;
    }
    case 'ShipmentCreated':
      if (!has('shipping')) return false;
      if (!tx.prepare('SELECT 1 FROM shipments WHERE order_id = ? LIMIT 1').get(orderId)) {
        tx.prepare("INSERT INTO shipments (order_id, status, created_ms, updated_ms) VALUES (?, 'created', ?, ?)").run(orderId, now, now);
      }
      return true;
    case 'ShipmentCancelled':
      if (!has('shipping')) return false;
      tx.prepare("UPDATE shipments SET status = 'cancelled', updated_ms = ? WHERE order_id = ? AND status = 'created'").run(now, orderId);
      return true;
    default:
      return false;
  }
}
